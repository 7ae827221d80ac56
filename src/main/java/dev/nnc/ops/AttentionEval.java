package dev.nnc.ops;

import dev.nnc.ir.Attr;
import java.util.List;

/**
 * The interpreter's kernels of the attention ops, in double over whole rows of scores (the
 * oracle the generated kernels are tested against, itself tested against the formula written
 * with other ops): each query row's scores {@code s_j = q·k_j / √E + mask_j} (keys after the
 * query masked when causal), then the softmax, online for the forward pass and by the row's
 * maximum for the log-sum-exp, as the generated kernels compute them.
 */
final class AttentionEval {
    private AttentionEval() {}

    /** Sizes of one call: {@code batch} products of the leading axes, {@code lq × lk} scores each. */
    private record Dims(int batch, int lq, int lk, int e, int ev) {
        static Dims of(List<int[]> shapes, int vInput) {
            int[] q = shapes.get(0), k = shapes.get(1);
            int r = q.length, batch = 1;
            for (int i = 0; i < r - 2; i++) batch *= q[i];
            return new Dims(batch, q[r - 2], k[r - 2], q[r - 1], vInput < 0 ? 0 : shapes.get(vInput)[r - 1]);
        }

        /** Keys a query row sees: all, or up to its own position when causal. */
        int keys(int i, boolean causal) {
            return causal ? Math.min(lk, i + 1) : lk;
        }
    }

    /** The scores of row {@code i} of batch {@code b} ({@code keys} of them). */
    private static double[] scores(double[] q, double[] k, double[] mask, Dims d, int b, int i, int keys) {
        double c = 1 / Math.sqrt(d.e);
        double[] s = new double[keys];
        int qo = (b * d.lq + i) * d.e;
        for (int j = 0; j < keys; j++) {
            int ko = (b * d.lk + j) * d.e;
            double dot = 0;
            for (int t = 0; t < d.e; t++) dot += q[qo + t] * k[ko + t];
            s[j] = dot * c + (mask == null ? 0 : mask[(b * d.lq + i) * d.lk + j]);
        }
        return s;
    }

    /** {@code log Σ exp(s)}, by the maximum. */
    private static double logSumExp(double[] s) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : s) m = Math.max(m, x);
        double sum = 0;
        for (double x : s) sum += Math.exp(x - m);
        return m + Math.log(sum);
    }

    /**
     * {@code softmax(s) @ v} per query row; inputs q, k, v and the optional mask. Online, in the
     * generated kernel's order: along the keys with a running maximum {@code m} and sum
     * {@code l}, the output row scaled by {@code exp(m_old − m_new)} when a score raises the
     * maximum, divided by {@code l} at the end (a key at −∞ adds nothing). The gradient's
     * {@code D = rowsum(dO ∘ O)} nearly cancels {@code dO·v}, so a last-bit difference in
     * {@code O} would show in the gradients: both engines do the same operations.
     */
    static double[] forward(List<double[]> in, List<int[]> shapes, boolean causal) {
        Dims d = Dims.of(shapes, 2);
        double[] q = in.get(0), k = in.get(1), v = in.get(2), mask = in.size() > 3 ? in.get(3) : null;
        double[] out = new double[d.batch * d.lq * d.ev];
        for (int b = 0; b < d.batch; b++) {
            for (int i = 0; i < d.lq; i++) {
                int keys = d.keys(i, causal), oo = (b * d.lq + i) * d.ev;
                double[] s = scores(q, k, mask, d, b, i, keys);
                double m = Double.NEGATIVE_INFINITY, l = 0;
                for (int j = 0; j < keys; j++) {
                    if (s[j] == Double.NEGATIVE_INFINITY) continue;
                    if (s[j] > m) {
                        double scale = Math.exp(m - s[j]);
                        l *= scale;
                        for (int t = 0; t < d.ev; t++) out[oo + t] *= scale;
                        m = s[j];
                    }
                    double p = Math.exp(s[j] - m);
                    l += p;
                    for (int t = 0; t < d.ev; t++) out[oo + t] += p * v[(b * d.lk + j) * d.ev + t];
                }
                double inv = 1 / l;
                for (int t = 0; t < d.ev; t++) out[oo + t] *= inv;
            }
        }
        return out;
    }

    /** Each query row's log-sum-exp of scores; inputs q, k and the optional mask. */
    static double[] logSumExp(List<double[]> in, List<int[]> shapes, boolean causal) {
        Dims d = Dims.of(shapes, -1);
        double[] q = in.get(0), k = in.get(1), mask = in.size() > 2 ? in.get(2) : null;
        double[] out = new double[d.batch * d.lq];
        for (int b = 0; b < d.batch; b++) {
            for (int i = 0; i < d.lq; i++) out[b * d.lq + i] = logSumExp(scores(q, k, mask, d, b, i, d.keys(i, causal)));
        }
        return out;
    }

    /**
     * One input's gradient; inputs q, k, v, dO, lse, D and the optional mask. With
     * {@code P = exp(s − lse)} and {@code dS = P ∘ (dO·v − D)}: q {@code dS k/√E}, k
     * {@code dSᵀ q/√E}, v {@code Pᵀ dO}, the mask {@code dS} (zero where causal masks).
     */
    static double[] gradient(List<double[]> in, List<int[]> shapes, Attr.Attention a) {
        Dims d = Dims.of(shapes, 2);
        double[] q = in.get(0), k = in.get(1), v = in.get(2), dO = in.get(3), lse = in.get(4), dd = in.get(5);
        double[] mask = in.size() > 6 ? in.get(6) : null;
        double c = 1 / Math.sqrt(d.e);
        double[] out = new double[switch (a.wrt()) {
            case 0 -> q.length;
            case 1 -> k.length;
            case 2 -> v.length;
            default -> d.batch * d.lq * d.lk;
        }];
        for (int b = 0; b < d.batch; b++) {
            for (int i = 0; i < d.lq; i++) {
                int row = b * d.lq + i, keys = d.keys(i, a.causal());
                double[] s = scores(q, k, mask, d, b, i, keys);
                for (int j = 0; j < keys; j++) {
                    int key = b * d.lk + j;
                    double p = Math.exp(s[j] - lse[row]);
                    double dp = 0;
                    for (int t = 0; t < d.ev; t++) dp += dO[row * d.ev + t] * v[key * d.ev + t];
                    double ds = p * (dp - dd[row]);
                    switch (a.wrt()) {
                        case 0 -> { for (int t = 0; t < d.e; t++) out[row * d.e + t] += c * ds * k[key * d.e + t]; }
                        case 1 -> { for (int t = 0; t < d.e; t++) out[key * d.e + t] += c * ds * q[row * d.e + t]; }
                        case 2 -> { for (int t = 0; t < d.ev; t++) out[key * d.ev + t] += p * dO[row * d.ev + t]; }
                        default -> out[row * d.lk + j] = ds;
                    }
                }
            }
        }
        return out;
    }
}
