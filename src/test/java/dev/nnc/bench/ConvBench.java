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
 * The forward convolution of W5 (bench/models/conv_w5.nn: 16 images, 64 → 64 channels, 3×3,
 * 32×32) against the 2-d product of the same size (bench/models/product_w5.nn: [64, 576] ·
 * [576, 16·1024]), f32, through generated code: both do 2·64·576·16384 FLOPs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xss16m", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBench {
    static final int IMAGES = 16;

    @Param({"scalar", "vector"})
    String engine;

    MethodHandle conv, product;
    float[] x, y, b, c;

    private static Object instance(String file, String engine) throws java.io.IOException {
        Compiler.Result r = Compiler.compile(Path.of("bench/models", file));
        JavaEmitter.Backend backend = engine.equals("vector") ? JavaEmitter.Backend.VECTOR : JavaEmitter.Backend.SCALAR;
        return LoadedModel.load(r.compiled().get(0), true, 0, file, r.source(), backend).instance();
    }

    @Setup
    public void setup() throws Throwable {
        MethodType infer = MethodType.methodType(void.class, int.class, float[].class, float[].class);
        Object ci = instance("conv_w5.nn", engine), pi = instance("product_w5.nn", engine);
        conv = MethodHandles.publicLookup().findVirtual(ci.getClass(), "infer", infer).bindTo(ci);
        product = MethodHandles.publicLookup().findVirtual(pi.getClass(), "infer", infer).bindTo(pi);
        Random rnd = new Random(1);
        x = new float[IMAGES * 64 * 1024];
        y = new float[x.length];
        b = new float[576 * IMAGES * 1024];
        c = new float[64 * IMAGES * 1024];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
    }

    @Benchmark
    public float[] conv() throws Throwable {
        conv.invokeExact(IMAGES, x, y);
        return y;
    }

    @Benchmark
    public float[] product() throws Throwable {
        product.invokeExact(IMAGES * 1024, b, c);
        return c;
    }
}
