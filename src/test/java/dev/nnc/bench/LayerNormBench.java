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
 * {@code layer_norm} as the fused op against the same formula written with reductions and
 * elementwise ops (bench/models/layer_norm.nn), 512 rows of 256, f32: {@code forward} is
 * {@code infer}, {@code gradients} the loss and the gradients of x, weight and bias.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LayerNormBench {
    @Param({"fused", "composed"})
    String model;

    @Param({"scalar", "vector"})
    String engine;

    static final int ROWS = 512;

    MethodHandle infer, gradients;
    float[] x, y, t;

    @Setup
    public void setup() throws Throwable {
        Compiler.Result r = Compiler.compile(Path.of("bench/models/layer_norm.nn"));
        String name = Character.toUpperCase(model.charAt(0)) + model.substring(1);
        JavaEmitter.Backend backend = engine.equals("vector") ? JavaEmitter.Backend.VECTOR : JavaEmitter.Backend.SCALAR;
        LoadedModel lm = LoadedModel.load(r.model(name), true, 0, "layer_norm.nn", r.source(), backend);
        Object inst = lm.instance();
        infer = MethodHandles.publicLookup().findVirtual(inst.getClass(), "infer",
                MethodType.methodType(void.class, int.class, float[].class, float[].class)).bindTo(inst);
        gradients = MethodHandles.publicLookup().findVirtual(inst.getClass(), "gradients",
                MethodType.methodType(float.class, int.class, float[].class, float[].class)).bindTo(inst);
        Random rnd = new Random(1);
        x = new float[ROWS * 256];
        y = new float[ROWS * 256];
        t = new float[ROWS * 256];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
            t[i] = (float) rnd.nextGaussian();
        }
    }

    @Benchmark
    public float[] forward() throws Throwable {
        infer.invokeExact(ROWS, x, y);
        return y;
    }

    @Benchmark
    public float gradients() throws Throwable {
        return (float) gradients.invokeExact(ROWS, x, t);
    }
}
