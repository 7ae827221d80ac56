package dev.nnc.bench;

import dev.nnc.Compiler;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
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
 * The workloads of PERFORMANCE.md (W1 house 64, W2 MNIST 256 and 1, W3 tiny 1, W4 LeNet-5 64,
 * W5 ResNet block 16) on generated
 * code (each backend and precision, {@link Workload}) and on the interpreter. Generated classes
 * are compiled in memory at setup and called through exact method handles (a few ns per call).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xss16m", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class WorkloadsBench {
    /** workload:batch */
    @Param({"w1:64", "w2:256", "w2:1", "w3:1", "w4:64", "w5:16"})
    String workload;

    /** scalar, vector, or interp (the reference interpreter, f64 or its f32 emulation) */
    @Param({"scalar", "vector"})
    String engine;

    @Param({"f32"})
    String precision;

    /** threads for the vector backend's products (setThreads); 1 is the default of generated classes */
    @Param({"1"})
    int threads;

    Workload generated;
    Session session;
    Map<String, Tensor> inputs;

    @Setup
    public void setup() throws Throwable {
        boolean f32 = precision.equals("f32");
        if (!engine.equals("interp")) {
            JavaEmitter.Backend backend = engine.equals("vector") ? JavaEmitter.Backend.VECTOR : JavaEmitter.Backend.SCALAR;
            generated = Workload.create(workload, backend, f32, threads);
            return;
        }
        int batch = Integer.parseInt(workload.substring(workload.indexOf(':') + 1));
        Compiler.Result r = Compiler.compile(Workload.modelFile(workload));
        Model m = r.compiled().get(0).model();
        Random rnd = new Random(1);
        // the first input [batch, …] holds the features, the second the labels or targets
        int features = (int) m.inputs().get(0).node().shape().staticProduct();
        int[] xShape = m.inputs().get(0).node().shape().sizes(Map.of(m.dims().get(0), batch));
        double[] xd = new double[batch * features];
        for (int i = 0; i < xd.length; i++) xd[i] = rnd.nextGaussian();
        Tensor label;
        if (m.inputs().get(1).isInt()) {
            long[] l = new long[batch];
            for (int i = 0; i < batch; i++) l[i] = rnd.nextInt(10);
            label = Tensor.labels(new int[] {batch}, l);
        } else {
            double[] y = new double[batch];
            for (int i = 0; i < batch; i++) y[i] = rnd.nextGaussian();
            label = Tensor.of(new int[] {batch, 1}, y);
        }
        inputs = Map.of(m.inputs().get(0).name(), Tensor.of(xShape, xd), m.inputs().get(1).name(), label);
        session = new Session(m, 7, f32 ? Model.Precision.F32 : Model.Precision.F64);
    }

    @Benchmark
    public Object trainStep() throws Throwable {
        if (session != null) return session.trainStep(inputs);
        generated.trainStep.invokeExact();
        return generated.instance;
    }

    @Benchmark
    public Object infer() throws Throwable {
        if (session != null) return session.infer(inputs);
        generated.infer.invokeExact();
        return generated.instance;
    }
}
