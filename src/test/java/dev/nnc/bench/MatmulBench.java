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

/** Square f32 matrix products {@code a @ b} through generated code (bench/models/matmul.nn). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBench {
    @Param({"256", "512", "1024"})
    int n;

    @Param({"scalar", "vector"})
    String engine;

    MethodHandle infer;
    float[] a, b, c;

    @Setup
    public void setup() throws Throwable {
        Path file = Path.of("bench/models/matmul.nn");
        Compiler.Result r = Compiler.compile(file);
        JavaEmitter.Backend backend = engine.equals("vector") ? JavaEmitter.Backend.VECTOR : JavaEmitter.Backend.SCALAR;
        LoadedModel lm = LoadedModel.load(r.compiled().get(0), true, 0, "matmul.nn", r.source(), backend);
        Object inst = lm.instance();
        infer = MethodHandles.publicLookup().findVirtual(inst.getClass(), "infer",
                MethodType.methodType(void.class, int.class, float[].class, float[].class, float[].class)).bindTo(inst);
        Random rnd = new Random(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian();
            b[i] = (float) rnd.nextGaussian();
        }
    }

    @Benchmark
    public float[] matmul() throws Throwable {
        infer.invokeExact(n, a, b, c);
        return c;
    }
}
