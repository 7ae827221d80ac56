package dev.nnc.ops;

/** Row-major index arithmetic over concrete shapes, for the interpreter's kernels. */
public final class Index {
    private Index() {}

    /** The element count of a concrete shape. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + text(shape) + " has more than 2^31-1 elements");
        return (int) n;
    }

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
    public static int[] broadcast(int[] in, int[] out) {
        int r = out.length;
        int lead = r - in.length;
        if (lead < 0) throw new IllegalArgumentException("cannot broadcast " + text(in) + " to " + text(out));
        int[] inStrides = strides(in);
        int[] st = new int[r];
        for (int i = lead; i < r; i++) {
            int d = in[i - lead];
            if (d == out[i]) st[i] = inStrides[i - lead];
            else if (d == 1) st[i] = 0;
            else throw new IllegalArgumentException("cannot broadcast " + text(in) + " to " + text(out));
        }
        return walk(out, st);
    }

    /** The offsets {@code sum(index[i] * strides[i])} of every index of {@code shape}, in row-major order. */
    public static int[] walk(int[] shape, int[] strides) {
        int r = shape.length;
        int n = numel(shape);
        int[] idx = new int[n];
        int[] counter = new int[r];
        int off = 0;
        for (int k = 0; k < n; k++) {
            idx[k] = off;
            for (int i = r - 1; i >= 0; i--) {
                if (++counter[i] < shape[i]) {
                    off += strides[i];
                    break;
                }
                off -= strides[i] * (counter[i] - 1);
                counter[i] = 0;
            }
        }
        return idx;
    }

    /** {@code [2, 3]}. */
    public static String text(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
        return sb.append(']').toString();
    }
}
