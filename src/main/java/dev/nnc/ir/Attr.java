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

    /**
     * A scaled dot-product attention op's options: whether keys after the query's position are
     * masked ({@code causal}, top-left aligned), and for its gradient which input it is the
     * gradient of ({@code wrt}: 0 q, 1 k, 2 v, 3 the mask; −1 for the forward ops).
     */
    record Attention(boolean causal, int wrt) implements Attr {}

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

    /** A permutation of axes: axis {@code i} of the result is axis {@code axes.get(i)} of the input. */
    record Perm(List<Integer> axes) implements Attr {
        public Perm {
            axes = List.copyOf(axes);
        }
    }

    /**
     * Basic indexing of a tensor of shape {@code source}: one {@link Range} per axis of it. Read
     * by {@code SELECT} (the selected elements) and by {@code PLACE} (its adjoint: the selected
     * elements put back into zeros of shape {@code source}).
     */
    record Select(List<Range> ranges, Shape source) implements Attr {
        public Select {
            ranges = List.copyOf(ranges);
            if (ranges.size() != source.rank()) throw new IllegalArgumentException(ranges.size() + " ranges for " + source);
        }

        /** The shape of the selection: the kept axes, in order. */
        public Shape shape() {
            List<Dim> out = new java.util.ArrayList<>();
            for (int a = 0; a < ranges.size(); a++) {
                Range r = ranges.get(a);
                if (!r.drop()) out.add(r.whole() ? source.get(a) : Dim.of(r.count()));
            }
            return new Shape(out);
        }

        /** True when every element is selected in place (nothing dropped, every axis whole or complete). */
        public boolean isIdentity() {
            for (int a = 0; a < ranges.size(); a++) {
                Range r = ranges.get(a);
                Dim d = source.get(a);
                boolean all = r.whole() || (d.isStatic() && r.start() == 0 && !r.fromEnd() && r.step() == 1 && r.count() == d.size());
                if (!all || r.drop()) return false;
            }
            return true;
        }

        /**
         * The smallest size each runtime dim needs for the selection to exist, by dim name
         * (static dims are checked when the selection is made).
         */
        public java.util.Map<String, Integer> needs() {
            java.util.Map<String, Integer> out = new java.util.TreeMap<>();
            for (int a = 0; a < ranges.size(); a++) {
                Range r = ranges.get(a);
                if (r.whole() || source.get(a).isStatic()) continue;
                out.merge(source.get(a).symbol(), r.needs(), Math::max);
            }
            return out;
        }
    }

    /**
     * What basic indexing takes from one axis: {@code count} elements {@code step} apart from
     * {@code start} (counted from the end of the axis when {@code fromEnd}: the first position is
     * then {@code size - start}); or, when {@code whole}, the entire axis (a runtime dim kept by
     * {@code :}). {@code drop} removes the axis (an integer index, {@code count} 1).
     */
    record Range(int start, boolean fromEnd, int step, int count, boolean drop, boolean whole) {
        public Range {
            if (step < 1 || count < 1 || start < 0 || (fromEnd && start < 1)) {
                throw new IllegalArgumentException("bad range " + start + " " + fromEnd + " " + step + " " + count);
            }
        }

        /** The entire axis. */
        public static Range all() {
            return new Range(0, false, 1, 1, false, true);
        }

        /** The first position on an axis of {@code size} elements. */
        public int first(int size) {
            return whole() ? 0 : fromEnd ? size - start : start;
        }

        /** The elements on an axis of {@code size} elements. */
        public int count(int size) {
            return whole() ? size : count;
        }

        /** The smallest axis size this range fits. */
        public int needs() {
            return fromEnd ? start : start + (count - 1) * step + 1;
        }
    }
}
