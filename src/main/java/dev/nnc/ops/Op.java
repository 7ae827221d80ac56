package dev.nnc.ops;

import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import java.util.List;
import java.util.Locale;

/**
 * A primitive operation of the graph IR, with the facts every phase needs, in one place per
 * op family ({@link Family}): each family is an enum whose constants carry their own shape
 * rule (through {@link #rebuild}), vector-Jacobian rule, FLOP count and drawing label, and, for
 * the elementwise families, their scalar semantics and their scalar and Vector API code.
 * Phases dispatch on {@link #family()} with exhaustive switches, then ask the constant.
 *
 * <p>To add an op: add a constant to its family's enum (the Java compiler then asks for every
 * fact it must state), then run {@code OpCoverageTest}, which fails until the op has a gradient
 * check and an interpreter-versus-generated-code check. Structured ops also need a kernel in
 * {@code dev.nnc.codegen} (see {@code docs/architecture.md}).
 */
public sealed interface Op permits Leaf, Elementwise, Reduce, Layout, Structured {
    /** The enum constant's name. */
    String name();

    Family family();

    default String lower() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Re-creates {@code n}'s op over new inputs in {@code g}, applying the op's shape rule (and
     * the identity normalizations of {@link Graph}'s constructors) again.
     */
    Node rebuild(Graph g, Node n, List<Node> inputs);

    /**
     * The vector-Jacobian products: for {@code y = op(x…)} and the adjoint {@code adj} of
     * {@code y}, one gradient per input ({@code null} = zero or not differentiable). A gradient
     * may come back broadcast to {@code y}'s shape; autodiff sums it down to its input's.
     */
    Node[] vjp(Graph g, Node y, Node adj);

    /** Floating-point operations of one evaluation of {@code n} (documented in docs/graph.md). */
    Size flops(Node n);

    /** What {@code n} computes, in a few words, for drawings and listings ({@code sum axis 1}). */
    String label(Node n);

    /** Every op of every family, in a fixed order. */
    static List<Op> all() {
        List<Op> all = new java.util.ArrayList<>();
        all.addAll(List.of(Leaf.values()));
        all.addAll(List.of(Unary.values()));
        all.addAll(List.of(Binary.values()));
        all.addAll(List.of(Ternary.values()));
        all.addAll(List.of(Reduce.values()));
        all.addAll(List.of(Layout.values()));
        all.addAll(List.of(Structured.values()));
        return all;
    }
}
