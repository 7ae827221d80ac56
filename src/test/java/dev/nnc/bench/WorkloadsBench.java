package dev.nnc.bench;

import dev.nnc.Compiler;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.codegen.LoadedModel;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * The workloads of PERFORMANCE.md (W1 house 64, W2 MNIST 256 and 1, W3 tiny 1, W4 LeNet-5 64, W5
 * ResNet block 16) on generated code (each backend and precision) and on the interpreter. Generated classes are compiled in
 * memory at setup and called through exact method handles (a few ns per call).
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

    int batch;
    Object[] trainArgs, inferArgs;
    MethodHandle trainStep, infer;
    Session session;
    Map<String, Tensor> inputs;

    @Setup
    public void setup() throws Throwable {
        String name = workload.substring(0, workload.indexOf(':'));
        batch = Integer.parseInt(workload.substring(workload.indexOf(':') + 1));
        Path file = Path.of("bench/models", switch (name) {
            case "w1" -> "w1_house.nn";
            case "w2" -> "w2_mnist.nn";
            case "w3" -> "w3_tiny.nn";
            case "w4" -> "w4_lenet.nn";
            case "w5" -> "w5_resnet.nn";
            default -> throw new IllegalArgumentException("no workload " + name);
        });
        Compiler.Result r = Compiler.compile(file);
        Compiled c = r.compiled().get(0);
        Model m = c.model();
        boolean f32 = precision.equals("f32");
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
        if (engine.equals("interp")) {
            session = new Session(m, 7, f32 ? Model.Precision.F32 : Model.Precision.F64);
            return;
        }
        JavaEmitter.Backend backend = engine.equals("vector") ? JavaEmitter.Backend.VECTOR : JavaEmitter.Backend.SCALAR;
        LoadedModel lm = LoadedModel.load(c, f32, 7, file.getFileName().toString(), r.source(), backend);
        Object inst = lm.instance();
        if (threads != 1) inst.getClass().getMethod("setThreads", int.class).invoke(inst, threads);
        Class<?> arr = f32 ? float[].class : double[].class;
        Object x = f32 ? toFloat(xd) : xd;
        Object y = label.isInt() ? toInt(label.data()) : (f32 ? toFloat(label.data()) : label.data().clone());
        Class<?> yType = label.isInt() ? int[].class : arr;
        Class<?> ret = f32 ? float.class : double.class;
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        trainStep = lookup.findVirtual(inst.getClass(), "trainStep", MethodType.methodType(ret, int.class, arr, yType)).bindTo(inst)
                .asType(MethodType.methodType(Object.class, int.class, Object.class, Object.class));
        int outs = batch * (int) c.eval().outputs().get(0).shape().last(1).size();
        Object out = f32 ? new float[outs] : new double[outs];
        infer = lookup.findVirtual(inst.getClass(), "infer", MethodType.methodType(void.class, int.class, arr, arr)).bindTo(inst)
                .asType(MethodType.methodType(void.class, int.class, Object.class, Object.class));
        trainArgs = new Object[] {x, y};
        inferArgs = new Object[] {x, out};
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static int[] toInt(double[] d) {
        int[] v = new int[d.length];
        for (int i = 0; i < d.length; i++) v[i] = (int) d[i];
        return v;
    }

    @Benchmark
    public Object trainStep() throws Throwable {
        if (session != null) return session.trainStep(inputs);
        return (Object) trainStep.invokeExact(batch, trainArgs[0], trainArgs[1]);
    }

    @Benchmark
    public Object infer() throws Throwable {
        if (session != null) return session.infer(inputs);
        infer.invokeExact(batch, inferArgs[0], inferArgs[1]);
        return inferArgs[1];
    }
}
