package dev.nnc.ops;

import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Ops that move, select or relabel elements without arithmetic (so they cost no FLOPs). Each
 * constant states its gradient, its label and the interpreter's kernel; the code generator
 * reads some of them in place (a reshape is the same storage, a broadcast is read with zero
 * strides, a transpose is read in place by products) and copies the others.
 */
public enum Layout implements Op {
    /** Swaps the last two dims. */
    TRANSPOSE {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.transpose(in.get(0)); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) { return new Node[] {g.transpose(adj)}; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            double[] x = in.get(0);
            int[] shape = inShapes.get(0);
            int r = shape.length, rows = shape[r - 2], cols = shape[r - 1];
            int batch = rows * cols == 0 ? 0 : x.length / (rows * cols);
            double[] res = new double[x.length];
            for (int b = 0; b < batch; b++) {
                int base = b * rows * cols;
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) res[base + j * rows + i] = x[base + i * cols + j];
                }
            }
            return res;
        }
    },
    /** Same elements, new shape; attr {@link Attr.ShapeAttr}. */
    RESHAPE {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.reshape(in.get(0), n.shape()); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) { return new Node[] {g.reshape(adj, y.input(0).shape())}; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) { return in.get(0); }
    },
    /** Stretches to a larger shape (NumPy rules); attr {@link Attr.ShapeAttr}. Its gradient is summed back by autodiff. */
    BROADCAST {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.broadcast(in.get(0), n.shape()); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) { return new Node[] {adj}; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            double[] x = in.get(0);
            int[] idx = Index.broadcast(inShapes.get(0), out);
            double[] res = new double[idx.length];
            for (int i = 0; i < res.length; i++) res[i] = x[idx[i]];
            return res;
        }
    },
    /** Concatenates along a static axis; attr {@link Attr.Axis}. */
    CONCAT {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.concat(in, n.attr(Attr.Axis.class).axis()); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            int axis = y.attr(Attr.Axis.class).axis();
            Node[] out = new Node[y.inputs().size()];
            int start = 0;
            for (int i = 0; i < out.length; i++) {
                int len = y.input(i).shape().get(axis).size();
                out[i] = g.slice(adj, axis, start, start + len);
                start += len;
            }
            return out;
        }
        @Override public String label(Node n) { return "concat axis " + n.attr(Attr.Axis.class).axis(); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            int axis = n.attr(Attr.Axis.class).axis();
            int outer = 1, inner = 1;
            for (int i = 0; i < axis; i++) outer *= out[i];
            for (int i = axis + 1; i < out.length; i++) inner *= out[i];
            double[] res = new double[Index.numel(out)];
            int rowLen = out[axis] * inner;
            int start = 0;
            for (int p = 0; p < in.size(); p++) {
                int len = inShapes.get(p)[axis] * inner;
                for (int o = 0; o < outer; o++) System.arraycopy(in.get(p), o * len, res, o * rowLen + start, len);
                start += len;
            }
            return res;
        }
    },
    /** Elements {@code [start, end)} along a static axis; attr {@link Attr.Slice}. */
    SLICE {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) {
            Attr.Slice s = n.attr(Attr.Slice.class);
            return g.slice(in.get(0), s.axis(), s.start(), s.end());
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Attr.Slice s = y.attr(Attr.Slice.class);
            Node x = y.input(0);
            int full = x.shape().get(s.axis()).size();
            List<Node> parts = new ArrayList<>();
            if (s.start() > 0) parts.add(g.filled(0, x.shape().with(s.axis(), Dim.of(s.start()))));
            parts.add(adj);
            if (s.end() < full) parts.add(g.filled(0, x.shape().with(s.axis(), Dim.of(full - s.end()))));
            return new Node[] {g.concat(parts, s.axis())};
        }
        @Override public String label(Node n) {
            Attr.Slice s = n.attr(Attr.Slice.class);
            return "slice axis " + s.axis() + " [" + s.start() + ":" + s.end() + "]";
        }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            Attr.Slice s = n.attr(Attr.Slice.class);
            int[] shape = inShapes.get(0);
            int outer = 1, inner = 1;
            for (int i = 0; i < s.axis(); i++) outer *= shape[i];
            for (int i = s.axis() + 1; i < shape.length; i++) inner *= shape[i];
            int len = (s.end() - s.start()) * inner;
            double[] res = new double[outer * len];
            for (int o = 0; o < outer; o++) System.arraycopy(in.get(0), (o * shape[s.axis()] + s.start()) * inner, res, o * len, len);
            return res;
        }
    },
    /** Reorders the axes; attr {@link Attr.Perm} (result axis i is input axis {@code axes[i]}). */
    PERMUTE {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.permute(in.get(0), n.attr(Attr.Perm.class).axes()); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            List<Integer> p = y.attr(Attr.Perm.class).axes();
            Integer[] inverse = new Integer[p.size()];
            for (int i = 0; i < inverse.length; i++) inverse[p.get(i)] = i;
            return new Node[] {g.permute(adj, List.of(inverse))};
        }
        @Override public String label(Node n) { return "permute " + join(n.attr(Attr.Perm.class).axes()); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            List<Integer> p = n.attr(Attr.Perm.class).axes();
            int[] own = Index.strides(inShapes.get(0));
            int[] st = new int[out.length];
            for (int i = 0; i < st.length; i++) st[i] = own[p.get(i)];
            return gather(in.get(0), Index.walk(out, st));
        }
    },
    /** Basic indexing (integers, strided slices); attr {@link Attr.Select}. */
    SELECT {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.select(in.get(0), n.attr(Attr.Select.class)); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) { return new Node[] {g.place(adj, y.attr(Attr.Select.class))}; }
        @Override public String label(Node n) { return "select " + text(n.attr(Attr.Select.class)); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return gather(in.get(0), Index.select(n.attr(Attr.Select.class), inShapes.get(0), n.origin()));
        }
    },
    /**
     * The adjoint of {@link #SELECT}: zeros of the attr's source shape with the selected elements
     * taken from the input; attr {@link Attr.Select}.
     */
    PLACE {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.place(in.get(0), n.attr(Attr.Select.class)); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) { return new Node[] {g.select(adj, y.attr(Attr.Select.class))}; }
        @Override public String label(Node n) { return "place " + text(n.attr(Attr.Select.class)); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            int[] idx = Index.select(n.attr(Attr.Select.class), out, n.origin());
            double[] x = in.get(0);
            double[] res = new double[Index.numel(out)];
            for (int i = 0; i < idx.length; i++) res[idx[i]] = x[i];
            return res;
        }
    },
    /** Integer labels to one-hot real rows; attr {@link Attr.Count}. No gradient. */
    ONE_HOT {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.oneHot(in.get(0), n.attr(Attr.Count.class).n()); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) { return new Node[1]; }
        @Override public String label(Node n) { return "one_hot " + n.attr(Attr.Count.class).n(); }
        /** A label outside {@code [0, n)} is an error naming it. */
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            int classes = n.attr(Attr.Count.class).n();
            double[] labels = in.get(0);
            double[] res = new double[labels.length * classes];
            for (int i = 0; i < labels.length; i++) {
                double l = labels[i];
                if (!(l >= 0 && l < classes)) {
                    throw new IllegalArgumentException("label " + (l == Math.rint(l) ? Long.toString((long) l) : Double.toString(l))
                            + " (element " + i + ") is out of range for " + classes + " classes: expected 0 to " + (classes - 1));
                }
                res[i * classes + (int) l] = 1.0;
            }
            return res;
        }
    },
    /**
     * Rows of a {@code [V, D]} table (input 0) picked by an int tensor of ids (input 1):
     * {@code out[i, :] = table[ids[i], :]}, shape {@code ids.shape + [D]} ({@code F.embedding}).
     * Its gradient is a {@link Structured#SCATTER_ADD} into the table's shape; the ids get none.
     * An id outside {@code [0, V)} is an {@link IllegalArgumentException} naming their input.
     */
    GATHER {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.gather(in.get(0), in.get(1)); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return new Node[] {g.scatterAdd(adj, y.input(1), y.input(0).shape()), null};
        }
        @Override public String label(Node n) { return "gather rows of " + n.input(0).shape(); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return StructuredEval.gather(in.get(0), in.get(1), inShapes.get(0), Structured.idsName(n));
        }
    },
    /** The identity, with a zero gradient. */
    STOP_GRADIENT {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.stopGradient(in.get(0)); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) { return new Node[1]; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) { return in.get(0); }
    },
    /**
     * Its first input in training mode ({@code trainStep}, {@code nnc eval --train}), its second
     * everywhere else: the one place where the two modes differ (dropout, batch statistics). The
     * passes resolve it before code generation; the interpreter evaluates only the chosen input.
     */
    MODE {
        @Override public Node rebuild(Graph g, Node n, List<Node> in) { return g.mode(in.get(0), in.get(1)); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node zero = g.filled(0, y.shape());
            return new Node[] {g.mode(adj, zero), g.mode(zero, adj)};
        }
        @Override public String label(Node n) { return "train ? • : •"; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            throw new IllegalStateException("a mode is resolved by the evaluator, which reads only the chosen input");
        }
    };

    /**
     * The interpreter's kernel: the result's elements (row-major) from the inputs' (integer
     * labels as doubles) and their concrete shapes; {@code out} is the result's concrete shape.
     * May return an input's own array when the elements are the same.
     */
    public abstract double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out);

    private static double[] gather(double[] x, int[] idx) {
        double[] res = new double[idx.length];
        for (int i = 0; i < res.length; i++) res[i] = x[idx[i]];
        return res;
    }

    private static String join(List<Integer> xs) {
        StringBuilder sb = new StringBuilder();
        for (int x : xs) sb.append(sb.length() == 0 ? "" : ",").append(x);
        return sb.toString();
    }

    /** An indexing as one could write it: {@code [:, 1:5:2, -1]}. */
    static String text(Attr.Select s) {
        List<String> parts = new ArrayList<>();
        for (int a = 0; a < s.ranges().size(); a++) {
            Attr.Range r = s.ranges().get(a);
            String first = r.fromEnd() ? "-" + r.start() : Integer.toString(r.start());
            if (r.whole()) parts.add(":");
            else if (r.drop()) parts.add(first);
            else {
                int end = (r.fromEnd() ? -r.start() : r.start()) + (r.count() - 1) * r.step() + 1;
                parts.add(first + ":" + (r.fromEnd() && end == 0 ? "" : Integer.toString(end)) + (r.step() == 1 ? "" : ":" + r.step()));
            }
        }
        return "[" + String.join(", ", parts) + "]";
    }

    @Override
    public Family family() {
        return Family.LAYOUT;
    }

    @Override
    public Size flops(Node n) {
        return Size.ZERO;
    }

    @Override
    public String label(Node n) {
        return lower();
    }
}
