package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.Compiler;
import dev.nnc.interp.Tensor;
import dev.nnc.passes.Compiled;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scalar backend's matrix products (streamed rows in register blocks, gathered rows, result
 * columns for narrow products with B transposed, locals for narrow products, plain loops for tiny
 * ones) against a textbook loop, bit for bit, in f64 and f32: each element is the sum of its
 * terms for p in order from +0. Sizes straddle every block and unroll boundary (odd and even
 * rows, k not a multiple of the unroll), either operand may be a transpose read in place (both at
 * once too), rows straddle the runtime choice between gathered rows and result columns (64) and a
 * block of result columns (300 rows), and inputs are mostly zeros (the skipped terms), with rows
 * of B holding an infinity or a NaN in some cases (whose zero terms must not be skipped).
 */
class ProductsExactTest {
    private static final int[] BATCHES = {1, 2, 3, 5, 33, 70, 300};

    @Test
    void productsEqualTextbookLoops() {
        for (String form : new String[] {"plain", "ta", "tb", "tatb"}) {
            for (int k : new int[] {3, 4, 9}) {
                for (int n : new int[] {10, 16, 33, 40}) {
                    for (boolean f32 : new boolean[] {false, true}) check(form, k, n, f32);
                }
            }
        }
    }

    private static void check(String form, int k, int n, boolean f32) {
        boolean ta = form.startsWith("ta"), tb = form.endsWith("tb");
        String x = ta ? "[" + k + ", batch]" : "[batch, " + k + "]";
        String w = tb ? "[" + n + ", " + k + "]" : "[" + k + ", " + n + "]";
        String expr = (ta ? "x.T" : "x") + " @ " + (tb ? "w.T" : "w");
        String src = "model P {\n dim batch\n input x : " + x + "\n input w : " + w + "\n output y = " + expr + "\n}\n";
        Compiler.Result r = Compiler.compile("p.nn", src);
        assertTrue(r.ok(), r.render());
        Compiled c = r.compiled().get(0);
        LoadedModel lm = LoadedModel.load(c, f32, 0, "p.nn", src);
        Random rnd = new Random(k * 31L + n);
        for (int m : BATCHES) {
            for (int special = 0; special < 3; special++) {
                double[] a = new double[m * k], b = new double[k * n];
                for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(10) < 6 ? 0 : round(rnd.nextGaussian(), f32);
                for (int i = 0; i < b.length; i++) b[i] = round(rnd.nextGaussian(), f32);
                if (special > 0) b[rnd.nextInt(b.length)] = special == 1 ? Double.POSITIVE_INFINITY : Double.NaN;
                // a as [m, k] and b as [k, n], whatever the stored layout
                double[] xs = a, ws = b;
                if (ta) xs = transpose(a, m, k);
                if (tb) ws = transpose(b, k, n);
                Tensor y = lm.infer(Map.of("x", Tensor.of(ta ? new int[] {k, m} : new int[] {m, k}, xs),
                        "w", Tensor.of(tb ? new int[] {n, k} : new int[] {k, n}, ws)), Map.of("batch", m)).get("y");
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want;
                        if (f32) {
                            float s = 0;
                            for (int p = 0; p < k; p++) s += (float) a[i * k + p] * (float) b[p * n + j];
                            want = s;
                        } else {
                            double s = 0;
                            for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                            want = s;
                        }
                        double got = y.data()[i * n + j];
                        if (Double.doubleToLongBits(want) != Double.doubleToLongBits(got)) {
                            fail(form + " k=" + k + " n=" + n + (f32 ? " f32" : " f64") + " m=" + m + " at (" + i + ", " + j + "): want "
                                    + want + ", got " + got);
                        }
                    }
                }
            }
        }
    }

    private static double round(double v, boolean f32) {
        return f32 ? (float) v : v;
    }

    /** [rows, cols] row-major to [cols, rows]. */
    private static double[] transpose(double[] v, int rows, int cols) {
        double[] t = new double[v.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = v[i * cols + j];
        return t;
    }
}
