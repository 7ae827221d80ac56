package dev.nnc.ops;

import dev.nnc.diag.Span;
import dev.nnc.ir.Attr;
import java.util.Map;

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

    /**
     * The offsets, in a row-major tensor of concrete shape {@code source}, of the elements that
     * {@code s} selects, in row-major order of the selection. A runtime dim too small for the
     * selection is an {@link IllegalArgumentException} naming it ({@link #tooSmall}).
     */
    public static int[] select(Attr.Select s, int[] source, Span origin) {
        for (Map.Entry<String, Integer> need : s.needs().entrySet()) {
            for (int a = 0; a < source.length; a++) {
                String d = s.source().get(a).symbol();
                if (need.getKey().equals(d) && source[a] < need.getValue()) {
                    throw new IllegalArgumentException("dim " + d + " is " + source[a] + tooSmall(need.getValue(), origin));
                }
            }
        }
        int[] strides = strides(source);
        int rank = 0;
        for (Attr.Range r : s.ranges()) if (!r.drop()) rank++;
        int[] shape = new int[rank];
        int[] st = new int[rank];
        int offset = 0;
        int k = 0;
        for (int a = 0; a < source.length; a++) {
            Attr.Range r = s.ranges().get(a);
            offset += r.first(source[a]) * strides[a];
            if (r.drop()) continue;
            shape[k] = r.count(source[a]);
            st[k++] = r.step() * strides[a];
        }
        int[] idx = walk(shape, st);
        for (int i = 0; i < idx.length; i++) idx[i] += offset;
        return idx;
    }

    /**
     * The end of the message of a runtime dim too small for an indexing, after
     * {@code "dim batch is 2"}: where the indexing is written and the size it needs. Generated
     * code says the same.
     */
    public static String tooSmall(int need, Span origin) {
        String file = origin.file();
        int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
        String at = origin.isNone() ? "" : " at " + file.substring(slash + 1) + ":" + origin.line() + ":" + origin.col();
        return ", but the indexing" + at + " needs at least " + need;
    }
}
