package dev.nnc.ir;

import dev.nnc.diag.ErrorKind;
import java.util.ArrayList;
import java.util.List;

/** The surface {@code @} ({@link Graph#matmul}): operands of any rank lowered to the product primitive. */
final class MatmulLowering {
    private MatmulLowering() {}

    /**
     * {@code a @ b} as {@code torch.matmul}: a 1-D operand becomes a matrix ({@code [k]} a row,
     * {@code [k]} on the right a column) whose added axis the result drops; operands of rank 3
     * or more multiply their last two axes and broadcast the leading ones, the lower-rank
     * operand first padded with leading axes of size 1. Everything lowers to one
     * {@link dev.nnc.ops.Structured#MATMUL} of two operands of the same rank.
     */
    static Node lower(Graph G, Node a, Node b) {
        NodeStore.requireReal(a, "@");
        NodeStore.requireReal(b, "@");
        Shape sa = a.shape(), sb = b.shape();
        if (sa.rank() < 1 || sb.rank() < 1) {
            throw new ShapeException(ErrorKind.RANK, "@", "operands of rank 1 or more", sa + " @ " + sb);
        }
        Dim ka = sa.last(1);
        Dim kb = sb.rank() == 1 ? sb.get(0) : sb.last(2);
        if (!ka.equals(kb)) throw new ShapeException(ErrorKind.MATMUL, sa, sb, ka, kb);
        Node a2 = sa.rank() == 1 ? G.reshape(a, Shape.of(Dim.of(1), ka)) : a;
        Node b2 = sb.rank() == 1 ? G.reshape(b, Shape.of(kb, Dim.of(1))) : b;
        int r = Math.max(a2.shape().rank(), b2.shape().rank());
        a2 = withLeadingOnes(G, a2, r);
        b2 = withLeadingOnes(G, b2, r);
        for (int i = 0; i < r - 2; i++) {
            Dim da = a2.shape().get(i), db = b2.shape().get(i);
            if (!da.equals(db) && !da.isOne() && !db.isOne()) throw new ShapeException(ErrorKind.BROADCAST, "multiply", sa, sb, i, da, db);
        }
        Node p = G.product(a2, b2, List.of());
        List<Dim> out = new ArrayList<>(p.shape().dims().subList(0, r - 2));
        if (sa.rank() >= 2) out.add(sa.last(2));
        if (sb.rank() >= 2) out.add(sb.last(1));
        return G.reshape(p, new Shape(out));
    }

    /** {@code x} reshaped to rank {@code rank} by leading axes of size 1. */
    private static Node withLeadingOnes(Graph G, Node x, int rank) {
        List<Dim> ds = new ArrayList<>();
        for (int i = x.shape().rank(); i < rank; i++) ds.add(Dim.of(1));
        ds.addAll(x.shape().dims());
        return G.reshape(x, new Shape(ds));
    }
}
