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

    /**
     * The window of a convolution or pooling op over the trailing (spatial) axes of an NCHW
     * tensor, one entry per spatial axis: the kernel's extent, the stride, the zero (or, for max
     * pooling, ignored) padding on both sides, the dilation, and the input's spatial size. The
     * gradient ops carry the same window, since several input sizes give one output size.
     * {@code groups} splits the channels of a convolution (1 for pooling).
     */
    record Window(List<Integer> kernel, List<Integer> stride, List<Integer> padding, List<Integer> dilation, int groups,
                  List<Integer> input) implements Attr {
        public Window {
            kernel = List.copyOf(kernel);
            stride = List.copyOf(stride);
            padding = List.copyOf(padding);
            dilation = List.copyOf(dilation);
            input = List.copyOf(input);
        }

        /** The number of spatial axes (1 or 2). */
        public int rank() {
            return kernel.size();
        }

        /** The output size along spatial axis {@code i}: ⌊(L + 2p − d(K − 1) − 1) / s⌋ + 1, below 1 when the window does not fit. */
        public int output(int i) {
            long span = (long) dilation.get(i) * (kernel.get(i) - 1) + 1;
            long room = (long) input.get(i) + 2L * padding.get(i) - span;
            return room < 0 ? 0 : (int) (room / stride.get(i) + 1);
        }

        /** The output's spatial sizes. */
        public List<Integer> output() {
            List<Integer> out = new java.util.ArrayList<>();
            for (int i = 0; i < rank(); i++) out.add(output(i));
            return out;
        }
    }
}
