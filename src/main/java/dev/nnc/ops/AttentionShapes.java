package dev.nnc.ops;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeException;
import dev.nnc.ir.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape rules of the attention ops ({@link Structured#ATTENTION}, {@code ATTENTION_LSE},
 * {@code ATTENTION_GRAD}): {@code q [..., Lq, E]}, {@code k [..., Lk, E]}, {@code v [..., Lk, Ev]}
 * with the same leading axes, and an optional mask of exactly the scores' shape
 * {@code [..., Lq, Lk]} (the surface function broadcasts it first).
 */
public final class AttentionShapes {
    private AttentionShapes() {}

    /** What each {@code wrt} of a gradient names. */
    public static final List<String> WRT = List.of("q", "k", "v", "mask");

    /** The forward op's result {@code [..., Lq, Ev]}; inputs q, k, v and the optional mask. */
    static Shape output(List<Node> in) {
        Shape q = in.get(0).shape(), v = in.get(2).shape();
        check(q, in.get(1).shape(), v, in.size() > 3 ? in.get(3).shape() : null);
        return q.with(q.rank() - 1, v.last(1));
    }

    /** The row log-sum-exp {@code [..., Lq]}; inputs q, k and the optional mask. */
    static Shape rowStatistic(List<Node> in) {
        Shape q = in.get(0).shape();
        check(q, in.get(1).shape(), null, in.size() > 2 ? in.get(2).shape() : null);
        return new Shape(q.dims().subList(0, q.rank() - 1));
    }

    /** A gradient's shape: that of input {@code wrt}, or the scores' for the mask; inputs q, k, v, dO, lse, D and the optional mask. */
    static Shape gradient(List<Node> in, int wrt) {
        Shape q = in.get(0).shape(), k = in.get(1).shape(), v = in.get(2).shape();
        Shape mask = in.size() > 6 ? in.get(6).shape() : null;
        check(q, k, v, mask);
        Shape rows = new Shape(q.dims().subList(0, q.rank() - 1));
        if (!in.get(3).shape().equals(q.with(q.rank() - 1, v.last(1))) || !in.get(4).shape().equals(rows) || !in.get(5).shape().equals(rows)) {
            throw new IllegalArgumentException("attention gradient of " + in.get(3).shape() + " with statistics " + in.get(4).shape()
                    + ", " + in.get(5).shape() + " for q " + q + ", v " + v);
        }
        return switch (wrt) {
            case 0 -> q;
            case 1 -> k;
            case 2 -> v;
            case 3 -> scores(q, k);
            default -> throw new IllegalArgumentException("an attention gradient is with respect to q, k, v or the mask (0 to 3), not " + wrt);
        };
    }

    /**
     * Checks q, k, v (null for the log-sum-exp) and the mask (null when there is none), with
     * the errors a user sees (E402, E429).
     */
    public static void check(Shape q, Shape k, Shape v, Shape mask) {
        String fn = "scaled_dot_product_attention";
        for (Shape s : v == null ? List.of(q, k) : List.of(q, k, v)) {
            if (s.rank() < 2 || s.rank() != q.rank()) throw new ShapeException(ErrorKind.RANK, fn, "q, k and v of the same rank, 2 or more", q + ", " + k + (v == null ? "" : ", " + v));
        }
        if (!lead(k).equals(lead(q))) throw fit("k", k, "q", q, "their leading axes differ");
        if (!k.last(1).equals(q.last(1))) throw fit("k", k, "q", q, "the last axis (E) is " + k.last(1) + " vs " + q.last(1));
        if (v != null && !lead(v).equals(lead(q))) throw fit("v", v, "q", q, "their leading axes differ");
        if (v != null && !v.last(2).equals(k.last(2))) throw fit("v", v, "k", k, "the key axis (Lk) is " + v.last(2) + " vs " + k.last(2));
        if (mask != null && !mask.equals(scores(q, k))) throw fit("mask", mask, "q", q, "the scores are " + scores(q, k));
    }

    private static ShapeException fit(String what, Shape s, String otherName, Shape other, String why) {
        return new ShapeException(ErrorKind.ATTENTION_SHAPE, what, s, otherName, other, why);
    }

    /** The scores' shape {@code [..., Lq, Lk]}. */
    public static Shape scores(Shape q, Shape k) {
        List<Dim> d = new ArrayList<>(lead(q));
        d.add(q.last(2));
        d.add(k.last(2));
        return new Shape(d);
    }

    /** The number of scores of an attention op: its FLOPs are a count per score. */
    static Size scores(Node n) {
        return scores(n.input(0).shape(), n.input(1).shape()).numel();
    }

    /** ", causal", ", masked" or nothing, for a node whose mask would be input {@code maskInput}. */
    static String label(Node n, int maskInput) {
        if (n.attr(Attr.Attention.class).causal()) return ", causal";
        return n.inputs().size() > maskInput ? ", masked" : "";
    }

    private static List<Dim> lead(Shape s) {
        return s.dims().subList(0, s.rank() - 2);
    }
}
