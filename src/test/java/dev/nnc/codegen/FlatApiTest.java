package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The flat-vector API of generated classes ({@link FlatCode}): gradient accumulation over
 * micro-batches followed by {@code applyGradient} is one {@code trainStep} on the concatenated
 * batch, for every optimizer (SGD with and without momentum, Nesterov, Adam, weight decay),
 * both precisions and both backends; the flat layout is {@code PARAMETER_NAMES} order; the
 * learning rate is a setting that trainStep and applyGradient both use.
 */
class FlatApiTest {
    /** Real targets, mean loss, SGD with Nesterov momentum and weight decay. */
    static final String NESTEROV = """
            model Regressor {
                dim batch
                input x : [batch, 5]
                input y : [batch, 2]
                param w1 : [5, 8] init xavier_uniform
                param b1 : [8] init uniform(-0.1, 0.1)
                param w2 : [8, 2] init xavier_uniform
                param b2 : [2] init uniform(-0.1, 0.1)
                output out = tanh(x @ w1 + b1) @ w2 + b2
                loss = mse(out, y)
                optimizer sgd(lr = 0.05, momentum = 0.9, weight_decay = 0.01, nesterov = true)
            }
            """;
    /** Class labels, Adam with weight decay. */
    static final String ADAM = """
            model Classifier {
                dim batch
                input x : [batch, 5]
                input label : int[batch]
                param w1 : [5, 8] init he_uniform
                param b1 : [8] init uniform(-0.1, 0.1)
                param w2 : [8, 3] init xavier_uniform
                param b2 : [3]
                logits = relu(x @ w1 + b1) @ w2 + b2
                output probs = softmax(logits)
                loss = cross_entropy(logits, label)
                optimizer adam(lr = 0.01, weight_decay = 0.001)
            }
            """;
    /** Plain SGD: no optimizer state at all. */
    static final String PLAIN = """
            model Logistic {
                dim batch
                input x : [batch, 5]
                input y : [batch, 1]
                param w : [5, 1] init normal(0, 0.5)
                param b : [1] init constant(0.2)
                z = x @ w + b
                output p = sigmoid(z)
                loss = bce_with_logits(z, y)
                optimizer sgd(lr = 0.3)
            }
            """;

    /** Batch norm (buffers) and dropout: training mode differs from evaluation mode. */
    static final String MODES = """
            model Normed {
                dim batch
                input x : [batch, 5]
                input y : [batch, 2]
                param w1 : [5, 8] init xavier_uniform
                param gamma : [8] init ones
                param beta : [8] init zeros
                buffer mean : [8]
                buffer var : [8] init ones
                param w2 : [8, 2] init xavier_uniform
                param b2 : [2] init uniform(-0.1, 0.1)
                h = dropout(relu(batch_norm(x @ w1, gamma, beta, mean, var)), p = 0.25)
                output out = h @ w2 + b2
                loss = mse(out, y)
                optimizer sgd(lr = 0.05, momentum = 0.9, weight_decay = 0.01)
            }
            """;

    static final int[] MICRO = {3, 5, 1, 7};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String src : List.of(NESTEROV, ADAM, PLAIN)) {
            for (boolean f32 : new boolean[] {false, true}) {
                for (JavaEmitter.Backend b : JavaEmitter.Backend.values()) out.add(Arguments.of(name(src), src, f32, b));
            }
        }
        return out.stream();
    }

    static String name(String src) {
        return src.substring(src.indexOf("model ") + 6, src.indexOf(" {"));
    }

    /** Each generated class compiled once (javac dominates the time of these tests). */
    static final java.util.Map<String, Built> CLASSES = new java.util.concurrent.ConcurrentHashMap<>();

    record Built(dev.nnc.passes.Compiled compiled, LoadedModel first) {}

    /** A new instance, seed 7, of the class generated from {@code src}. */
    static LoadedModel load(String src, boolean f32, JavaEmitter.Backend backend) {
        Built b = CLASSES.computeIfAbsent(src + f32 + backend, k -> {
            Compiler.Result r = Compiler.compile("flat.nn", src);
            assertTrue(r.ok(), r.render());
            return new Built(r.compiled().get(0), LoadedModel.load(r.compiled().get(0), f32, 7, "flat.nn", src, backend));
        });
        return LoadedModel.of(b.compiled(), b.first().output(), b.first().instance().getClass(), f32, 7);
    }

    /** A batch of {@code n} rows: features and (real or class-label) targets, in the model's element type. */
    record Batch(int n, Object x, Object y) {}

    static Batch batch(String src, boolean f32, Random rnd, int n) {
        double[] x = new double[n * 5];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextGaussian();
        Object y;
        if (src == ADAM) {
            int[] l = new int[n];
            for (int i = 0; i < n; i++) l[i] = rnd.nextInt(3);
            y = l;
        } else {
            double[] t = new double[n * (src == NESTEROV || src == MODES ? 2 : 1)];
            for (int i = 0; i < t.length; i++) t[i] = src == PLAIN ? rnd.nextInt(2) : rnd.nextGaussian();
            y = elems(t, f32);
        }
        return new Batch(n, elems(x, f32), y);
    }

    static Object elems(double[] v, boolean f32) {
        if (!f32) return v;
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** The rows {@code [from, from + n)} of a batch. */
    static Batch rows(Batch b, int from, int n) {
        int xw = Array.getLength(b.x()) / b.n(), yw = Array.getLength(b.y()) / b.n();
        Object x = Array.newInstance(b.x().getClass().getComponentType(), n * xw);
        Object y = Array.newInstance(b.y().getClass().getComponentType(), n * yw);
        System.arraycopy(b.x(), from * xw, x, 0, n * xw);
        System.arraycopy(b.y(), from * yw, y, 0, n * yw);
        return new Batch(n, x, y);
    }

    static Object call(Object target, String method, Object... args) throws Throwable {
        for (Method m : target.getClass().getMethods()) {
            if (!m.getName().equals(method) || m.getParameterCount() != args.length) continue;
            try {
                return m.invoke(target, args);
            } catch (IllegalArgumentException mismatch) {
                continue; // an overload with other parameter types
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
        throw new AssertionError("no method " + method + " taking " + args.length + " arguments");
    }

    static double[] flatParameters(LoadedModel m) throws Throwable {
        int count = (Integer) m.instance().getClass().getField("PARAMETER_COUNT").get(null);
        Object flat = Array.newInstance(m.f32() ? float.class : double.class, count);
        call(m.instance(), "copyParametersTo", flat);
        double[] d = new double[count];
        for (int i = 0; i < count; i++) d[i] = Array.getDouble(flat, i);
        return d;
    }

    @ParameterizedTest(name = "{0} f32={2} {3}")
    @MethodSource("cases")
    void accumulatedMicroBatchesThenApplyEqualOneTrainStepOnTheirConcatenation(String name, String src, boolean f32,
                                                                                JavaEmitter.Backend backend) throws Throwable {
        LoadedModel accumulated = load(src, f32, backend), stepped = load(src, f32, backend);
        Object a = accumulated.instance(), s = stepped.instance();
        int count = (Integer) a.getClass().getField("PARAMETER_COUNT").get(null);
        double[] initial = flatParameters(accumulated);
        Random rnd = new Random(11);
        int total = 0;
        for (int m : MICRO) total += m;
        double worst = 0;
        for (int step = 0; step < 4; step++) {
            Batch all = batch(src, f32, rnd, total);
            double[] sum = new double[count];
            int from = 0;
            for (int m : MICRO) {
                Batch part = rows(all, from, m);
                call(a, "gradients", m, part.x(), part.y());
                call(a, "accumulateGradient", sum, (long) m);
                from += m;
            }
            call(a, "applyGradient", sum, (long) total);
            call(s, "trainStep", total, all.x(), all.y());
            assertEquals(call(s, "steps"), call(a, "steps"), "applyGradient counts a step as trainStep does");
            assertFalse((Boolean) call(a, "lastStepSkipped"));
            double[] want = flatParameters(stepped), got = flatParameters(accumulated);
            double scale = 0;
            for (double w : want) scale = Math.max(scale, Math.abs(w));
            for (int i = 0; i < count; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
        }
        // f64: the same operations up to the order of sums (2e-16 when written); f32: float rounding of the same
        // sums in another order (2e-7 of the largest parameter when written, about 2 ulps)
        double tolerance = f32 ? 1e-6 : 1e-12;
        assertTrue(worst <= tolerance, name + ": largest difference " + worst + " of the largest parameter, tolerance " + tolerance);
        double moved = 0;
        double[] now = flatParameters(accumulated);
        for (int i = 0; i < count; i++) moved = Math.max(moved, Math.abs(now[i] - initial[i]));
        assertTrue(moved > 1e-3, "training moved the parameters (by " + moved + ")");
    }

    /**
     * With dropout and batch norm, {@code trainingGradients} is the training-mode pass of
     * {@code trainStep} (the same dropout masks, batch statistics and buffer updates): applying
     * its gradient is one {@code trainStep}, buffers included.
     */
    @ParameterizedTest(name = "f32={0} {1}")
    @MethodSource("precisionsAndBackends")
    void trainingGradientsThenApplyIsOneTrainStepWithDropoutAndBatchNorm(boolean f32, JavaEmitter.Backend backend) throws Throwable {
        LoadedModel applied = load(MODES, f32, backend), stepped = load(MODES, f32, backend), evaluated = load(MODES, f32, backend);
        Object a = applied.instance(), s = stepped.instance();
        int count = (Integer) a.getClass().getField("PARAMETER_COUNT").get(null);
        Random rnd = new Random(4);
        double worst = 0;
        for (int step = 0; step < 4; step++) {
            Batch b = batch(MODES, f32, rnd, 9);
            double[] sum = new double[count];
            double lossA = ((Number) call(a, "trainingGradients", 9, b.x(), b.y())).doubleValue();
            call(a, "accumulateGradient", sum, 9L);
            call(a, "applyGradient", sum, 9L);
            double lossS = ((Number) call(s, "trainStep", 9, b.x(), b.y())).doubleValue();
            assertEquals(lossS, lossA, 0.0, "the same training-mode loss (dropout masks of the same step)");
            double lossE = ((Number) call(evaluated.instance(), "gradients", 9, b.x(), b.y())).doubleValue();
            assertTrue(Math.abs(lossE - lossS) > 1e-6, "gradients is evaluation mode, which differs here");
            double[] want = flatParameters(stepped), got = flatParameters(applied);
            for (int i = 0; i < count; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
            for (String buffer : List.of("mean", "var")) {
                double[] wb = stepped.buffer(buffer), gb = applied.buffer(buffer);
                for (int i = 0; i < wb.length; i++) worst = Math.max(worst, Math.abs(gb[i] - wb[i]));
            }
        }
        assertTrue(worst <= (f32 ? 1e-6 : 1e-12), "largest difference " + worst);
        assertTrue(applied.buffer("var")[0] != 1.0, "the running statistics moved");
    }

    /** Without dropout or batch norm, {@code trainingGradients} is {@code gradients}. */
    @Test
    void trainingGradientsIsGradientsWhenTheModesDoNotDiffer() throws Throwable {
        LoadedModel m = load(NESTEROV, false, JavaEmitter.Backend.SCALAR), n = load(NESTEROV, false, JavaEmitter.Backend.SCALAR);
        Batch b = batch(NESTEROV, false, new Random(8), 6);
        assertEquals(call(n.instance(), "gradients", 6, b.x(), b.y()), call(m.instance(), "trainingGradients", 6, b.x(), b.y()));
        for (String p : List.of("w1", "b1", "w2", "b2")) assertArrayEquals(n.gradient(p), m.gradient(p), p);
        assertEquals("input x [batch, 5] needs 30 elements (batch = 6), got 5",
                assertThrows(IllegalArgumentException.class, () -> call(m.instance(), "trainingGradients", 6, new double[5], b.y())).getMessage());
        LoadedModel modes = load(MODES, false, JavaEmitter.Backend.SCALAR);
        assertEquals("dim batch must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> call(modes.instance(), "trainingGradients", 0, new double[0], new double[0])).getMessage());
    }

    static Stream<Arguments> precisionsAndBackends() {
        List<Arguments> out = new ArrayList<>();
        for (boolean f32 : new boolean[] {false, true}) for (JavaEmitter.Backend b : JavaEmitter.Backend.values()) out.add(Arguments.of(f32, b));
        return out.stream();
    }

    @Test
    void theFlatLayoutIsParameterNamesOrderRowMajor() throws Throwable {
        LoadedModel m = load(NESTEROV, false, JavaEmitter.Backend.SCALAR);
        Object o = m.instance();
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) o.getClass().getField("PARAMETER_NAMES").get(null);
        double[] flat = flatParameters(m);
        assertEquals(5 * 8 + 8 + 8 * 2 + 2, flat.length);
        int at = 0;
        for (String p : names) {
            double[] v = m.parameter(p);
            assertArrayEquals(v, java.util.Arrays.copyOfRange(flat, at, at + v.length), p);
            at += v.length;
        }
        // copyParametersFrom writes the same layout back
        double[] changed = new double[flat.length];
        for (int i = 0; i < changed.length; i++) changed[i] = i * 0.25 - 3;
        call(o, "copyParametersFrom", (Object) changed);
        assertArrayEquals(changed, flatParameters(m));
        assertArrayEquals(java.util.Arrays.copyOfRange(changed, 40, 48), m.parameter("b1"));

        // the gradient: copyGradientTo is gradient(name) flat; accumulateGradient adds rows times it
        Batch b = batch(NESTEROV, false, new Random(3), 4);
        call(o, "gradients", 4, b.x(), b.y());
        double[] g = new double[flat.length], sum = new double[flat.length];
        java.util.Arrays.fill(sum, 1.0);
        call(o, "copyGradientTo", (Object) g);
        call(o, "accumulateGradient", sum, 4L);
        at = 0;
        for (String p : names) {
            double[] gp = m.gradient(p);
            for (int j = 0; j < gp.length; j++) {
                assertEquals(gp[j], g[at + j], 0.0, p);
                assertEquals(1.0 + 4 * gp[j], sum[at + j], 1e-15, p);
            }
            at += gp.length;
        }
    }

    @Test
    void setLearningRateIsTheDeclaredRateOfAnotherModel() throws Throwable {
        for (boolean f32 : new boolean[] {false, true}) {
            for (String src : List.of(NESTEROV, ADAM)) {
                String declared = src.contains("lr = 0.05") ? "lr = 0.05" : "lr = 0.01";
                LoadedModel changed = load(src, f32, JavaEmitter.Backend.SCALAR);
                LoadedModel reference = load(src.replace(declared, "lr = 0.0371"), f32, JavaEmitter.Backend.SCALAR);
                Object c = changed.instance(), r = reference.instance();
                assertEquals(Double.parseDouble(declared.substring(5)), (Double) call(c, "learningRate"));
                call(c, "setLearningRate", 0.0371);
                assertEquals(0.0371, (Double) call(c, "learningRate"));
                call(c, "reset", 7L);
                assertEquals(0.0371, (Double) call(c, "learningRate"), "reset keeps the rate");
                Random rnd = new Random(5);
                for (int step = 0; step < 3; step++) {
                    Batch b = batch(src, f32, rnd, 6);
                    call(c, "trainStep", 6, b.x(), b.y());
                    call(r, "trainStep", 6, b.x(), b.y());
                    assertArrayEquals(flatParameters(reference), flatParameters(changed), "trainStep, bit for bit");
                    call(c, "gradients", 6, b.x(), b.y());
                    call(r, "gradients", 6, b.x(), b.y());
                    double[] sum = new double[flatParameters(changed).length];
                    call(c, "accumulateGradient", sum, 6L);
                    call(c, "applyGradient", sum, 6L);
                    call(r, "applyGradient", sum, 6L);
                    assertArrayEquals(flatParameters(reference), flatParameters(changed), "applyGradient, bit for bit");
                }
            }
        }
    }

    @Test
    void aZeroLearningRateLeavesTheParametersButCountsTheStep() throws Throwable {
        LoadedModel m = load(NESTEROV, false, JavaEmitter.Backend.SCALAR);
        Object o = m.instance();
        double[] before = flatParameters(m);
        call(o, "setLearningRate", 0.0);
        Batch b = batch(NESTEROV, false, new Random(1), 5);
        call(o, "trainStep", 5, b.x(), b.y());
        assertArrayEquals(before, flatParameters(m));
        assertEquals(1L, call(o, "steps"));
    }

    @Test
    void aNonFiniteSummedGradientChangesNothing() throws Throwable {
        LoadedModel m = load(ADAM, false, JavaEmitter.Backend.SCALAR);
        LoadedModel clean = load(ADAM, false, JavaEmitter.Backend.SCALAR);
        Object o = m.instance();
        double[] before = flatParameters(m);
        double[] bad = new double[before.length];
        bad[17] = Double.NaN;
        call(o, "applyGradient", bad, 3L);
        assertTrue((Boolean) call(o, "lastStepSkipped"));
        assertEquals(0L, call(o, "steps"));
        assertArrayEquals(before, flatParameters(m));
        // neither the Adam moments nor the step count moved: a good step equals one on a fresh instance
        double[] good = new double[before.length];
        for (int i = 0; i < good.length; i++) good[i] = Math.sin(i);
        call(o, "applyGradient", good, 3L);
        call(clean.instance(), "applyGradient", good, 3L);
        assertFalse((Boolean) call(o, "lastStepSkipped"));
        assertArrayEquals(flatParameters(clean), flatParameters(m));
    }

    @Test
    void badArgumentsNameTheArgument() throws Throwable {
        LoadedModel m = load(NESTEROV, true, JavaEmitter.Backend.SCALAR);
        Object o = m.instance();
        int count = (Integer) o.getClass().getField("PARAMETER_COUNT").get(null);
        assertEquals("flat needs PARAMETER_COUNT = 66 elements (every parameter, flat), got 3",
                assertThrows(IllegalArgumentException.class, () -> call(o, "copyParametersTo", (Object) new float[3])).getMessage());
        assertEquals("flat needs PARAMETER_COUNT = 66 elements (every parameter, flat), got null",
                assertThrows(IllegalArgumentException.class, () -> call(o, "copyParametersFrom", (Object) null)).getMessage());
        assertEquals("summed needs PARAMETER_COUNT = 66 elements (every parameter, flat), got 65",
                assertThrows(IllegalArgumentException.class, () -> call(o, "applyGradient", new double[65], 2L)).getMessage());
        assertEquals("rows must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> call(o, "applyGradient", new double[count], 0L)).getMessage());
        assertEquals("rows must be at least 1, got -1",
                assertThrows(IllegalArgumentException.class, () -> call(o, "accumulateGradient", new double[count], -1L)).getMessage());
        assertEquals("learning rate must be finite and at least 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> call(o, "setLearningRate", Double.NaN)).getMessage());
        assertEquals("learning rate must be finite and at least 0, got -0.1",
                assertThrows(IllegalArgumentException.class, () -> call(o, "setLearningRate", -0.1)).getMessage());
        assertEquals("learning rate must be finite and at least 0, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> call(o, "setLearningRate", Double.POSITIVE_INFINITY)).getMessage());
        assertEquals(0L, call(o, "steps"), "nothing happened");
    }
}
