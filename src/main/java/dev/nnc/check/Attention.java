package dev.nnc.check;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeException;
import dev.nnc.ir.ShapeRules;
import dev.nnc.ops.AttentionShapes;
import dev.nnc.ops.Structured;
import java.util.ArrayList;
import java.util.List;

/** The lowering of {@code scaled_dot_product_attention} to its fused op. */
final class Attention {
    private Attention() {}

    /**
     * {@code scaled_dot_product_attention(q, k, v, mask, causal)} as
     * {@code F.scaled_dot_product_attention} without dropout: one {@code ATTENTION} node, the
     * mask (optional, additive) broadcast to the scores {@code [..., Lq, Lk]} first. A mask and
     * {@code causal = true} together are an error (E428), as in PyTorch; so are shapes that do
     * not fit (E402, E429).
     */
    static Node lower(Graph g, Builtins.Args a) {
        Node q = a.tensor("q"), k = a.tensor("k"), v = a.tensor("v"), mask = a.tensor("mask");
        boolean causal = a.bool("causal");
        if (mask != null && causal) throw new ShapeException(ErrorKind.ATTENTION_MASK_AND_CAUSAL);
        AttentionShapes.check(q.shape(), k.shape(), v.shape(), null);
        List<Node> in = new ArrayList<>(List.of(q, k, v));
        if (mask != null) {
            Shape scores = AttentionShapes.scores(q.shape(), k.shape());
            boolean fits = mask.shape().rank() <= scores.rank();
            if (fits) {
                try {
                    fits = ShapeRules.broadcastShapes(mask.shape(), scores, "broadcast").equals(scores);
                } catch (ShapeException e) {
                    fits = false;
                }
            }
            if (!fits) {
                throw new ShapeException(ErrorKind.ATTENTION_SHAPE, "mask", mask.shape(), "q", q.shape(),
                        "it does not broadcast to the scores " + scores);
            }
            in.add(mask.shape().equals(scores) ? mask : g.broadcast(mask, scores));
        }
        return g.structured(Structured.ATTENTION, in, new Attr.Attention(causal, -1));
    }
}
