package dev.nnc.interp;

import dev.nnc.interp.GradientCheckTest.Builder;
import dev.nnc.interp.GradientCheckTest.Case;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ops.AttentionShapes;
import dev.nnc.ops.Structured;
import java.util.ArrayList;
import java.util.List;

/**
 * The finite-difference cases of {@link GradientCheckTest} for the attention ops: the forward op
 * (its gradients are the fused gradient ops) with respect to q, k, v and a real mask, causal or
 * not, with leading axes and {@code Lq ≠ Lk}; and the row log-sum-exp and each gradient op on
 * independent inputs (their own gradients are those of their compositions: second derivatives).
 */
final class AttentionGradientCases {
    private AttentionGradientCases() {}

    static List<Case> cases(long seed) {
        List<Case> cs = new ArrayList<>();
        // {q, k, v}: leading axes, Lq, Lk, E, Ev
        int[][][] shapes = {{{3, 4}, {3, 4}, {3, 2}}, {{2, 3, 2}, {2, 4, 2}, {2, 4, 3}}, {{2, 1, 4, 3}, {2, 1, 3, 3}, {2, 1, 3, 2}}};
        for (int[][] s : shapes) {
            for (int variant = 0; variant < 3; variant++) {
                Builder b = new Builder(seed++);
                Node q = b.input("q", s[0], -1.5, 1.5), k = b.input("k", s[1], -1.5, 1.5), v = b.input("v", s[2], -2, 2);
                List<Node> in = new ArrayList<>(List.of(q, k, v));
                if (variant == 2) in.add(b.input("mask", AttentionShapes.scores(q.shape(), k.shape()).sizes(java.util.Map.of()), -1, 1));
                boolean causal = variant == 1;
                String name = "ATTENTION " + Tensor.shapeString(s[0]) + " " + Tensor.shapeString(s[1]) + " " + Tensor.shapeString(s[2])
                        + (causal ? " causal" : variant == 2 ? " with a mask" : "");
                cs.add(b.build(name, b.g.structured(Structured.ATTENTION, in, new Attr.Attention(causal, -1))));
            }
        }
        for (boolean causal : new boolean[] {false, true}) {
            for (boolean masked : new boolean[] {false, true}) {
                if (causal && masked) continue;
                Builder b = new Builder(seed++);
                int[] qs = {2, 3, 2}, ks = {2, 4, 2}, vs = {2, 4, 3};
                Node q = b.input("q", qs, -1.5, 1.5), k = b.input("k", ks, -1.5, 1.5);
                Node mask = masked ? b.input("mask", new int[] {2, 3, 4}, -1, 1) : null;
                List<Node> lseIn = new ArrayList<>(List.of(q, k));
                if (masked) lseIn.add(mask);
                String how = causal ? " causal" : masked ? " with a mask" : "";
                cs.add(b.build("ATTENTION_LSE" + how, b.g.structured(Structured.ATTENTION_LSE, lseIn, new Attr.Attention(causal, -1))));
                Node v = b.input("v", vs, -2, 2), dO = b.input("dO", new int[] {2, 3, 3}, -1, 1);
                Node lse = b.input("lse", new int[] {2, 3}, 0.5, 1.5), d = b.input("D", new int[] {2, 3}, -0.5, 0.5);
                List<Node> in = new ArrayList<>(List.of(q, k, v, dO, lse, d));
                if (masked) in.add(mask);
                for (int wrt = 0; wrt < (masked ? 4 : 3); wrt++) {
                    cs.add(b.build("ATTENTION_GRAD of " + AttentionShapes.WRT.get(wrt) + how,
                            b.g.structured(Structured.ATTENTION_GRAD, in, new Attr.Attention(causal, wrt))));
                }
            }
        }
        return cs;
    }
}
