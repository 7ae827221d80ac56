package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * "Steady-state calls allocate nothing": after warm-up, {@code infer}, {@code loss},
 * {@code gradients} and {@code trainStep} of the house-price and MNIST examples allocate no
 * bytes per call, in the positional form and in the named form ({@code Args}, with every array
 * at an offset into a longer one, so inputs are staged and outputs copied out, and unwanted
 * outputs). Calls go straight to the generated class through method handles bound once
 * to the instance and to every argument (LoadedModel would convert arrays on every call). The
 * bytes the thread allocates around 10 calls and around 100 calls must be the same: whatever
 * the measurement itself costs is in both, anything a call allocates is in one 90 times more.
 */
class AllocationTest {
    static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The generated classes, by example and precision. */
    static final Map<String, Generated> CLASSES = new LinkedHashMap<>();

    record Generated(Compiled compiled, JavaEmitter.Output output, Class<?> type) {}

    @BeforeAll
    static void compile() throws IOException {
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, Object[]> emitted = new LinkedHashMap<>();
        for (String example : List.of("house_prices", "mnist_mlp")) {
            Path file = Path.of("generated-examples", example + ".nn");
            Compiler.Result r = Compiler.compile(file);
            assertTrue(r.ok(), r::render);
            for (boolean f32 : new boolean[] {false, true}) {
                String precision = f32 ? "f32" : "f64";
                JavaEmitter.Output out = JavaEmitter.emit(r.compiled().get(0),
                        new JavaEmitter.Options("alloc." + precision, f32, file.getFileName().toString(), r.source()));
                sources.put(out.qualifiedName(), out.source());
                emitted.put(example + " " + precision, new Object[] {r.compiled().get(0), out});
            }
        }
        InMemoryJavac.Classes classes = InMemoryJavac.compile(sources);
        emitted.forEach((k, v) -> {
            JavaEmitter.Output out = (JavaEmitter.Output) v[1];
            CLASSES.put(k, new Generated((Compiled) v[0], out, classes.load(out.qualifiedName())));
        });
    }

    /** An instance and, per entry point, a handle with the instance and every argument bound: {@code ()V}. */
    static final class Calls {
        final Map<String, MethodHandle> entries = new LinkedHashMap<>();
    }

    /** Handles for every entry of {@code g}'s instance {@code instance}, with every runtime dim set to {@code dim}. */
    static Calls bind(Generated g, Object instance, int dim, boolean f32) throws ReflectiveOperationException {
        Model m = g.compiled().model();
        Map<String, Integer> dims = new LinkedHashMap<>();
        for (String d : m.dims()) dims.put(d, dim);
        Random rnd = new Random(dim);
        Calls calls = new Calls();
        for (Map.Entry<String, List<String>> entry : g.output().entries().entrySet()) {
            List<Class<?>> types = new ArrayList<>();
            List<Object> args = new ArrayList<>();
            for (String spec : entry.getValue()) {
                String kind = spec.substring(0, spec.indexOf(':')), name = spec.substring(spec.indexOf(':') + 1);
                if (kind.equals("dim")) {
                    types.add(int.class);
                    args.add(dims.get(name));
                    continue;
                }
                var node = kind.equals("input") ? m.input(name).node() : outputNode(g.compiled(), name);
                int n = node.shape().numel(dims);
                if (kind.equals("input") && m.input(name).isInt()) {
                    int[] labels = new int[n];
                    for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(10);
                    types.add(int[].class);
                    args.add(labels);
                } else if (f32) {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
                    types.add(float[].class);
                    args.add(a);
                } else {
                    double[] a = new double[n];
                    for (int i = 0; i < n; i++) a[i] = rnd.nextGaussian();
                    types.add(double[].class);
                    args.add(a);
                }
            }
            Class<?> returns = entry.getKey().equals("infer") ? void.class : f32 ? float.class : double.class;
            MethodHandle h = MethodHandles.publicLookup().findVirtual(g.type(), entry.getKey(), MethodType.methodType(returns, types))
                    .bindTo(instance);
            h = MethodHandles.insertArguments(h, 0, args.toArray()).asType(MethodType.methodType(void.class));
            calls.entries.put(entry.getKey(), h);
            // the named form, with every array at an offset into a longer one and only the first output wanted
            Class<?> holderType = java.util.Arrays.stream(g.type().getClasses()).filter(c -> c.getSimpleName().equals("Args"))
                    .findFirst().orElseThrow();
            Object holder = holderType.getConstructor().newInstance();
            boolean firstOutput = true;
            for (int i = 0; i < args.size(); i++) {
                String spec = entry.getValue().get(i);
                String kind = spec.substring(0, spec.indexOf(':')), name = spec.substring(spec.indexOf(':') + 1);
                if (kind.equals("dim")) {
                    holderType.getMethod(name, int.class).invoke(holder, args.get(i));
                } else if (!kind.equals("output") || firstOutput) {
                    firstOutput &= !kind.equals("output");
                    int length = java.lang.reflect.Array.getLength(args.get(i));
                    Object longer = java.lang.reflect.Array.newInstance(types.get(i).getComponentType(), length + 5);
                    System.arraycopy(args.get(i), 0, longer, 3, length);
                    holderType.getMethod(name, types.get(i), int.class).invoke(holder, longer, 3);
                }
            }
            MethodHandle named = MethodHandles.publicLookup().findVirtual(g.type(), entry.getKey(), MethodType.methodType(returns, holderType))
                    .bindTo(instance);
            calls.entries.put(entry.getKey() + "(Args)", MethodHandles.insertArguments(named, 0, holder).asType(MethodType.methodType(void.class)));
        }
        return calls;
    }

    private static dev.nnc.ir.Node outputNode(Compiled c, String name) {
        List<Model.Output> outs = c.model().outputs();
        for (int i = 0; i < outs.size(); i++) if (outs.get(i).name().equals(name)) return c.eval().outputs().get(i);
        throw new IllegalArgumentException(name);
    }

    /** The threads whose allocations count, besides the calling thread: a pool's, in the threads case. */
    static Thread[] others = new Thread[0];

    /** Bytes allocated so far by this thread and {@link #others}. */
    static long bytes() {
        long sum = THREADS.getCurrentThreadAllocatedBytes();
        for (Thread t : others) sum += THREADS.getThreadAllocatedBytes(t.getId());
        return sum;
    }

    /** Bytes this thread (and {@link #others}) allocate while calling {@code h} {@code times} times. */
    static long allocated(MethodHandle h, int times) throws Throwable {
        long before = bytes();
        for (int i = 0; i < times; i++) h.invokeExact();
        return bytes() - before;
    }

    /**
     * Calls every entry 150 times: buffers get sized, and each method handle passes the 127
     * calls after which the JDK specializes its form for it (a one-time allocation of the
     * calling thread, which must not land in a measurement). Whether the JIT has compiled the
     * kernels yet does not matter: interpreted or compiled, they allocate nothing.
     */
    static void warmUp(Calls calls) throws Throwable {
        for (MethodHandle h : calls.entries.values()) allocated(h, 150);
    }

    /** Asserts that calls of every entry allocate nothing per call. */
    static void assertSteady(Calls calls, String where) throws Throwable {
        for (Map.Entry<String, MethodHandle> e : calls.entries.entrySet()) {
            long ten = allocated(e.getValue(), 10), hundred = allocated(e.getValue(), 100);
            assertEquals(ten, hundred, where + ": " + e.getKey() + " allocated " + ten + " bytes in 10 calls and " + hundred
                    + " in 100, about " + (hundred - ten) / 90 + " per call");
        }
    }

    /** Whether no entry allocates per call (as {@link #assertSteady} checks). */
    static boolean steady(Calls calls) throws Throwable {
        for (MethodHandle h : calls.entries.values()) if (allocated(h, 10) != allocated(h, 100)) return false;
        return true;
    }

    static Object sink;

    static void allocates() {
        sink = new byte[16];
    }

    /** The measurement sees a small allocation per call (a 16-byte array that escapes to a static field). */
    @Test
    void theMeasurementSeesAnAllocationPerCall() throws Throwable {
        Calls calls = new Calls();
        calls.entries.put("allocates", MethodHandles.lookup().findStatic(AllocationTest.class, "allocates", MethodType.methodType(void.class)));
        warmUp(calls);
        AssertionError e = assertThrows(AssertionError.class, () -> assertSteady(calls, "control"));
        var perCall = java.util.regex.Pattern.compile("about (\\d+) per call").matcher(e.getMessage());
        assertTrue(perCall.find() && Integer.parseInt(perCall.group(1)) >= 16, e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}, {2} then {3}")
    @CsvSource({"house_prices, f32, 4, 16", "house_prices, f64, 4, 16", "mnist_mlp, f32, 2, 4", "mnist_mlp, f64, 2, 4"})
    void steadyStateCallsAllocateNothing(String example, String precision, int small, int large) throws Throwable {
        Generated g = CLASSES.get(example + " " + precision);
        boolean f32 = precision.equals("f32");
        Object instance = g.type().getConstructor(long.class).newInstance(1L);
        Calls smallCalls = bind(g, instance, small, f32), largeCalls = bind(g, instance, large, f32);
        assertEquals(List.of("infer", "infer(Args)", "loss", "loss(Args)", "gradients", "gradients(Args)", "trainStep", "trainStep(Args)",
                        "trainingPass", "trainingPass(Args)"),
                List.copyOf(smallCalls.entries.keySet()));

        warmUp(smallCalls);
        assertSteady(smallCalls, "batch " + small);

        // a larger batch grows the buffers, on the first call of each entry
        long grown = 0;
        for (MethodHandle h : largeCalls.entries.values()) grown += allocated(h, 1);
        assertTrue(grown > 0, "a batch of " + large + " after " + small + " grew nothing");
        warmUp(largeCalls);
        assertSteady(largeCalls, "batch " + large + " after " + small);

        // back to the small batch: the buffers are big enough; only gradients and trainingPass reallocate their input
        // gradients, which have the exact size of their input
        for (Map.Entry<String, MethodHandle> e : smallCalls.entries.entrySet()) {
            long first = allocated(e.getValue(), 1) - allocated(e.getValue(), 0);
            if (!e.getKey().startsWith("gradients") && !e.getKey().startsWith("trainingPass")) {
                assertEquals(0, first, e.getKey() + " allocated going back to batch " + small);
            }
        }
        assertSteady(smallCalls, "batch " + small + " after " + large);
    }

    /** A product of 256 × 256 × 256 multiply-adds, forward and backward: each splits over threads. */
    static final String WIDE = """
            model Wide {
                dim batch
                input x : [batch, 256]
                input y : [batch, 256]
                param w : [256, 256] init xavier_uniform
                output h = tanh(x @ w)
                loss = mse(h, y)
                optimizer sgd(lr = 0.01)
            }
            """;

    /**
     * With {@code setThreads(3)}, every entry of a vector class whose products split (batch 256)
     * allocates nothing per call, on the calling thread and on the pool's two threads (before
     * the pool reused its threads and tasks, about 325 bytes per split product). Vector code
     * allocates until C2 has compiled it (the Vector API's operations are objects in the
     * interpreter and C1), so warm-up goes on until no call allocates, for at most 120 s; then
     * the same check as above.
     */
    @Test
    void steadyStateCallsAllocateNothingWithThreads() throws Throwable {
        Compiler.Result r = Compiler.compile("wide.nn", WIDE);
        assertTrue(r.ok(), r::render);
        JavaEmitter.Output out = JavaEmitter.emit(r.compiled().get(0),
                new JavaEmitter.Options("alloc.threads", true, "wide.nn", WIDE, JavaEmitter.Backend.VECTOR));
        Generated g = new Generated(r.compiled().get(0), out, InMemoryJavac.compile(out.qualifiedName(), out.source()).load(out.qualifiedName()));
        Object instance = g.type().getConstructor(long.class).newInstance(1L);
        g.type().getMethod("setThreads", int.class).invoke(instance, 3);
        Calls calls = bind(g, instance, 256, true);
        java.lang.reflect.Field pool = g.type().getDeclaredField("pool$");
        pool.setAccessible(true);
        java.lang.reflect.Field workers = pool.getType().getDeclaredField("workers");
        workers.setAccessible(true);
        others = (Thread[]) workers.get(pool.get(instance));
        try {
            assertEquals(2, others.length);
            warmUp(calls);
            for (long end = System.nanoTime() + 120_000_000_000L; !steady(calls) && System.nanoTime() < end; ) warmUp(calls);
            assertSteady(calls, "setThreads(3), batch 256");
        } finally {
            others = new Thread[0];
            g.type().getMethod("setThreads", int.class).invoke(instance, 1);
        }
    }
}
