package dev.nnc.ir;

import java.util.List;

/**
 * Op attributes: small immutable records whose equality takes part in hash-consing.
 * Doubles compare with {@link Double#compare} semantics (records do), so NaN equals NaN and
 * {@code -0.0} differs from {@code 0.0}.
 */
public sealed interface Attr {
    /** No attribute. */
    record None() implements Attr {
        public static final None INSTANCE = new None();
    }

    /** An input's, param's or buffer's name and its position in declaration order. */
    record Leaf(String name, int index) implements Attr {}

    /** A number: a constant's value, a POWC exponent, an ELU alpha. */
    record Const(double value) implements Attr {}

    /** A product of runtime dims (the value of a SIZE node). */
    record Extent(Size size) implements Attr {}

    /** Dropout probability and a unique id per dropout site (so two sites are two masks). */
    record Dropout(double p, int site) implements Attr {}

    /** Reduction axes (sorted, non-negative) and whether they are kept as size 1. */
    record Axes(List<Integer> axes, boolean keepdims) implements Attr {
        public Axes {
            axes = List.copyOf(axes);
        }
    }

    /** A target shape. */
    record ShapeAttr(Shape shape) implements Attr {}

    /** One axis. */
    record Axis(int axis) implements Attr {}

    /** {@code [start, end)} along {@code axis}. */
    record Slice(int axis, int start, int end) implements Attr {}

    /** A class count. */
    record Count(int n) implements Attr {}
}
