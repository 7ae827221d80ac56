package dev.nnc.ops;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeException;
import dev.nnc.ir.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Ops whose arithmetic is not a loop over elements: each has its own kernel in the code
 * generator (see {@code dev.nnc.codegen.OpKernels}), which declares the views it reads in
 * place, the scratch it needs and whether its rows may split over threads.
 */
public enum Structured implements Op {
    /** The 2-D matrix product {@code [m,k] @ [k,n]}; other ranks of {@code @} lower to it. */
    MATMUL {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Shape sa = in.get(0).shape(), sb = in.get(1).shape();
            if (sa.rank() != 2 || sb.rank() != 2) throw new ShapeException(ErrorKind.RANK, "@", "operands of rank 2", sa + " @ " + sb);
            if (!sa.get(1).equals(sb.get(0))) throw new ShapeException(ErrorKind.MATMUL, sa, sb, sa.get(1), sb.get(0));
            return Shape.of(sa.get(0), sb.get(1));
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node a = y.input(0), b = y.input(1);
            return new Node[] {g.matmul(adj, g.transpose(b)), g.matmul(g.transpose(a), adj)};
        }
        /** {@code 2·m·k·n}: a multiply and an add per term. */
        @Override public Size flops(Node n) { return n.shape().numel().times(Size.of(n.input(0).shape().get(1))).times(2); }
        /** Each product accumulated in double over ascending k. */
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            double[] a = in.get(0), b = in.get(1);
            int m = inShapes.get(0)[0], k = inShapes.get(0)[1], cols = inShapes.get(1)[1];
            double[] c = new double[m * cols];
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    double av = a[i * k + p];
                    for (int j = 0; j < cols; j++) c[i * cols + j] += av * b[p * cols + j];
                }
            }
            return c;
        }
    },
    /**
     * A convolution (1-D or 2-D) of {@code x [N, C, spatial…]} by {@code w [O, C / groups, kernel…]}
     * as {@code F.conv1d/2d} without bias: {@code [N, O, out…]}; attr {@link Attr.Window}.
     */
    CONV {
        @Override public Shape shape(List<Node> in, Attr attr) { return Windows.conv(in.get(0).shape(), in.get(1).shape(), (Attr.Window) attr); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node x = y.input(0), w = y.input(1);
            return new Node[] {g.structured(CONV_INPUT_GRAD, List.of(adj, w), y.attr()), g.structured(CONV_WEIGHT_GRAD, List.of(x, adj), y.attr())};
        }
        /** {@code 2·k} per output element, {@code k = C / groups · kernel elements}. */
        @Override public Size flops(Node n) { return n.shape().numel().times(2L * Windows.plane(n).k()); }
        @Override public String label(Node n) { return Windows.label("conv", n); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.conv(Windows.plane(n), out[0], in.get(0), in.get(1));
        }
    },
    /**
     * The gradient of {@link #CONV} with respect to its input: {@code (dy, w)} to {@code [N, C,
     * input…]}, the window's input size. Linear in both; its own gradients are a convolution and
     * a weight gradient.
     */
    CONV_INPUT_GRAD {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Attr.Window win = (Attr.Window) attr;
            Shape dy = in.get(0).shape(), w = in.get(1).shape();
            List<Dim> xs = new ArrayList<>(List.of(dy.get(0), Dim.of(w.get(1).size() * win.groups())));
            for (int i : win.input()) xs.add(Dim.of(i));
            Shape x = new Shape(xs);
            Windows.same(lower(), Windows.conv(x, w, win), dy);
            return x;
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node dy = y.input(0), w = y.input(1);
            return new Node[] {g.structured(CONV, List.of(adj, w), y.attr()), g.structured(CONV_WEIGHT_GRAD, List.of(adj, dy), y.attr())};
        }
        @Override public Size flops(Node n) { return n.input(0).shape().numel().times(2L * Windows.plane(n).k()); }
        @Override public String label(Node n) { return Windows.label("conv", n) + " input grad"; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.inputGrad(Windows.plane(n), out[0], in.get(0), in.get(1));
        }
    },
    /**
     * The gradient of {@link #CONV} with respect to its weight: {@code (x, dy)} to {@code [O, C /
     * groups, kernel…]}, summed over the batch.
     */
    CONV_WEIGHT_GRAD {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Attr.Window win = (Attr.Window) attr;
            Shape x = in.get(0).shape(), dy = in.get(1).shape();
            List<Dim> ws = new ArrayList<>();
            ws.add(dy.get(1));
            ws.add(Dim.of(x.get(1).size() / win.groups()));
            for (int k : win.kernel()) ws.add(Dim.of(k));
            Shape w = new Shape(ws);
            Windows.same(lower(), Windows.conv(x, w, win), dy);
            return w;
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node x = y.input(0), dy = y.input(1);
            return new Node[] {g.structured(CONV_INPUT_GRAD, List.of(dy, adj), y.attr()), g.structured(CONV, List.of(x, adj), y.attr())};
        }
        @Override public Size flops(Node n) { return n.input(1).shape().numel().times(2L * Windows.plane(n).k()); }
        @Override public String label(Node n) { return Windows.label("conv", n) + " weight grad"; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.weightGrad(Windows.plane(n), inShapes.get(0)[0], in.get(0), in.get(1));
        }
    },
    /**
     * Max pooling (1-D or 2-D): {@code (keys, values)} to {@code [N, C, out…]}, the element of
     * {@code values} where each window of {@code keys} has its first maximum in row-major order
     * ({@code max_pool2d(x)} is {@code MAX_POOL(x, x)}). The choice of element is constant almost
     * everywhere, so {@code keys} gets no gradient; {@code values} gets {@link #MAX_UNPOOL}.
     */
    MAX_POOL {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Windows.same(lower(), in.get(0).shape(), in.get(1).shape());
            return Windows.pool("max_pool", in.get(0).shape(), (Attr.Window) attr);
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return new Node[] {null, g.structured(MAX_UNPOOL, List.of(y.input(0), adj), y.attr())};
        }
        /** One comparison per window element. */
        @Override public Size flops(Node n) { return n.shape().numel().times((long) Windows.plane(n).kh() * Windows.plane(n).kw()); }
        @Override public String label(Node n) { return Windows.label("max_pool", n); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.maxPool(Windows.plane(n), out[0], in.get(0), in.get(1));
        }
    },
    /**
     * The gradient of {@link #MAX_POOL}: {@code (keys, v)} to the shape of {@code keys}, each
     * element of {@code v} added where its window of {@code keys} has its first maximum.
     */
    MAX_UNPOOL {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Windows.same(lower(), Windows.pool("max_pool", in.get(0).shape(), (Attr.Window) attr), in.get(1).shape());
            return in.get(0).shape();
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return new Node[] {null, g.structured(MAX_POOL, List.of(y.input(0), adj), y.attr())};
        }
        @Override public Size flops(Node n) { return n.input(1).shape().numel().times((long) Windows.plane(n).kh() * Windows.plane(n).kw()); }
        @Override public String label(Node n) { return Windows.label("max_pool", n) + " grad"; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.maxUnpool(Windows.plane(n), out[0], in.get(0), in.get(1));
        }
    };

    /** The shape rule: the result's shape, or a {@link ShapeException} for inputs the op does not take. */
    public abstract Shape shape(List<Node> in, Attr attr);

    /** The interpreter's kernel, as {@link Layout#eval}. */
    public abstract double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out);

    @Override
    public Family family() {
        return Family.STRUCTURED;
    }

    @Override
    public Node rebuild(Graph g, Node n, List<Node> in) {
        return g.structured(this, in, n.attr());
    }

    @Override
    public String label(Node n) {
        return lower();
    }
}
