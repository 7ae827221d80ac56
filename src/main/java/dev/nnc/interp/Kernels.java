package dev.nnc.interp;

import dev.nnc.ir.Op;
import dev.nnc.ir.ScalarOps;
import java.util.Arrays;
import java.util.List;

/**
 * The interpreter's kernels: the scalar definition of every elementwise op and plain loops
 * over row-major arrays for the structural ones. The scalar functions are the numerical
 * contract that generated code follows (stability and kink conventions as PyTorch).
 */
public final class Kernels {
    private Kernels() {}

    // ------------------------------------------------------------------ scalar definitions

    /** The value of unary op {@code op} at {@code x} ({@link ScalarOps}, shared with constant folding). */
    public static double unary(Op op, double x, double c) {
        return ScalarOps.unary(op, x, c);
    }

    /** The value of binary op {@code op} at {@code (a, b)} ({@link ScalarOps}). */
    public static double binary(Op op, double a, double b) {
        return ScalarOps.binary(op, a, b);
    }

    // ------------------------------------------------------------------ shapes and indexing

    /** Row-major strides of {@code shape}. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /**
     * For each element of {@code out} (row-major), the offset of the element of a tensor of
     * shape {@code in} that NumPy broadcasting maps to it (trailing dims aligned; a size-1 or
     * missing dim repeats). {@code in} must broadcast to {@code out}.
     */
    public static int[] broadcastIndex(int[] in, int[] out) {
        int r = out.length;
        int lead = r - in.length;
        if (lead < 0) throw new IllegalArgumentException("cannot broadcast " + Tensor.shapeString(in) + " to " + Tensor.shapeString(out));
        int[] inStrides = strides(in);
        int[] st = new int[r];
        for (int i = 0; i < r; i++) {
            if (i < lead) continue;
            int d = in[i - lead];
            if (d == out[i]) st[i] = inStrides[i - lead];
            else if (d == 1) st[i] = 0;
            else throw new IllegalArgumentException("cannot broadcast " + Tensor.shapeString(in) + " to " + Tensor.shapeString(out));
        }
        int n = Tensor.numel(out);
        int[] idx = new int[n];
        int[] counter = new int[r];
        int off = 0;
        for (int k = 0; k < n; k++) {
            idx[k] = off;
            for (int i = r - 1; i >= 0; i--) {
                if (++counter[i] < out[i]) {
                    off += st[i];
                    break;
                }
                off -= st[i] * (counter[i] - 1);
                counter[i] = 0;
            }
        }
        return idx;
    }

    /**
     * SUM or MAX of {@code x} (shape {@code in}) over the sorted {@code axes}; the result is laid
     * out as with {@code keepdims} (the same row-major order either way). Sums accumulate in
     * double in row-major order of the input; MAX propagates NaN (as torch.amax) and is
     * {@code -inf} over an empty axis.
     */
    public static double[] reduce(Op op, double[] x, int[] in, List<Integer> axes) {
        int r = in.length;
        int[] kept = in.clone();
        for (int a : axes) kept[a] = 1;
        int[] outStrides = strides(kept);
        int[] st = new int[r];
        for (int i = 0; i < r; i++) st[i] = axes.contains(i) ? 0 : outStrides[i];
        double[] out = new double[Tensor.numel(kept)];
        if (op == Op.MAX) Arrays.fill(out, Double.NEGATIVE_INFINITY);
        int[] counter = new int[r];
        int off = 0;
        for (int k = 0; k < x.length; k++) {
            double v = x[k];
            if (op == Op.SUM) {
                out[off] += v;
            } else if (v > out[off] || v != v) {
                if (out[off] == out[off]) out[off] = v; // once NaN, stays NaN
            }
            for (int i = r - 1; i >= 0; i--) {
                if (++counter[i] < in[i]) {
                    off += st[i];
                    break;
                }
                off -= st[i] * (counter[i] - 1);
                counter[i] = 0;
            }
        }
        return out;
    }

    /** {@code [m,k] @ [k,n]}, each product accumulated in double over ascending k. */
    public static double[] matmul(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double av = a[i * k + p];
                int bo = p * n;
                int co = i * n;
                for (int j = 0; j < n; j++) c[co + j] += av * b[bo + j];
            }
        }
        return c;
    }

    /** Swaps the last two dims of a tensor of shape {@code in} (rank >= 2). */
    public static double[] transpose(double[] x, int[] in) {
        int r = in.length;
        int rows = in[r - 2], cols = in[r - 1];
        int batch = rows * cols == 0 ? 0 : x.length / (rows * cols);
        double[] out = new double[x.length];
        for (int b = 0; b < batch; b++) {
            int base = b * rows * cols;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) out[base + j * rows + i] = x[base + i * cols + j];
            }
        }
        return out;
    }

    /** Concatenation of row-major parts along {@code axis}; {@code out} is the result's shape. */
    public static double[] concat(List<double[]> parts, List<int[]> shapes, int axis, int[] out) {
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= out[i];
        int inner = 1;
        for (int i = axis + 1; i < out.length; i++) inner *= out[i];
        double[] res = new double[Tensor.numel(out)];
        int rowLen = out[axis] * inner;
        int start = 0;
        for (int p = 0; p < parts.size(); p++) {
            int len = shapes.get(p)[axis] * inner;
            double[] src = parts.get(p);
            for (int o = 0; o < outer; o++) System.arraycopy(src, o * len, res, o * rowLen + start, len);
            start += len;
        }
        return res;
    }

    /** Elements {@code [start, end)} along {@code axis} of a tensor of shape {@code in}. */
    public static double[] slice(double[] x, int[] in, int axis, int start, int end) {
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= in[i];
        int inner = 1;
        for (int i = axis + 1; i < in.length; i++) inner *= in[i];
        int len = (end - start) * inner;
        double[] res = new double[outer * len];
        for (int o = 0; o < outer; o++) System.arraycopy(x, (o * in[axis] + start) * inner, res, o * len, len);
        return res;
    }

    /** One-hot rows: {@code n} reals per label; a label outside {@code [0, n)} is an error naming it. */
    public static double[] oneHot(double[] labels, int n) {
        double[] res = new double[labels.length * n];
        for (int i = 0; i < labels.length; i++) {
            double l = labels[i];
            if (!(l >= 0 && l < n)) {
                throw new IllegalArgumentException("label " + (l == Math.rint(l) ? Long.toString((long) l) : Double.toString(l))
                        + " (element " + i + ") is out of range for " + n + " classes: expected 0 to " + (n - 1));
            }
            res[i * n + (int) l] = 1.0;
        }
        return res;
    }
}
