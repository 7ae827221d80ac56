package dev.nnc.codegen;

import static dev.nnc.codegen.ExamplesAgreeTest.randomInputs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Interpreter;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code setThreads}: products split over threads give bit for bit the results of one thread
 * (outputs, loss, gradients, parameters after train steps). Batches 100 and 257 split the first
 * layer's product and its weight gradient (at least 48 rows and 2^24 multiply-adds) unevenly;
 * 1, 47 and 48 stay below and run on one thread. Both backends have the method (the scalar one
 * records the count) and refuse bad counts.
 */
class ThreadsTest {
    static final String MODEL = """
            model Split {
                dim batch
                input x : [batch, 640]
                input label : int[batch]
                param w1 : [640, 320] init he_uniform
                param b1 : [320]
                param w2 : [320, 70] init xavier_uniform
                param b2 : [70]
                param w3 : [70, 10] init xavier_uniform
                h = dropout(relu(x @ w1 + b1), p = 0.1)
                g = tanh(h @ w2 + b2)
                output logits = g @ w3
                loss = cross_entropy(logits, label)
                optimizer adam(lr = 0.01)
            }
            """;

    private static void setThreads(LoadedModel m, int n) {
        try {
            m.instance().getClass().getMethod("setThreads", int.class).invoke(m.instance(), n);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new AssertionError(e);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 47, 48, 100, 257})
    void threadsGiveTheResultsOfOneThreadBitForBit(int batch) {
        assertSameResults("split.nn", MODEL, batch);
    }

    /**
     * {@code A·Bᵀ} products that split (h's gradient {@code dg·w2ᵀ}: 512 columns, 384 shared, at
     * least 2^24 multiply-adds from 86 rows): each thread packs the panels of w2ᵀ into its own
     * scratch; chunks of 36 and of fewer than {@value VectorPanels#DOT_MAX_ROWS} rows (batch 90
     * over three threads gives 36, 36, 18) still take the panels, as the whole product does.
     */
    static final String TRANSPOSED = """
            model TransposedSplit {
                dim batch
                input x : [batch, 64]
                input label : int[batch]
                param w1 : [64, 512] init he_uniform
                param w2 : [512, 384] init xavier_uniform
                param w3 : [384, 10] init xavier_uniform
                h = relu(x @ w1)
                g = tanh(h @ w2)
                output logits = g @ w3
                loss = cross_entropy(logits, label)
                optimizer adam(lr = 0.01)
            }
            """;

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {90, 257})
    void transposedProductsSplitOverThreadsGiveTheResultsOfOneThreadBitForBit(int batch) {
        String source = assertSameResults("transposed_split.nn", TRANSPOSED, batch);
        assertTrue(source.contains("if (M < " + VectorPanels.DOT_MAX_ROWS + ")"), "A·Bᵀ kernel with panels");
    }

    /**
     * Convolutions large enough to split (issue 15's vector kernels, each with its own rows): a
     * strided convolution's forward by (image, output row) pairs, whose chunks end inside an image
     * (22 rows per image); a stride-1 convolution's forward over the padded input and its input
     * gradient by images; its weight gradient by output channels (64; the first convolution's 32 are
     * too few to split). Each has about 2^24 multiply-adds at batch 8, so batch 2 splits none of
     * them, 8 and 11 split each, unevenly.
     */
    static final String CONV = """
            model ConvSplit {
                dim batch
                input x : [batch, 16, 44, 44]
                input label : int[batch]
                param w1 : [32, 16, 3, 3] init he_uniform
                param b1 : [32]
                param w2 : [64, 32, 3, 3] init he_uniform
                param w3 : [1600, 10] init xavier_uniform
                h = max_pool2d(relu(conv2d(x, w1, b1, stride = 2, padding = 1)), 2)
                g = max_pool2d(tanh(conv2d(h, w2, padding = 1)), 2)
                output logits = reshape(g, [batch, 1600]) @ w3
                loss = cross_entropy(logits, label)
                optimizer adam(lr = 0.01)
            }
            """;

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {2, 8, 11})
    void convolutionsSplitOverThreadsGiveTheResultsOfOneThreadBitForBit(int batch) {
        String source = assertSameResults("conv_split.nn", CONV, batch);
        // a task per conv kernel (those with the tile scratch): both forwards (each in two entries), the input gradients of
        // x and h, both weight gradients; in f64 some products split too
        assertEquals(7, java.util.regex.Pattern.compile("split\\$\\d+ = \\(.*scratch\\$tiles").matcher(source).results().count(), "split tasks");
    }

    /**
     * A stride-1 weight gradient read in place from the padded input ({@link ConvPadded#weightGrad}
     * with the window register block {@code ws$5}, two output positions a step: kernels 5 wide, 16 output channels
     * per group), split over threads by output channels: 64 of them, in 4 groups, so chunks start
     * inside a group. About 2^22 multiply-adds per image: batch 2 splits nothing, 8 and 11 split it
     * unevenly.
     */
    static final String CONV_WINDOW = """
            model ConvWindowSplit {
                dim batch
                input x : [batch, 16, 24, 24]
                input label : int[batch]
                param w1 : [64, 4, 5, 5] init he_uniform
                param b1 : [64]
                param w2 : [2304, 10] init xavier_uniform
                h = max_pool2d(relu(conv2d(x, w1, b1, padding = 2, groups = 4)), 4)
                output logits = reshape(h, [batch, 2304]) @ w2
                loss = cross_entropy(logits, label)
                optimizer sgd(lr = 0.01)
            }
            """;

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {2, 8, 11})
    void windowWeightGradientsSplitOverThreadsGiveTheResultsOfOneThreadBitForBit(int batch) {
        String source = assertSameResults("conv_window_split.nn", CONV_WINDOW, batch);
        java.util.regex.Matcher task = java.util.regex.Pattern.compile("split\\$\\d+ = \\(.*Simd\\$\\.(k\\$\\d+)\\(grad\\$w1,").matcher(source);
        assertTrue(task.find(), "the weight gradient of w1 is a split task");
        int body = source.indexOf("void " + task.group(1) + "(");
        int end = source.indexOf("private static void", body + 1);
        assertTrue(source.substring(body, end).contains("ws$5("), "that task runs the window register blocks");
    }

    /**
     * Attention's blocked kernels (4 query rows, or key rows for dK and dV, at a time, the other
     * side transposed per batch): rows split over threads start inside a block and inside a batch
     * (4 heads of 128 rows, 2^13 multiply-adds per row), so a row's result must not depend on the
     * block it was computed in. Batch 2 splits none (2^22 multiply-adds per kernel), 5 splits each
     * unevenly.
     */
    static final String ATTENTION = """
            model AttnSplit {
                dim batch
                input x : [batch, 4, 128, 32]
                input label : int[batch]
                param wq : [32, 32] init xavier_uniform
                param wv : [32, 32] init xavier_uniform
                param w : [32, 10] init xavier_uniform
                o = scaled_dot_product_attention(x @ wq, x, x @ wv, causal = true)
                output logits = mean(o, axis = [1, 2]) @ w
                loss = cross_entropy(logits, label)
                optimizer adam(lr = 0.01)
            }
            """;

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {2, 5})
    void attentionSplitOverThreadsGivesTheResultsOfOneThreadBitForBit(int batch) {
        String source = assertSameResults("attn_split.nn", ATTENTION, batch);
        // a task per blocked kernel: the forward (in infer and in training), the log-sum-exp, dQ, dK, dV
        assertEquals(6, java.util.regex.Pattern.compile("split\\$\\d+ = \\(.*scratch\\$attnTs").matcher(source).results().count(), "split tasks");
    }

    /** A model's generated vector class in f32 and f64, compiled once for all its batches. */
    private record Generated(Compiled compiled, JavaEmitter.Output[] outputs, Class<?>[] classes) {}

    /** By model source. */
    private static final Map<String, Generated> GENERATED = new java.util.concurrent.ConcurrentHashMap<>();

    private static Generated generate(String name, String source) {
        Compiler.Result r = Compiler.compile(name, source);
        assertTrue(r.ok(), r.render());
        Compiled c = r.compiled().get(0);
        JavaEmitter.Output[] outs = new JavaEmitter.Output[2];
        Class<?>[] classes = new Class<?>[2];
        for (int i = 0; i < 2; i++) {
            outs[i] = JavaEmitter.emit(c, new JavaEmitter.Options(null, i == 0, name, source, JavaEmitter.Backend.VECTOR));
            classes[i] = InMemoryJavac.compile(outs[i].qualifiedName(), outs[i].source()).load(outs[i].qualifiedName());
        }
        return new Generated(c, outs, classes);
    }

    /**
     * The vector class of {@code source} with one thread and with three: the same outputs, loss,
     * gradients, train steps and parameters, bit for bit, in f32 and f64. Returns the (f64) class's source.
     */
    private static String assertSameResults(String name, String source, int batch) {
        String generated = null;
        Generated g = GENERATED.computeIfAbsent(source, s -> generate(name, s));
        Compiled c = g.compiled();
        Model model = c.model();
        for (boolean f32 : new boolean[] {true, false}) {
            JavaEmitter.Output out = g.outputs()[f32 ? 0 : 1];
            generated = out.source();
            Class<?> cls = g.classes()[f32 ? 0 : 1];
            LoadedModel one = LoadedModel.of(c, out, cls, f32, 5);
            LoadedModel three = LoadedModel.of(c, out, cls, f32, 5);
            setThreads(three, 3);
            Map<String, Tensor> in = randomInputs(model, batch, 9);
            Map<String, Integer> dims = Interpreter.bindDims(model, in);
            assertArrayEquals(one.infer(in, dims).get("logits").data(), three.infer(in, dims).get("logits").data(), "infer");
            assertEquals(one.gradients(in, dims), three.gradients(in, dims), "loss");
            for (Model.Param p : model.params()) assertArrayEquals(one.gradient(p.name()), three.gradient(p.name()), "grad " + p.name());
            for (int step = 0; step < 3; step++) assertEquals(one.trainStep(in, dims), three.trainStep(in, dims), "trainStep " + step);
            for (Model.Param p : model.params()) assertArrayEquals(one.parameter(p.name()), three.parameter(p.name()), p.name());
            setThreads(three, 1);
            assertEquals(one.trainStep(in, dims), three.trainStep(in, dims), "back to one thread");
        }
        return generated;
    }

    @org.junit.jupiter.api.Test
    void bothBackendsHaveSetThreadsAndRefuseBadCounts() throws ReflectiveOperationException {
        Compiler.Result r = Compiler.compile("split.nn", MODEL);
        Compiled c = r.compiled().get(0);
        for (JavaEmitter.Backend b : JavaEmitter.Backend.values()) {
            LoadedModel m = LoadedModel.load(c, true, 5, "split.nn", MODEL, b);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> setThreads(m, 0));
            assertEquals("threads must be at least 1, got 0", e.getMessage());
            setThreads(m, 3);
            assertEquals(3, m.instance().getClass().getMethod("threads").invoke(m.instance()), b.toString());
        }
        // a scalar class records the count and computes on the calling thread: the same results as with one thread
        Map<String, Tensor> in = randomInputs(c.model(), 100, 9);
        Map<String, Integer> dims = Interpreter.bindDims(c.model(), in);
        LoadedModel one = LoadedModel.load(c, true, 5, "split.nn", MODEL, JavaEmitter.Backend.SCALAR);
        LoadedModel three = LoadedModel.load(c, true, 5, "split.nn", MODEL, JavaEmitter.Backend.SCALAR);
        setThreads(three, 3);
        assertEquals(one.trainStep(in, dims), three.trainStep(in, dims));
        assertArrayEquals(one.parameter("w1"), three.parameter("w1"));
    }

    /** The instance's pool threads (its private {@code pool$}), none without one; each must be a daemon named nnc-Split. */
    private static java.util.Set<Thread> poolThreads(Object instance) throws ReflectiveOperationException {
        java.lang.reflect.Field field = instance.getClass().getDeclaredField("pool$");
        field.setAccessible(true);
        Object pool = field.get(instance);
        if (pool == null) return java.util.Set.of();
        java.lang.reflect.Field workers = pool.getClass().getDeclaredField("workers");
        workers.setAccessible(true);
        java.util.Set<Thread> out = java.util.Set.of((Thread[]) workers.get(pool));
        for (Thread t : out) assertTrue(t.isDaemon() && t.getName().equals("nnc-Split") && t.isAlive(), t.toString());
        return out;
    }

    private static void awaitEnd(java.util.Set<Thread> threads, String what) throws InterruptedException {
        for (Thread t : threads) t.join(10_000);
        for (Thread t : threads) assertTrue(!t.isAlive(), what + ": " + t + " still runs");
    }

    /**
     * The pool itself, through the private {@code rows$} and a task of the test's own: every chunk
     * runs once, the first on the calling thread and the others on daemon threads; a failure on a
     * pool thread reaches the caller (the caller's own first if both fail), and the pool works on
     * after it.
     */
    @org.junit.jupiter.api.Test
    void chunksRunOnThePoolAndFailuresReachTheCaller() throws Exception {
        Compiled c = Compiler.compile("split.nn", MODEL).compiled().get(0);
        Object instance = LoadedModel.load(c, true, 5, "split.nn", MODEL, JavaEmitter.Backend.VECTOR).instance();
        Class<?> type = instance.getClass();
        Class<?> rows = java.util.Arrays.stream(type.getDeclaredClasses()).filter(k -> k.getSimpleName().equals("Rows$")).findFirst().orElseThrow();
        java.lang.reflect.Method rows$ = type.getDeclaredMethod("rows$", int.class, rows);
        rows$.setAccessible(true);
        type.getMethod("setThreads", int.class).invoke(instance, 3);
        Thread caller = Thread.currentThread();
        Map<Integer, String> chunks = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Integer, Thread> ranOn = new java.util.concurrent.ConcurrentHashMap<>();
        int[] failOn = {-1, -1};
        RuntimeException[] thrown = new RuntimeException[3];
        Object task = java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {rows}, (proxy, method, a) -> {
            int worker = (Integer) a[0];
            assertEquals(null, chunks.put(worker, a[1] + ".." + a[2]), "chunk " + worker + " ran twice");
            ranOn.put(worker, Thread.currentThread());
            if (worker == failOn[0] || worker == failOn[1]) throw thrown[worker];
            return null;
        });
        for (int i = 0; i < 3; i++) thrown[i] = new IllegalStateException("chunk " + i);

        // 120 rows over 3 threads: chunks of whole blocks of 12 rows
        rows$.invoke(instance, 120, task);
        assertEquals(Map.of(0, "0..48", 1, "48..96", 2, "96..120"), chunks);
        assertEquals(caller, ranOn.get(0));
        assertEquals(poolThreads(instance), java.util.Set.of(ranOn.get(1), ranOn.get(2)), "workers 1 and 2 on the pool's threads");

        failOn[0] = 2;
        chunks.clear();
        var e = assertThrows(InvocationTargetException.class, () -> rows$.invoke(instance, 120, task));
        assertTrue(e.getCause() == thrown[2], "a pool thread's failure: " + e.getCause());
        assertEquals(3, chunks.size(), "every chunk ran");

        failOn[1] = 0;
        chunks.clear();
        e = assertThrows(InvocationTargetException.class, () -> rows$.invoke(instance, 120, task));
        assertTrue(e.getCause() == thrown[0], "the caller's own failure first: " + e.getCause());

        failOn[0] = failOn[1] = -1;
        chunks.clear();
        rows$.invoke(instance, 40, task);
        assertEquals(Map.of(0, "0..24", 1, "24..40"), chunks, "40 rows: two chunks, the third thread has none");
    }

    /**
     * {@code setThreads(1)} ends the pool's threads, a new count replaces them, and an instance
     * dropped with threads on does not keep them: they hold it only weakly and end once it is
     * garbage collected.
     */
    @org.junit.jupiter.api.Test
    void poolThreadsEndWithSetThreadsOneAndWithTheInstance() throws Exception {
        Compiled c = Compiler.compile("split.nn", MODEL).compiled().get(0);
        Map<String, Tensor> in = randomInputs(c.model(), 100, 9);
        Map<String, Integer> dims = Interpreter.bindDims(c.model(), in);
        LoadedModel m = LoadedModel.load(c, true, 5, "split.nn", MODEL, JavaEmitter.Backend.VECTOR);
        setThreads(m, 3);
        m.trainStep(in, dims);
        java.util.Set<Thread> three = poolThreads(m.instance());
        assertEquals(2, three.size(), "setThreads(3): two pool threads");
        setThreads(m, 2);
        awaitEnd(three, "after setThreads(2)");
        java.util.Set<Thread> two = poolThreads(m.instance());
        assertEquals(1, two.size(), "setThreads(2): one pool thread");
        setThreads(m, 1);
        awaitEnd(two, "after setThreads(1)");
        assertEquals(java.util.Set.of(), poolThreads(m.instance()));

        setThreads(m, 3);
        m.trainStep(in, dims);
        java.util.Set<Thread> dropped = poolThreads(m.instance());
        assertEquals(2, dropped.size());
        java.lang.ref.WeakReference<Object> instance = new java.lang.ref.WeakReference<>(m.instance());
        m = null;
        for (long end = System.nanoTime() + 30_000_000_000L; instance.get() != null && System.nanoTime() < end; ) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(null, instance.get(), "the instance was not collected: something still holds it");
        awaitEnd(dropped, "after the instance was collected");
    }
}
