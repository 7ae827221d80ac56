package dev.nnc.bench;

import dev.nnc.Compiler;
import dev.nnc.examples.HousePrices;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import java.nio.file.Path;
import java.util.Map;
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
 * The house-price MLP (331→256→1, dropout 0.2, SGD with momentum and weight decay): the
 * committed generated class (f32) against the reference interpreter (f64 and f32 emulation),
 * one train step and one inference call at batch 64.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = "-Xss16m")
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class HousePricesBench {
    @Param({"64"})
    int batch;

    HousePrices generated;
    float[] x, y, price;
    Session interpreter;
    Map<String, Tensor> inputs;

    @Setup
    public void setup() throws Exception {
        Random r = new Random(1);
        x = new float[batch * 331];
        y = new float[batch];
        price = new float[batch];
        double[] xd = new double[x.length], yd = new double[y.length];
        for (int i = 0; i < x.length; i++) xd[i] = x[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.length; i++) yd[i] = y[i] = (float) (12 + r.nextGaussian() * 0.4);
        generated = new HousePrices(7);
        Model m = Compiler.compile(Path.of("generated-examples/house_prices.nn")).compiled().get(0).model();
        interpreter = new Session(m, 7, Model.Precision.F64);
        inputs = Map.of("x", Tensor.of(new int[] {batch, 331}, xd), "y", Tensor.of(new int[] {batch, 1}, yd));
    }

    @Benchmark
    public float generatedTrainStep() {
        return generated.trainStep(batch, x, y);
    }

    @Benchmark
    public float[] generatedInfer() {
        generated.infer(batch, x, price);
        return price;
    }

    @Benchmark
    public double interpreterTrainStep() {
        return interpreter.trainStep(inputs);
    }

    @Benchmark
    public Object interpreterInfer() {
        return interpreter.infer(inputs);
    }
}
