package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.Compiler;
import dev.nnc.interp.Gradients;
import dev.nnc.interp.Interpreter;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one {@code .nn} model through generated code ({@link LoadedModel}) and through the
 * reference interpreter ({@link Session}) with the same parameters and inputs, and compares
 * outputs, {@code loss}, the loss and every parameter and input gradient from
 * {@code gradients}, the same in training mode from {@code trainingPass} (with the buffers it
 * updates), and optionally a few {@code trainStep}s (loss of each, parameters and buffers after
 * each).
 *
 * <p>Tolerances. In f64 both sides do the same IEEE double operations (Java arithmetic is
 * strict); only reductions and matrix products may add in another order, which moves a result
 * by a few ulps of its terms. Relative 1e-12 ({@link #F64}) allows that and nothing more (when
 * these tests were written every f64 comparison was in fact bit-exact).
 *
 * <p>In f32 the interpreter rounds every node's result to float. That gives exactly the float
 * result of {@code + - * /} and {@code sqrt}, and the same rounding of the {@code Math}
 * functions, as the generated code; but the interpreter adds sums and matrix products in
 * double and rounds once, while the generated code accumulates in float. A sum of n terms may
 * then differ by up to about n·2⁻²⁴·Σ|terms| (n ≤ 40 here: ≈ 2.4e-6 of the terms' magnitude),
 * and the ops after it (exp, log, a division, the reductions of the backward pass) can amplify
 * that a little. Relative 5e-5 ({@link #F32}) covers it with margin (set AGREEMENT_STATS=1 to
 * have the worst error relative to the tolerance written to target/agreement-stats.txt: about
 * a fifth when this was written) while any wrong formula, index or broadcast gives errors of
 * order 1.
 *
 * <p>The absolute floor. Elements near zero (a gradient that sums terms of both signs, or one
 * that is zero in exact arithmetic) carry the rounding error of the terms that made them, not
 * of their own size. Inputs and params here are O(1), so those terms are O(1) too, and each
 * element's tolerance is {@code rel · max(|want|, FLOOR · max|want over the array|, ABS)}: in
 * f32 an element may be off by 2.5e-6 (about 20 ulps of 1.0f) however small it is, in f64 by
 * 5e-14; an error of the size of the element itself is still a bug.
 */
final class Agreement {
    private Agreement() {}

    static final double F64 = 1e-12;
    static final double F32 = 5e-5;
    static final double FLOOR = 1e-3;
    static final double ABS = 0.05;
    private static final boolean STATS = System.getenv("AGREEMENT_STATS") != null;
    private static final Map<Double, Object[]> WORST = new ConcurrentHashMap<>();

    /** How random real leaves (inputs and params) are drawn. */
    enum Domain {
        /** Standard normal. */
        NORMAL,
        /** Uniform in [0.5, 2]: for log, sqrt, fractional powers. */
        POSITIVE,
        /** Normal, but at least 0.05 from every multiple of 0.25 (the kinks used in the tests: 0, ±0.25, ±0.5, ±1). */
        AWAY
    }

    /**
     * One model and how to run it.
     *
     * @param name    a readable name for reports
     * @param source  the .nn text (its first model is used)
     * @param domain  how random inputs and params are drawn
     * @param dimSets runtime dim values, one call per entry, all on the same generated instance
     * @param classes labels of int inputs are drawn from [0, classes)
     * @param steps   trainStep calls to compare (0: none)
     * @param fixed   exact values for some inputs or params, by name (others are random)
     */
    record Case(String name, String source, Domain domain, List<Map<String, Integer>> dimSets, int classes, int steps,
                Map<String, double[]> fixed) {
        static Case of(String name, String source) {
            return new Case(name, source, Domain.NORMAL, List.of(Map.of("batch", 3)), 4, 0, Map.of());
        }

        Case domain(Domain d) {
            return new Case(name, source, d, dimSets, classes, steps, fixed);
        }

        @SafeVarargs
        final Case dims(Map<String, Integer>... sets) {
            return new Case(name, source, domain, List.of(sets), classes, steps, fixed);
        }

        Case classes(int n) {
            return new Case(name, source, domain, dimSets, n, steps, fixed);
        }

        Case steps(int n) {
            return new Case(name, source, domain, dimSets, classes, n, fixed);
        }

        Case fix(String leaf, double... values) {
            Map<String, double[]> f = new LinkedHashMap<>(fixed);
            f.put(leaf, values);
            return new Case(name, source, domain, dimSets, classes, steps, f);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Compiles {@code source}, failing with nnc's rendered diagnostics if it has errors. */
    static Compiler.Result compile(String source) {
        Compiler.Result r = Compiler.compile("test.nn", source);
        assertTrue(r.ok(), () -> "the test model does not compile:\n" + r.render() + "\n" + source);
        return r;
    }

    /** Checks {@code c} in f64 and in f32. */
    static void check(Case c) {
        check(c, false);
        check(c, true);
    }

    /** A generated class compiled ahead of its test, with the compiled model it came from. */
    private record Prepared(Compiled compiled, JavaEmitter.Output output, Class<?> type) {}

    private static final Map<String, Prepared> PREPARED = new ConcurrentHashMap<>();
    /** True while a test only lists cases (their source), so that {@link #prepare} generates nothing. */
    static final ThreadLocal<Boolean> LISTING_ONLY = ThreadLocal.withInitial(() -> false);

    /** The cases {@code lists} gives, without generating their classes. */
    static List<Case> listOnly(java.util.function.Supplier<List<Case>> lists) {
        LISTING_ONLY.set(true);
        try {
            return lists.get();
        } finally {
            LISTING_ONLY.set(false);
        }
    }
    private static final AtomicInteger PACKAGES = new AtomicInteger();

    /**
     * Generates the classes of {@code cases} (f64 and f32) and compiles them all in one javac
     * run, several times cheaper per class than a run each; {@link #check} then uses them. If
     * the run fails, nothing is kept and each case compiles alone, so that the failure is
     * reported by the case whose generated code is wrong.
     *
     * @return {@code cases}
     */
    static List<Case> prepare(List<Case> cases) {
        if (LISTING_ONLY.get()) return cases;
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, Object[]> pending = new LinkedHashMap<>();
        for (Case c : cases) {
            Compiler.Result r = Compiler.compile("test.nn", c.source());
            if (!r.ok()) continue; // reported by the test
            for (boolean f32 : new boolean[] {false, true}) {
                String pkg = "nnctest.t" + PACKAGES.incrementAndGet() + (f32 ? "f" : "d");
                JavaEmitter.Output out = JavaEmitter.emit(r.compiled().get(0), new JavaEmitter.Options(pkg, f32, "test.nn", c.source()));
                sources.put(out.qualifiedName(), out.source());
                pending.put(key(c, f32), new Object[] {r.compiled().get(0), out});
            }
        }
        InMemoryJavac.Classes classes;
        try {
            classes = InMemoryJavac.compile(sources);
        } catch (InMemoryJavac.CompileException e) {
            return cases;
        }
        pending.forEach((k, v) -> {
            JavaEmitter.Output out = (JavaEmitter.Output) v[1];
            PREPARED.put(k, new Prepared((Compiled) v[0], out, classes.load(out.qualifiedName())));
        });
        return cases;
    }

    private static String key(Case c, boolean f32) {
        return c.name() + "\n" + c.source() + "\n" + f32;
    }

    /** Checks {@code c} in one precision. */
    static void check(Case c, boolean f32) {
        // the case's model in generated code: prepared ahead if it was, else generated and compiled now
        Prepared prep = PREPARED.remove(key(c, f32));
        Compiled compiled = prep != null ? prep.compiled() : compile(c.source()).compiled().get(0);
        LoadedModel lm = prep != null ? LoadedModel.of(compiled, prep.output(), prep.type(), f32, 7)
                : LoadedModel.load(compiled, f32, 7, "test.nn", c.source());
        Model m = compiled.model();
        double rel = f32 ? F32 : F64;
        String where = c.name() + (f32 ? " (f32)" : " (f64)");
        Session s = new Session(m, 7, f32 ? Model.Precision.F32 : Model.Precision.F64);
        Random rnd = new Random(c.name().hashCode());
        for (Model.Param p : m.params()) {
            int n = (int) p.node().shape().staticProduct();
            double[] v = c.fixed().containsKey(p.name()) ? c.fixed().get(p.name()) : draw(rnd, c.domain(), n);
            v = f32 ? toFloats(v) : v;
            s.setParam(p.name(), Tensor.of(p.node().shape().sizes(Map.of()), v));
            lm.setParameter(p.name(), v);
        }
        for (Model.Buffer b : m.buffers()) {
            // positive: running variances must be
            int n = (int) b.node().shape().staticProduct();
            double[] v = c.fixed().containsKey(b.name()) ? c.fixed().get(b.name()) : draw(rnd, Domain.POSITIVE, n);
            v = f32 ? toFloats(v) : v;
            s.setBuffer(b.name(), Tensor.of(b.node().shape().sizes(Map.of()), v));
            lm.setBuffer(b.name(), v);
        }
        Map<String, Tensor> first = null;
        for (Map<String, Integer> dims : c.dimSets()) {
            Map<String, Tensor> in = inputs(m, c, dims, rnd, f32);
            if (first == null) first = in;
            String at = where + " " + dims;
            compareOnce(m, s, lm, in, rel, at);
            compareTrainingPass(m, s, lm, in, rel, at);
        }
        if (c.steps() > 0) {
            assertNotNull(m.optimizer(), where + ": steps need an optimizer");
            Map<String, Integer> dims = Interpreter.bindDims(m, first);
            for (int step = 0; step < c.steps(); step++) {
                double want = s.trainStep(first), got = lm.trainStep(first, dims);
                assertClose(new double[] {want}, new double[] {got}, rel, where + " trainStep " + step + " loss");
                for (Model.Param p : m.params()) {
                    assertClose(s.param(p.name()).data(), lm.parameter(p.name()), rel,
                            where + " param " + p.name() + " after trainStep " + step);
                }
                compareBuffers(m, s, lm, rel, where + " after trainStep " + step);
            }
        }
    }

    static void compareBuffers(Model m, Session s, LoadedModel lm, double rel, String at) {
        for (Model.Buffer b : m.buffers()) assertClose(s.buffers().get(b.name()).data(), lm.buffer(b.name()), rel, at + " buffer " + b.name());
    }

    /**
     * The training-mode pass ({@code trainingPass}) against the interpreter's training mode with
     * the same step's masks: outputs, loss, gradients, then the buffers both updated.
     */
    static void compareTrainingPass(Model m, Session s, LoadedModel lm, Map<String, Tensor> in, double rel, String at) {
        Map<String, Integer> dims = Interpreter.bindDims(m, in);
        LoadedModel.Pass got = lm.trainingPass(in, dims);
        Map<String, Tensor> want = s.infer(in, true);
        for (String o : want.keySet()) assertClose(want.get(o).data(), got.outputs().get(o).data(), rel, at + " trainingPass output " + o);
        if (m.loss() != null) {
            Gradients g = s.lossAndGradients(in, true);
            assertClose(new double[] {g.loss()}, new double[] {got.loss()}, rel, at + " trainingPass loss");
            for (Model.Param p : m.params()) {
                assertClose(g.of(p.name()).data(), lm.gradient(p.name()), rel, at + " trainingPass gradient of param " + p.name());
            }
            for (Model.Input i : m.inputs()) {
                if (!i.isInt()) assertClose(g.of(i.name()).data(), lm.inputGradient(i.name()), rel, at + " trainingPass gradient of input " + i.name());
            }
        }
        s.updateBuffers(in);
        compareBuffers(m, s, lm, rel, at + " after trainingPass");
    }

    /** Outputs, loss, gradients of one call. */
    static void compareOnce(Model m, Session s, LoadedModel lm, Map<String, Tensor> in, double rel, String at) {
        Map<String, Integer> dims = Interpreter.bindDims(m, in);
        if (!m.outputs().isEmpty()) {
            Map<String, Tensor> want = s.infer(in), got = lm.infer(in, dims);
            for (String o : want.keySet()) {
                assertClose(want.get(o).data(), got.get(o).data(), rel, at + " output " + o);
            }
        }
        if (m.loss() == null) return;
        assertClose(new double[] {s.loss(in)}, new double[] {lm.loss(in, dims)}, rel, at + " loss()");
        Gradients g = s.lossAndGradients(in);
        double loss = lm.gradients(in, dims);
        assertClose(new double[] {g.loss()}, new double[] {loss}, rel, at + " gradients() loss");
        for (Model.Param p : m.params()) {
            assertClose(g.of(p.name()).data(), lm.gradient(p.name()), rel, at + " gradient of param " + p.name());
        }
        int realInputs = 0;
        for (Model.Input i : m.inputs()) {
            if (i.isInt()) continue;
            realInputs++;
            assertClose(g.of(i.name()).data(), lm.inputGradient(i.name()), rel, at + " gradient of input " + i.name());
        }
        assertEquals(realInputs, g.inputs().size(), at + ": the interpreter gave gradients for " + g.inputs().keySet());
    }

    /** Inputs for {@code dims}: fixed values where the case gives them, else random. */
    static Map<String, Tensor> inputs(Model m, Case c, Map<String, Integer> dims, Random rnd, boolean f32) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Model.Input i : m.inputs()) {
            int[] shape = i.node().shape().sizes(dims);
            int n = Tensor.numel(shape);
            double[] fixed = c.fixed().get(i.name());
            if (i.isInt()) {
                long[] v = new long[n];
                for (int k = 0; k < n; k++) v[k] = fixed != null ? (long) fixed[k] : rnd.nextInt(c.classes());
                in.put(i.name(), Tensor.labels(shape, v));
            } else {
                double[] v = fixed != null ? fixed : draw(rnd, c.domain(), n);
                in.put(i.name(), Tensor.of(shape, f32 ? toFloats(v) : v));
            }
        }
        return in;
    }

    static double[] draw(Random rnd, Domain d, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (d) {
                case NORMAL -> rnd.nextGaussian();
                case POSITIVE -> 0.5 + 1.5 * rnd.nextDouble();
                case AWAY -> away(rnd.nextGaussian());
            };
        }
        return v;
    }

    /** {@code x} moved to at least 0.05 from the nearest multiple of 0.25. */
    static double away(double x) {
        double k = Math.rint(x * 4) / 4;
        double d = x - k;
        if (Math.abs(d) >= 0.05) return x;
        return k + (d >= 0 ? 0.05 + d : -0.05 + d);
    }

    /** Each value rounded to the nearest float (f32 code sees exactly these). */
    static double[] toFloats(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (float) v[i];
        return r;
    }

    /** Element-wise agreement within {@code rel} (see the class comment for the floor). */
    static void assertClose(double[] want, double[] got, double rel, String what) {
        assertEquals(want.length, got.length, what + ": length");
        double scale = 0;
        for (double w : want) if (Double.isFinite(w)) scale = Math.max(scale, Math.abs(w));
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < want.length; i++) {
            if (Double.compare(want[i], got[i]) == 0) continue; // equal, or both NaN
            if (!Double.isFinite(want[i]) || !Double.isFinite(got[i])) {
                bad.add("[" + i + "] interpreter " + want[i] + ", generated " + got[i]);
                continue;
            }
            double tol = rel * Math.max(Math.abs(want[i]), Math.max(FLOOR * scale, ABS));
            if (STATS) record(rel, Math.abs(want[i] - got[i]) / tol, what + "[" + i + "] " + want[i] + " vs " + got[i]);
            if (!(Math.abs(want[i] - got[i]) <= tol)) {
                bad.add("[" + i + "] interpreter " + want[i] + ", generated " + got[i]
                        + " (error " + String.format("%.3g", Math.abs(want[i] - got[i]) / Math.max(Math.abs(want[i]), 1e-300)) + " relative)");
            }
        }
        if (!bad.isEmpty()) {
            fail(what + ": " + bad.size() + " of " + want.length + " elements differ beyond " + rel + " relative: "
                    + String.join("; ", bad.subList(0, Math.min(5, bad.size()))));
        }
    }

    /** Keeps the worst error/tolerance ratio per tolerance in target/agreement-stats.txt. */
    private static synchronized void record(double rel, double ratio, String where) {
        Object[] prev = WORST.get(rel);
        if (prev != null && ratio <= (Double) prev[0]) return;
        WORST.put(rel, new Object[] {ratio, where});
        StringBuilder sb = new StringBuilder();
        WORST.forEach((k, v) -> sb.append("tolerance ").append(k).append(": worst ").append(v[0]).append(" of it at ").append(v[1]).append('\n'));
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("target/agreement-stats.txt"), sb);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
