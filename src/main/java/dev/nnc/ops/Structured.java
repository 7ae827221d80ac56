package dev.nnc.ops;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeException;
import dev.nnc.ir.Size;
import java.util.List;

/**
 * Ops whose arithmetic is not a loop over elements: each has its own kernel in the code
 * generator (see {@code dev.nnc.codegen.StructuredKernels}), which declares the views it reads in
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
