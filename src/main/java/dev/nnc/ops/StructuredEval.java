package dev.nnc.ops;

/**
 * The interpreter's kernels of the structured ops and of the gather: plain loops in double over
 * concrete shapes, written for clarity (they are the oracle that generated code is tested
 * against). Ids arrive as doubles, like every integer tensor in the interpreter.
 */
final class StructuredEval {
    private StructuredEval() {}

    /**
     * The batched product of {@link Structured#MATMUL}: for every index of the broadcast batch,
     * {@code c[batch] += a[batch] · b[batch]}, where each operand is read with broadcasting and
     * the result's size-1 batch axes (the summed ones) collect every product that maps to them.
     */
    static double[] matmul(double[] a, double[] b, int[] sa, int[] sb, int[] out) {
        int r = sa.length, m = sa[r - 2], k = sa[r - 1], n = sb[r - 1];
        int[] ba = batch(sa), bb = batch(sb), bo = batch(out);
        int[] full = new int[r - 2];
        for (int i = 0; i < full.length; i++) full[i] = Math.max(ba[i], bb[i]);
        int[] ia = Index.broadcast(ba, full), ib = Index.broadcast(bb, full), io = Index.broadcast(bo, full);
        double[] c = new double[Index.numel(out)];
        for (int t = 0; t < ia.length; t++) {
            int ao = ia[t] * m * k, bo0 = ib[t] * k * n, co = io[t] * m * n;
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    double av = a[ao + i * k + p];
                    for (int j = 0; j < n; j++) c[co + i * n + j] += av * b[bo0 + p * n + j];
                }
            }
        }
        return c;
    }

    private static int[] batch(int[] shape) {
        return java.util.Arrays.copyOf(shape, shape.length - 2);
    }

    /** Rows {@code table[ids[i]]} of a {@code [V, D]} table; an id outside {@code [0, V)} is an error naming {@code what}. */
    static double[] gather(double[] table, double[] ids, int[] tableShape, String what) {
        int v = tableShape[0], d = tableShape[1];
        double[] out = new double[ids.length * d];
        for (int i = 0; i < ids.length; i++) System.arraycopy(table, id(ids, i, v, what) * d, out, i * d, d);
        return out;
    }

    /** {@code out[ids[i]] += values[i]} over zero rows {@code [V, D]}: repeated ids accumulate. */
    static double[] scatterAdd(double[] values, double[] ids, int[] out, String what) {
        int v = out[0], d = out[1];
        double[] res = new double[v * d];
        for (int i = 0; i < ids.length; i++) {
            int row = id(ids, i, v, what) * d;
            for (int j = 0; j < d; j++) res[row + j] += values[i * d + j];
        }
        return res;
    }

    private static int id(double[] ids, int i, int v, String what) {
        double id = ids[i];
        if (!(id >= 0 && id < v)) {
            String text = id == Math.rint(id) ? Long.toString((long) id) : Double.toString(id);
            throw new IllegalArgumentException(what + ": id " + text + " at position " + i + " is outside [0, " + v + ")");
        }
        return (int) id;
    }

    /** Each row of {@code d} elements: {@code (x − mean) · r}, {@code r = 1/√(biased variance + eps)}. */
    static double[] layerNorm(double[] x, int d, double eps) {
        double[] out = new double[x.length];
        for (int o = 0; o < x.length; o += d) {
            double mean = mean(x, o, d), r = 1 / Math.sqrt(variance(x, o, d, mean) + eps);
            for (int j = 0; j < d; j++) out[o + j] = (x[o + j] - mean) * r;
        }
        return out;
    }

    /** Each row: {@code r · (g − mean(g) − h · mean(g · h))} with {@code h} the normalized row. */
    static double[] layerNormGrad(double[] x, double[] g, int d, double eps) {
        double[] out = new double[x.length];
        for (int o = 0; o < x.length; o += d) {
            double mean = mean(x, o, d), r = 1 / Math.sqrt(variance(x, o, d, mean) + eps);
            double sg = 0, sgh = 0;
            for (int j = 0; j < d; j++) {
                sg += g[o + j];
                sgh += g[o + j] * ((x[o + j] - mean) * r);
            }
            double mg = sg / d, mgh = sgh / d;
            for (int j = 0; j < d; j++) out[o + j] = r * (g[o + j] - mg - (x[o + j] - mean) * r * mgh);
        }
        return out;
    }

    private static double mean(double[] x, int o, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += x[o + j];
        return s / d;
    }

    private static double variance(double[] x, int o, int d, double mean) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (x[o + j] - mean) * (x[o + j] - mean);
        return s / d;
    }
}
