package dev.nnc.bench;

import dev.nnc.Compiler;
import dev.nnc.codegen.InMemoryJavac;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * One workload of PERFORMANCE.md ({@code w1:64}: W1 house at batch 64; {@code w2:256},
 * {@code w2:1}, {@code w3:1}, {@code w4:64} LeNet-5, {@code w5:16} the ResNet block) on a generated class: {@code bench/models/*.nn} compiled by nnc for
 * a backend and precision, compiled by javac in memory, with random inputs, and its
 * {@code trainStep} and {@code infer} as method handles bound to the instance and the inputs
 * (type {@code ()V}, so that no loss is boxed: a few ns per call once compiled). Shared by {@link WorkloadsBench}
 * (JMH) and {@link AppLoop} (an application's plain loop in a fresh JVM).
 *
 * <p>Besides, two examples of the language's version 2 with any inputs, called through their
 * {@code Args} forms ({@link #named}): {@code lm:BxS} (char_lm.nn, batch B, sequence S) and
 * {@code tab:B} (tabular_embeddings.nn); {@code w6:B} is bench/models/w6_block.nn at batch B and sequence 128; {@code attn:1024} W6's attention alone at sequence 1024. And the products of bench/models/batched_matmul.nn
 * ({@code bmm:batched}, {@code bmm:stacked}, {@code bmm:single}; see {@link BatchedMatmulBench}; and
 * {@code bmm:separate}, model {@code Single} in 32 instances, each with arrays of its own, called in turn: the work of
 * one batched product over as much memory),
 * whose models have no optimizer: their {@code trainStep} is null and {@link #gradients} computes
 * the loss's gradients.
 */
public final class Workload {
    /** The workload as named on the command line, e.g. {@code w1:64}. */
    public final String name;
    public final int batch;
    public final Compiled compiled;
    /** The generated class, its bytecode (by binary name) and the instance the handles call. */
    public final Class<?> type;
    public final Map<String, byte[]> bytecode;
    public final Object instance;
    /**
     * {@code trainStep}, {@code infer} and {@code gradients} with every argument bound, their results
     * dropped: {@code ()V}; null where the model has no such entry.
     */
    public final MethodHandle trainStep, infer, gradients;

    private Workload(String name, int batch, Compiled compiled, Class<?> type, Map<String, byte[]> bytecode, Object instance,
                     MethodHandle trainStep, MethodHandle infer, MethodHandle gradients) {
        this.name = name;
        this.batch = batch;
        this.compiled = compiled;
        this.type = type;
        this.bytecode = bytecode;
        this.instance = instance;
        this.trainStep = trainStep;
        this.infer = infer;
        this.gradients = gradients;
    }

    /** The model file of workload {@code w1} … {@code w5}, {@code bn} (the batch-norm example), {@code lm} or {@code tab}. */
    public static Path modelFile(String workload) {
        String name = workload.substring(0, workload.indexOf(':'));
        return switch (name) {
            case "w1" -> Path.of("bench/models/w1_house.nn");
            case "w2" -> Path.of("bench/models/w2_mnist.nn");
            case "w3" -> Path.of("bench/models/w3_tiny.nn");
            case "w4" -> Path.of("bench/models/w4_lenet.nn");
            case "w5" -> Path.of("bench/models/w5_resnet.nn");
            case "bn" -> Path.of("generated-examples/batchnorm_mlp.nn");
            case "lm" -> Path.of("generated-examples/char_lm.nn");
            case "w6" -> Path.of("bench/models/w6_block.nn");
            case "tab" -> Path.of("generated-examples/tabular_embeddings.nn");
            default -> throw new IllegalArgumentException("unknown workload " + workload + " (w1:64, w2:256, w2:1, w3:1, w4:64, w5:16, w6:8, bn:64, lm:8x32, tab:64)");
        };
    }

    /**
     * Workload {@code workload} ({@code name:batch}) generated for {@code backend} in f32 or f64
     * ({@code f32}), its products split over {@code threads} threads (the vector backend's
     * {@code setThreads}; 1 for the default).
     */
    public static Workload create(String workload, JavaEmitter.Backend backend, boolean f32, int threads) throws Throwable {
        return make(workload, backend, f32, threads, null);
    }

    /**
     * A new instance of the same generated class (the same compiled code), with arrays of its own
     * and inputs drawn as this one's (the same values in new arrays): the same work at other
     * addresses. {@link AppLoop}'s {@code --instances} times several in one JVM, to tell a spread
     * across JVMs that follows where an instance's arrays lie from one that follows the JVM.
     */
    public Workload another() throws Throwable {
        return make(recipe.workload, recipe.backend, recipe.f32, recipe.threads, type);
    }

    /** What {@link #create} made this from. */
    private record Recipe(String workload, JavaEmitter.Backend backend, boolean f32, int threads) {}

    /** Set by {@link #make}. */
    private Recipe recipe;

    /** {@code name} from {@code classes} in a fresh class loader, or {@code reuse} (the class {@link #another} binds to) if not null. */
    private static Class<?> load(InMemoryJavac.Classes classes, String name, Class<?> reuse) {
        if (reuse == null) return classes.load(name);
        if (!reuse.getName().equals(name)) throw new IllegalStateException(name + " is not " + reuse.getName());
        return reuse;
    }

    /** {@link #create}, on generated class {@code reuse} if not null. */
    private static Workload make(String workload, JavaEmitter.Backend backend, boolean f32, int threads, Class<?> reuse) throws Throwable {
        Workload w = bind(workload, backend, f32, threads, reuse);
        w.recipe = new Recipe(workload, backend, f32, threads);
        return w;
    }

    private static Workload bind(String workload, JavaEmitter.Backend backend, boolean f32, int threads, Class<?> reuse) throws Throwable {
        if (workload.startsWith("lm:") || workload.startsWith("tab:")) return named(workload, backend, f32, threads, reuse);
        // W6: the encoder block at batch B and PERFORMANCE.md's sequence of 128 (bench/peers.py's W6)
        if (workload.startsWith("w6:")) return named(workload + "x128", backend, f32, threads, reuse);
        if (workload.startsWith("bmm:") || workload.startsWith("attn:")) return products(workload, backend, f32, threads, reuse);
        int batch = Integer.parseInt(workload.substring(workload.indexOf(':') + 1));
        Source src = source(workload, backend, f32);
        Compiled c = src.compiled();
        JavaEmitter.Output out = src.output();
        InMemoryJavac.Classes classes = ClassCache.compile(out.qualifiedName(), out.source());
        Class<?> type = load(classes, out.qualifiedName(), reuse);
        Object inst = instance(type, threads);

        Model m = c.model();
        Random rnd = new Random(1);
        // the first input [batch, …] holds the features (an image of W4, W5: every axis after the batch)
        int features = (int) m.inputs().get(0).node().shape().staticProduct();
        int outs = (int) c.eval().outputs().get(0).shape().last(1).size();
        Object x = array(f32, batch * features, rnd);
        Object y;
        Class<?> yType;
        if (m.inputs().get(1).isInt()) {
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) labels[i] = rnd.nextInt(outs);
            y = labels;
            yType = int[].class;
        } else {
            y = array(f32, batch, rnd);
            yType = f32 ? float[].class : double[].class;
        }
        Class<?> arr = f32 ? float[].class : double[].class;
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle train = lookup.findVirtual(type, "trainStep", MethodType.methodType(f32 ? float.class : double.class, int.class, arr, yType));
        MethodHandle infer = lookup.findVirtual(type, "infer", MethodType.methodType(void.class, int.class, arr, arr));
        MethodType call = MethodType.methodType(void.class);
        return new Workload(workload, batch, c, type, classes.bytecode(), inst,
                MethodHandles.insertArguments(train.bindTo(inst), 0, batch, x, y).asType(call),
                MethodHandles.insertArguments(infer.bindTo(inst), 0, batch, x, array(f32, batch * outs, rnd)).asType(call), null);
    }

    /**
     * Model {@code Batched}, {@code Stacked} or {@code Single} of bench/models/batched_matmul.nn
     * ({@code bmm:batched}, …; {@code bmm:separate}: {@code Single} in {@link #SEPARATE} instances), or {@code attn:1024} (bench/models/attn_1024.nn, W6's causal
     * attention alone at sequence 1024): {@code infer} computes the output, {@code gradients} the
     * gradients of {@code sum(y * t)} for the params (forward and backward); no {@code trainStep}
     * (the models have no optimizer).
     */
    private static Workload products(String workload, JavaEmitter.Backend backend, boolean f32, int threads, Class<?> reuse) throws Throwable {
        String which = workload.substring(workload.indexOf(':') + 1);
        boolean attn = workload.startsWith("attn:");
        if (attn ? !which.equals("1024") : !java.util.List.of("batched", "stacked", "single", "separate").contains(which)) {
            throw new IllegalArgumentException("unknown workload " + workload + " (bmm:batched, bmm:stacked, bmm:single, bmm:separate, attn:1024)");
        }
        // bmm:separate: model Single, one instance (its own arrays) per batch of Batched, called in turn
        int instances = which.equals("separate") ? SEPARATE : 1;
        if (which.equals("separate")) which = "single";
        Path file = Path.of(attn ? "bench/models/attn_1024.nn" : "bench/models/batched_matmul.nn");
        Compiler.Result r = Compiler.compile(file);
        if (!r.ok()) throw new IllegalStateException(r.render());
        Compiled c = attn ? r.compiled().get(0) : r.model(Character.toUpperCase(which.charAt(0)) + which.substring(1));
        String pkg = (attn ? "attn.s" : "bmm.") + which + "." + backend.name().toLowerCase() + "." + (f32 ? "f32" : "f64");
        JavaEmitter.Output out = JavaEmitter.emit(c, new JavaEmitter.Options(pkg, f32, file.getFileName().toString(), r.source(), backend));
        InMemoryJavac.Classes classes = ClassCache.compile(out.qualifiedName(), out.source());
        Class<?> type = load(classes, out.qualifiedName(), reuse);
        Random rnd = new Random(1);
        int n = (int) c.eval().outputs().get(0).shape().numel().eval(Map.of());
        Class<?> arr = f32 ? float[].class : double[].class;
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType call = MethodType.methodType(void.class);
        MethodHandle infer = lookup.findVirtual(type, "infer", MethodType.methodType(void.class, arr));
        MethodHandle gradients = lookup.findVirtual(type, "gradients", MethodType.methodType(f32 ? float.class : double.class, arr));
        Object[] insts = new Object[instances];
        MethodHandle[] infers = new MethodHandle[instances], grads = new MethodHandle[instances];
        for (int i = 0; i < instances; i++) {
            insts[i] = instance(type, threads);
            infers[i] = infer.bindTo(insts[i]).bindTo(array(f32, n, rnd)).asType(call);
            grads[i] = gradients.bindTo(insts[i]).bindTo(array(f32, n, rnd)).asType(call);
        }
        if (instances == 1) return new Workload(workload, 1, c, type, classes.bytecode(), insts[0], null, infers[0], grads[0]);
        MethodHandle all = MethodHandles.lookup().findStatic(Workload.class, "callAll", MethodType.methodType(void.class, MethodHandle[].class));
        return new Workload(workload, 1, c, type, classes.bytecode(), insts[0], null, all.bindTo(infers), all.bindTo(grads));
    }

    /** The instances of {@code bmm:separate}: one per batch of model {@code Batched} (8 × 4). */
    static final int SEPARATE = 32;

    /** Calls each of {@code calls} once, in order. */
    private static void callAll(MethodHandle[] calls) throws Throwable {
        for (MethodHandle h : calls) h.invokeExact();
    }

    /** A workload's model, compiled by nnc, and its generated class. */
    record Source(Compiled compiled, JavaEmitter.Output output) {}

    /** The generated class of {@code workload}'s model (its batch does not matter) for {@code backend}, in f32 or f64. */
    static Source source(String workload, JavaEmitter.Backend backend, boolean f32) throws java.io.IOException {
        Path file = modelFile(workload);
        Compiler.Result r = Compiler.compile(file);
        if (!r.ok()) throw new IllegalStateException(r.render());
        Compiled c = r.compiled().get(0);
        String pkg = workload.substring(0, workload.indexOf(':')) + "." + backend.name().toLowerCase() + "." + (f32 ? "f32" : "f64");
        return new Source(c, JavaEmitter.emit(c, new JavaEmitter.Options(pkg, f32, file.getFileName().toString(), r.source(), backend)));
    }

    /**
     * A workload whose dims ({@code name:D1xD2…}, in the model's order) and inputs are set on the
     * generated class's {@code Args}: real inputs normal, int inputs (ids, labels) below 10, valid
     * for every table and class count of these models; {@code infer} takes every output.
     */
    private static Workload named(String workload, JavaEmitter.Backend backend, boolean f32, int threads, Class<?> reuse) throws Throwable {
        String[] sizes = workload.substring(workload.indexOf(':') + 1).split("x");
        Source src = source(workload, backend, f32);
        Compiled c = src.compiled();
        Model m = c.model();
        if (sizes.length != m.dims().size()) throw new IllegalArgumentException(workload + ": dims " + m.dims());
        JavaEmitter.Output out = src.output();
        InMemoryJavac.Classes classes = ClassCache.compile(out.qualifiedName(), out.source());
        Class<?> type = load(classes, out.qualifiedName(), reuse);
        Object inst = instance(type, threads);

        Class<?> argsType = Class.forName(out.qualifiedName() + "$Args", true, type.getClassLoader());
        Object args = argsType.getConstructor().newInstance();
        Map<String, Integer> dims = new HashMap<>();
        for (int i = 0; i < sizes.length; i++) {
            dims.put(m.dims().get(i), Integer.parseInt(sizes[i]));
            argsType.getMethod(m.dims().get(i), int.class).invoke(args, Integer.parseInt(sizes[i]));
        }
        Random rnd = new Random(1);
        for (Model.Input in : m.inputs()) {
            int n = (int) in.node().shape().numel().eval(dims);
            if (in.isInt()) {
                int[] ids = new int[n];
                for (int i = 0; i < n; i++) ids[i] = rnd.nextInt(10);
                argsType.getMethod(in.name(), int[].class).invoke(args, ids);
            } else {
                Object a = array(f32, n, rnd);
                argsType.getMethod(in.name(), a.getClass()).invoke(args, a);
            }
        }
        for (int o = 0; o < m.outputs().size(); o++) {
            Object a = array(f32, (int) c.eval().outputs().get(o).shape().numel().eval(dims), rnd);
            argsType.getMethod(m.outputs().get(o).name(), a.getClass()).invoke(args, a);
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType call = MethodType.methodType(void.class);
        MethodHandle train = lookup.findVirtual(type, "trainStep", MethodType.methodType(f32 ? float.class : double.class, argsType));
        MethodHandle infer = lookup.findVirtual(type, "infer", MethodType.methodType(void.class, argsType));
        return new Workload(workload, Integer.parseInt(sizes[0]), c, type, classes.bytecode(), inst,
                train.bindTo(inst).bindTo(args).asType(call), infer.bindTo(inst).bindTo(args).asType(call), null);
    }

    /** An instance of generated class {@code type} (seed 7), its products split over {@code threads} threads. */
    private static Object instance(Class<?> type, int threads) throws ReflectiveOperationException {
        Object inst = type.getConstructor(long.class).newInstance(7L);
        if (threads != 1) type.getMethod("setThreads", int.class).invoke(inst, threads);
        return inst;
    }

    private static Object array(boolean f32, int n, Random rnd) {
        if (f32) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
            return a;
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextGaussian();
        return a;
    }
}
