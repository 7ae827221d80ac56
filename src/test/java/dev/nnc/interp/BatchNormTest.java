package dev.nnc.interp;

import static dev.nnc.interp.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code batch_norm} and buffers on the interpreter, against a direct computation of
 * F.batch_norm's formulas in the test: training mode normalizes each channel (axis 1) by the
 * batch's mean and biased variance and updates the running statistics (unbiased variance for
 * {@code running_var}); evaluation mode uses the buffers; gradients flow through the batch
 * statistics (central differences).
 */
class BatchNormTest {
    static final String MODEL = """
            model Bn {
                dim batch
                input x : [batch, 3, 2]
                param g : [3] init ones
                param b : [3] init zeros
                buffer rm : [3]
                buffer rv : [3] init ones
                param w : [3, 2] init uniform(-1, 1)
                output y = batch_norm(x, g, b, rm, rv, momentum = 0.25, eps = 0.01)
                loss = sum(y * w * y) / 7 + mean(y)
                optimizer sgd(lr = 0.1)
            }
            """;

    static Model model() {
        Compiler.Result r = Compiler.compile("bn.nn", MODEL);
        assertTrue(r.ok(), r.render());
        Compiled c = r.compiled().get(0);
        return c.model();
    }

    static final int N = 4, C = 3, L = 2;

    static Map<String, Tensor> batch(long seed) {
        Random r = new Random(seed);
        double[] x = new double[N * C * L];
        for (int i = 0; i < x.length; i++) x[i] = 2 * r.nextGaussian() + (i % (C * L)) / 2.0;
        return Map.of("x", Tensor.of(new int[] {N, C, L}, x));
    }

    static Session session(Model m) {
        Session s = new Session(m, 3);
        s.setParam("g", Tensor.vector(1.5, 0.5, -1));
        s.setParam("b", Tensor.vector(0.1, -0.2, 0.3));
        s.setBuffer("rm", Tensor.vector(0.5, -1, 2));
        s.setBuffer("rv", Tensor.vector(2, 0.5, 1));
        return s;
    }

    /** F.batch_norm, written out: per channel statistics over the batch and spatial axes. */
    static double[][] stats(double[] x) {
        double[] mean = new double[C], var = new double[C];
        for (int c = 0; c < C; c++) {
            double s = 0;
            for (int n = 0; n < N; n++) for (int l = 0; l < L; l++) s += x[(n * C + c) * L + l];
            mean[c] = s / (N * L);
            double q = 0;
            for (int n = 0; n < N; n++) for (int l = 0; l < L; l++) q += Math.pow(x[(n * C + c) * L + l] - mean[c], 2);
            var[c] = q / (N * L);
        }
        return new double[][] {mean, var};
    }

    static double[] normalize(double[] x, double[] mean, double[] var, double[] g, double[] b) {
        double[] y = new double[x.length];
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int l = 0; l < L; l++) {
                    int i = (n * C + c) * L + l;
                    y[i] = (x[i] - mean[c]) / Math.sqrt(var[c] + 0.01) * g[c] + b[c];
                }
            }
        }
        return y;
    }

    @Test
    void trainingModeUsesTheBatchAndUpdatesTheRunningStatistics() {
        Model m = model();
        Session s = session(m);
        Map<String, Tensor> in = batch(1);
        double[] x = in.get("x").data();
        double[][] st = stats(x);
        double[] g = {1.5, 0.5, -1}, b = {0.1, -0.2, 0.3};
        assertClose(normalize(x, st[0], st[1], g, b), s.infer(in, true).get("y").data(), 1e-12, 1e-12, "training-mode output");
        // inference reads the buffers, not the batch
        assertClose(normalize(x, new double[] {0.5, -1, 2}, new double[] {2, 0.5, 1}, g, b), s.infer(in).get("y").data(),
                1e-12, 1e-12, "evaluation-mode output");
        s.updateBuffers(in);
        double[] rm = new double[C], rv = new double[C];
        double[] rm0 = {0.5, -1, 2}, rv0 = {2, 0.5, 1};
        for (int c = 0; c < C; c++) {
            rm[c] = 0.75 * rm0[c] + 0.25 * st[0][c];
            rv[c] = 0.75 * rv0[c] + 0.25 * st[1][c] * (N * L) / (N * L - 1.0); // unbiased
        }
        assertClose(rm, s.buffers().get("rm").data(), 1e-12, 1e-12, "running mean");
        assertClose(rv, s.buffers().get("rv").data(), 1e-12, 1e-12, "running var");
    }

    @Test
    void trainStepUpdatesTheBuffersOnceAndTheParamsByTheTrainingModeGradient() {
        Model m = model();
        Session s = session(m), t = session(m);
        Map<String, Tensor> in = batch(2);
        Gradients want = t.lossAndGradients(in, true);
        t.updateBuffers(in);
        s.trainStep(in);
        assertClose(t.buffers().get("rm").data(), s.buffers().get("rm").data(), 0, 0, "trainStep's running mean");
        assertClose(t.buffers().get("rv").data(), s.buffers().get("rv").data(), 0, 0, "trainStep's running var");
        double[] g0 = {1.5, 0.5, -1};
        double[] expected = new double[C];
        for (int c = 0; c < C; c++) expected[c] = g0[c] - 0.1 * want.of("g").data()[c];
        assertClose(expected, s.param("g").data(), 1e-15, 1e-15, "sgd step of g");
        assertEquals(1, s.step());
    }

    @Test
    void gradientsFlowThroughTheBatchStatistics() {
        Model m = model();
        for (boolean training : new boolean[] {true, false}) {
            Session s = session(m);
            Map<String, Tensor> in = batch(training ? 3 : 4);
            Gradients got = s.lossAndGradients(in, training);
            Map<String, Tensor> values = new LinkedHashMap<>(in);
            values.putAll(s.params());
            values.putAll(s.buffers());
            Map<String, Integer> dims = new HashMap<>(Interpreter.bindDims(m, in));
            for (Map.Entry<String, Tensor> e : Map.of("x", got.of("x"), "g", got.of("g"), "b", got.of("b"), "w", got.of("w")).entrySet()) {
                Tensor base = values.get(e.getKey());
                double[] fd = new double[base.numel()];
                for (int i = 0; i < fd.length; i++) {
                    double[] plus = base.toArray(), minus = base.toArray();
                    plus[i] += 1e-6;
                    minus[i] -= 1e-6;
                    Map<String, Tensor> vp = new HashMap<>(values), vm = new HashMap<>(values);
                    vp.put(e.getKey(), Tensor.of(base.shape(), plus));
                    vm.put(e.getKey(), Tensor.of(base.shape(), minus));
                    fd[i] = (Fixtures.evalScalar(m.loss(), vp, dims, training) - Fixtures.evalScalar(m.loss(), vm, dims, training)) / 2e-6;
                }
                assertClose(fd, e.getValue().data(), 1e-6, 1e-8, (training ? "training" : "evaluation") + " d loss / d " + e.getKey());
            }
        }
    }
}
