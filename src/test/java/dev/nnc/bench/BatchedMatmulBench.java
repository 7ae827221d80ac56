package dev.nnc.bench;

import dev.nnc.Compiler;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.codegen.LoadedModel;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A batched product {@code [8, 4, 128, 32] @ [8, 4, 32, 128]} (bench/models/batched_matmul.nn)
 * against 2-D products of the same work, f32, one thread: {@code stacked} is one
 * {@code [4096, 32] @ [32, 128]} product, {@code single} is 32 calls of the per-batch
 * {@code [128, 32] @ [32, 128]}. {@code forward} computes the product (33.6 MFLOP per call),
 * {@code gradients} the loss {@code sum(y * t)} and the gradients of both operands (three
 * products, 100.7 MFLOP). GFLOP/s = MFLOP / µs per call / 1000.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BatchedMatmulBench {
    @Param({"batched", "stacked", "single"})
    String model;

    @Param({"scalar", "vector"})
    String engine;

    MethodHandle infer, gradients;
    float[] y, t;
    int calls;

    @Setup
    public void setup() throws Throwable {
        Compiler.Result r = Compiler.compile(Path.of("bench/models/batched_matmul.nn"));
        String name = Character.toUpperCase(model.charAt(0)) + model.substring(1);
        JavaEmitter.Backend backend = engine.equals("vector") ? JavaEmitter.Backend.VECTOR : JavaEmitter.Backend.SCALAR;
        LoadedModel lm = LoadedModel.load(r.model(name), true, 0, "batched_matmul.nn", r.source(), backend);
        Object inst = lm.instance();
        infer = MethodHandles.publicLookup().findVirtual(inst.getClass(), "infer", MethodType.methodType(void.class, float[].class)).bindTo(inst);
        gradients = MethodHandles.publicLookup().findVirtual(inst.getClass(), "gradients", MethodType.methodType(float.class, float[].class))
                .bindTo(inst);
        calls = model.equals("single") ? 32 : 1;
        int rows = model.equals("single") ? 128 : 4096;
        y = new float[rows * 128];
        t = new float[rows * 128];
        Random rnd = new Random(1);
        for (int i = 0; i < t.length; i++) t[i] = (float) rnd.nextGaussian();
    }

    @Benchmark
    public float[] forward() throws Throwable {
        for (int i = 0; i < calls; i++) infer.invokeExact(y);
        return y;
    }

    @Benchmark
    public float gradients() throws Throwable {
        float s = 0;
        for (int i = 0; i < calls; i++) s += (float) gradients.invokeExact(t);
        return s;
    }
}
