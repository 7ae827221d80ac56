package dev.nnc.ir;

import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.ops.Binary;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;
import dev.nnc.ops.Reduce;
import dev.nnc.ops.Structured;
import dev.nnc.ops.Ternary;
import dev.nnc.ops.Unary;
import java.util.ArrayList;
import java.util.List;

/**
 * The node factory of one model: every node is created here, with its shape rule applied
 * ({@link ShapeRules}, {@link MatmulLowering}) and hash-consed by its {@link NodeStore}, so equal
 * sub-expressions are one node (CSE by construction). Shape errors throw {@link ShapeException}.
 * Constructors apply only identity normalizations that create no new node (reshape or broadcast
 * to the same shape, a reduction over no axes); every real rewrite lives in {@code dev.nnc.passes}.
 */
public final class Graph extends NodeStore {
    /**
     * The most nodes one model's graph may have, gradients and optimized variants included: a
     * bound on memory and time (every order of a nested {@code grad} multiplies the graph), far
     * above real models (a model of 10,000 statements with its training step has about 110,000).
     */
    public static final int MAX_NODES = 1_000_000;

    // ------------------------------------------------------------------ leaves

    /** A leaf: its shape is declared, not computed. Used by the constructors below and by rewriting passes. */
    public Node leaf(Leaf op, Attr attr, Shape shape, DType dtype) {
        return make(op, List.of(), attr, shape, dtype);
    }

    public Node input(String name, int index, Shape shape, DType dtype) {
        return leaf(Leaf.INPUT, new Attr.Leaf(name, index), shape, dtype);
    }

    public Node param(String name, int index, Shape shape) {
        return leaf(Leaf.PARAM, new Attr.Leaf(name, index), shape, DType.REAL);
    }

    public Node buffer(String name, int index, Shape shape) {
        return leaf(Leaf.BUFFER, new Attr.Leaf(name, index), shape, DType.REAL);
    }

    public Node constant(double v) {
        return leaf(Leaf.CONST, new Attr.Const(v), Shape.SCALAR, DType.REAL);
    }

    /** A constant of any shape: a broadcast scalar. */
    public Node filled(double v, Shape shape) {
        return broadcast(constant(v), shape);
    }

    /** The runtime value of a product of dims (folds to a constant when all are static). */
    public Node size(List<Dim> dims) {
        Size s = Size.product(dims);
        if (s.isStatic()) return constant(s.value());
        Node n = leaf(Leaf.SIZE, new Attr.Extent(Size.monomial(1, s.symbols())), Shape.SCALAR, DType.REAL);
        return s.coefficient() == 1 ? n : mul(constant(s.coefficient()), n);
    }

    /** The numbers 0, 1, …, n − 1 ({@code n} may be a runtime dim). */
    public Node arange(Dim n) {
        return leaf(Leaf.ARANGE, Attr.None.INSTANCE, Shape.of(n), DType.REAL);
    }

    public Node dropoutMask(Shape shape, double p, int site) {
        return leaf(Leaf.DROPOUT_MASK, new Attr.Dropout(p, site), shape, DType.REAL);
    }

    /**
     * Inverted dropout of {@code x} at site {@code site}: {@code x} times a fresh mask in
     * training mode, {@code x} itself in evaluation mode.
     */
    public Node dropout(Node x, double p, int site) {
        return mode(mul(x, dropoutMask(x.shape(), p, site)), x);
    }

    // ------------------------------------------------------------------ elementwise

    /** A unary op without a constant attribute. */
    public Node unary(Unary op, Node x) {
        if (op.hasConstant()) throw new IllegalArgumentException(op + " needs its constant");
        requireReal(x, op.lower());
        return make(op, List.of(x), Attr.None.INSTANCE, x.shape(), DType.REAL);
    }

    /** A unary op with a constant attribute (POWC's exponent, ELU's alpha). */
    public Node unary(Unary op, Node x, double c) {
        if (!op.hasConstant()) throw new IllegalArgumentException(op + " has no constant");
        requireReal(x, op == Unary.POWC ? "^" : op.lower());
        return make(op, List.of(x), new Attr.Const(c), x.shape(), DType.REAL);
    }

    public Node neg(Node x) {
        return unary(Unary.NEG, x);
    }

    public Node exp(Node x) {
        return unary(Unary.EXP, x);
    }

    public Node log(Node x) {
        return unary(Unary.LOG, x);
    }

    public Node powc(Node x, double c) {
        return unary(Unary.POWC, x, c);
    }

    public Node elu(Node x, double alpha) {
        return unary(Unary.ELU, x, alpha);
    }

    /** A broadcasting binary op; {@code verb} names it in shape errors ("add", "multiply"). */
    public Node binary(Binary op, Node a, Node b, String verb) {
        requireReal(a, verb);
        requireReal(b, verb);
        return make(op, List.of(a, b), Attr.None.INSTANCE, ShapeRules.broadcastShapes(a.shape(), b.shape(), verb), DType.REAL);
    }

    public Node binary(Binary op, Node a, Node b) {
        return binary(op, a, b, op.verb());
    }

    public Node add(Node a, Node b) {
        return binary(Binary.ADD, a, b);
    }

    public Node sub(Node a, Node b) {
        return binary(Binary.SUB, a, b);
    }

    public Node mul(Node a, Node b) {
        return binary(Binary.MUL, a, b);
    }

    public Node div(Node a, Node b) {
        return binary(Binary.DIV, a, b);
    }

    /** A broadcasting ternary op. */
    public Node ternary(Ternary op, Node a, Node b, Node c) {
        String what = op.lower();
        requireReal(a, what);
        requireReal(b, what);
        requireReal(c, what);
        Shape s = ShapeRules.broadcastShapes(ShapeRules.broadcastShapes(a.shape(), b.shape(), what), c.shape(), what);
        return make(op, List.of(a, b, c), Attr.None.INSTANCE, s, DType.REAL);
    }

    public Node clamp(Node x, Node lo, Node hi) {
        return ternary(Ternary.CLAMP, x, lo, hi);
    }

    public Node where(Node c, Node a, Node b) {
        return ternary(Ternary.WHERE, c, a, b);
    }

    // ------------------------------------------------------------------ reductions

    /** Reduction over {@code axes} (null = all); axes may be negative. */
    public Node reduce(Reduce op, Node x, List<Integer> axes, boolean keepdims) {
        requireReal(x, op.lower());
        List<Integer> norm = ShapeRules.normalizeAxes(axes, x.shape());
        if (norm.isEmpty()) return x;
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < x.shape().rank(); i++) {
            if (norm.contains(i)) {
                if (keepdims) out.add(Dim.of(1));
            } else {
                out.add(x.shape().get(i));
            }
        }
        return make(op, List.of(x), new Attr.Axes(norm, keepdims), new Shape(out), DType.REAL);
    }

    public Node sum(Node x, List<Integer> axes, boolean keepdims) {
        return reduce(Reduce.SUM, x, axes, keepdims);
    }

    public Node max(Node x, List<Integer> axes, boolean keepdims) {
        return reduce(Reduce.MAX, x, axes, keepdims);
    }

    // ------------------------------------------------------------------ structure

    /**
     * {@code a @ b} as {@code torch.matmul}, lowered to one {@link Structured#MATMUL} of two
     * operands of the same rank ({@link MatmulLowering}).
     */
    public Node matmul(Node a, Node b) {
        return MatmulLowering.lower(this, a, b);
    }

    /** The 2-D product primitive {@code [m,k] @ [k,n] -> [m,n]} (the surface {@code @} is {@link #matmul}). */
    public Node product(Node a, Node b) {
        return product(a, b, List.of());
    }

    /**
     * The product primitive of operands of the same rank (see {@link Structured#MATMUL}), also
     * summing over the batch axes {@code summed} (the gradient of an operand broadcast along them).
     */
    public Node product(Node a, Node b, List<Integer> summed) {
        Attr attr = summed.isEmpty() ? Attr.None.INSTANCE : new Attr.Axes(summed, true);
        return structured(Structured.MATMUL, List.of(a, b), attr);
    }

    /**
     * A structured op, its shape from the op's own rule ({@link Structured#shape}); its inputs
     * are real but for those the op takes as ids ({@link Structured#takesIds}), which are int.
     */
    public Node structured(Structured op, List<Node> inputs, Attr attr) {
        for (int i = 0; i < inputs.size(); i++) {
            if (!op.takesIds(i)) requireReal(inputs.get(i), op.lower());
            else if (inputs.get(i).dtype() != DType.INT) throw new IllegalArgumentException(op + " takes int ids, got " + inputs.get(i));
        }
        return make(op, inputs, attr, op.shape(inputs, attr), DType.REAL);
    }

    /** Rows of {@code table} ({@code [V, D]}) picked by the int tensor {@code ids}: shape {@code ids.shape + [D]}. */
    public Node gather(Node table, Node ids) {
        requireReal(table, "embedding");
        if (ids.dtype() != DType.INT) throw new ShapeException(ErrorKind.ARG_TYPE, "ids", "embedding", "an int input such as 'input ids : int[batch]'");
        if (table.shape().rank() != 2) throw new ShapeException(ErrorKind.RANK, "embedding", "a table [V, D]", table.shape());
        List<Dim> ds = new ArrayList<>(ids.shape().dims());
        ds.add(table.shape().last(1));
        return make(Layout.GATHER, List.of(table, ids), Attr.None.INSTANCE, new Shape(ds), DType.REAL);
    }

    /** The rows of {@code values} added into zeros of shape {@code table} at {@code ids} (the gradient of {@link #gather}). */
    public Node scatterAdd(Node values, Node ids, Shape table) {
        return structured(Structured.SCATTER_ADD, List.of(values, ids), new Attr.ShapeAttr(table));
    }

    /** {@code x} normalized over its last axis (no scale or shift). */
    public Node layerNorm(Node x, double eps) {
        return structured(Structured.LAYER_NORM, List.of(x), new Attr.Const(eps));
    }

    /** The gradient of {@link #layerNorm} with respect to {@code x}, given the adjoint {@code g} of its value. */
    public Node layerNormGrad(Node x, Node g, double eps) {
        return structured(Structured.LAYER_NORM_GRAD, List.of(x, g), new Attr.Const(eps));
    }

    public Node transpose(Node x) {
        requireReal(x, "transpose");
        Shape s = x.shape();
        if (s.rank() < 2) throw new ShapeException(ErrorKind.RANK, "transpose", "a tensor of rank 2 or more", s);
        List<Dim> ds = new ArrayList<>(s.dims());
        ds.set(s.rank() - 1, s.get(s.rank() - 2));
        ds.set(s.rank() - 2, s.get(s.rank() - 1));
        return make(Layout.TRANSPOSE, List.of(x), Attr.None.INSTANCE, new Shape(ds), DType.REAL);
    }

    /**
     * Reorders the axes: axis {@code i} of the result is axis {@code axes.get(i)} of {@code x}
     * (a permutation, entries may be negative). The identity is {@code x}; swapping the last two
     * axes is a {@link Layout#TRANSPOSE}, which products read in place.
     */
    public Node permute(Node x, List<Integer> axes) {
        requireReal(x, "permute");
        Shape s = x.shape();
        if (axes.size() != s.rank()) throw new ShapeException(ErrorKind.RANK, "permute with " + axes.size() + " axes", "a tensor of rank " + axes.size(), s);
        List<Integer> p = new ArrayList<>();
        List<Dim> ds = new ArrayList<>();
        for (int a : axes) {
            int n = ShapeRules.axis(a, s);
            if (p.contains(n)) throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "axes", "permute", "must name every axis once, got " + axes);
            p.add(n);
            ds.add(s.get(n));
        }
        boolean identity = true, lastTwo = s.rank() >= 2;
        for (int i = 0; i < p.size(); i++) {
            identity &= p.get(i) == i;
            lastTwo &= i < p.size() - 2 ? p.get(i) == i : p.get(i) == 2 * p.size() - 3 - i;
        }
        if (identity) return x;
        if (lastTwo) return transpose(x);
        return make(Layout.PERMUTE, List.of(x), new Attr.Perm(p), new Shape(ds), DType.REAL);
    }

    /** Basic indexing of {@code x} (the attr's source shape is x's); the identity is {@code x}. */
    public Node select(Node x, Attr.Select s) {
        requireReal(x, "indexing");
        if (!s.source().equals(x.shape())) throw new IllegalArgumentException("a selection of " + s.source() + " applied to " + x.shape());
        if (s.isIdentity()) return x;
        return make(Layout.SELECT, List.of(x), s, s.shape(), DType.REAL);
    }

    /** The adjoint of {@link #select}: zeros of the source shape, with {@code x} where {@code s} selects. */
    public Node place(Node x, Attr.Select s) {
        if (!s.shape().equals(x.shape())) throw new IllegalArgumentException("placing " + x.shape() + " where " + s.shape() + " was selected");
        if (s.isIdentity()) return x;
        return make(Layout.PLACE, List.of(x), s, s.source(), DType.REAL);
    }

    public Node reshape(Node x, Shape shape) {
        if (!x.shape().sameNumel(shape)) {
            throw new ShapeException(ErrorKind.RESHAPE_COUNT, x.shape(), shape, ShapeRules.numelText(x.shape()), ShapeRules.numelText(shape));
        }
        if (x.shape().equals(shape)) return x;
        if (x.op() == Layout.RESHAPE) x = x.input(0);
        if (x.shape().equals(shape)) return x;
        return make(Layout.RESHAPE, List.of(x), new Attr.ShapeAttr(shape), shape, x.dtype());
    }

    /** Stretches {@code x} to {@code shape}, which must be a broadcast of x's shape. */
    public Node broadcast(Node x, Shape shape) {
        Shape b = ShapeRules.broadcastShapes(x.shape(), shape, "broadcast");
        if (!b.equals(shape)) throw new ShapeException(ErrorKind.BROADCAST, "broadcast", x.shape(), shape, 0, x.shape(), shape);
        if (x.shape().equals(shape)) return x;
        return make(Layout.BROADCAST, List.of(x), new Attr.ShapeAttr(shape), shape, x.dtype());
    }

    /** Concatenation along {@code axis}; the sizes along it must be static. */
    public Node concat(List<Node> parts, int axis) {
        Node first = parts.get(0);
        for (Node p : parts) requireReal(p, "concat");
        int ax = ShapeRules.axis(axis, first.shape());
        long total = 0;
        for (Node p : parts) {
            Shape s = p.shape();
            if (s.rank() != first.shape().rank()) {
                throw new ShapeException(ErrorKind.CONCAT_SHAPE, first.shape(), s, axis, "rank", first.shape().rank(), s.rank());
            }
            for (int i = 0; i < s.rank(); i++) {
                if (i != ax && !s.get(i).equals(first.shape().get(i))) {
                    throw new ShapeException(ErrorKind.CONCAT_SHAPE, first.shape(), s, axis, i, first.shape().get(i), s.get(i));
                }
            }
            if (!s.get(ax).isStatic()) {
                throw new ShapeException(ErrorKind.RANK, "concat", "static sizes along the concatenated axis", s);
            }
            total += s.get(ax).size();
        }
        if (parts.size() == 1) return first;
        if (total > Integer.MAX_VALUE) throw new ShapeException(ErrorKind.SIZE_OVERFLOW, "concat", total);
        return make(Layout.CONCAT, parts, new Attr.Axis(ax), first.shape().with(ax, Dim.of((int) total)), DType.REAL);
    }

    /** Elements {@code [start, end)} along a static axis. */
    public Node slice(Node x, int axis, int start, int end) {
        int ax = ShapeRules.axis(axis, x.shape());
        Dim d = x.shape().get(ax);
        if (!d.isStatic() || start < 0 || end > d.size() || start >= end) {
            throw new IllegalArgumentException("bad slice [" + start + ", " + end + ") of " + x.shape());
        }
        if (start == 0 && end == d.size()) return x;
        return make(Layout.SLICE, List.of(x), new Attr.Slice(ax, start, end), x.shape().with(ax, Dim.of(end - start)), x.dtype());
    }

    /** Integer labels of any shape to one-hot real rows with {@code n} classes. */
    public Node oneHot(Node labels, int n) {
        if (labels.dtype() != DType.INT) {
            throw new ShapeException(ErrorKind.ARG_TYPE, "label", "one_hot", "an int input");
        }
        List<Dim> ds = new ArrayList<>(labels.shape().dims());
        ds.add(Dim.of(n));
        return make(Layout.ONE_HOT, List.of(labels), new Attr.Count(n), new Shape(ds), DType.REAL);
    }

    public Node stopGradient(Node x) {
        requireReal(x, "stop_gradient");
        if (x.op() == Layout.STOP_GRADIENT || x.op() == Leaf.CONST) return x;
        return make(Layout.STOP_GRADIENT, List.of(x), Attr.None.INSTANCE, x.shape(), DType.REAL);
    }

    /**
     * {@code train} in training mode, {@code eval} everywhere else (see {@link Layout#MODE});
     * one node when both are the same.
     */
    public Node mode(Node train, Node eval) {
        if (train == eval) return train;
        if (!train.shape().equals(eval.shape()) || train.dtype() != eval.dtype()) {
            throw new IllegalArgumentException("the two modes of a value differ: " + train.shape() + " vs " + eval.shape());
        }
        return make(Layout.MODE, List.of(train, eval), Attr.None.INSTANCE, train.shape(), train.dtype());
    }

    /**
     * Re-creates {@code n}'s op over new inputs (used by rewriting passes), applying its shape
     * rule again; returns {@code n} itself when the inputs are the same objects.
     */
    public Node rebuild(Node n, List<Node> newInputs) {
        boolean same = true;
        for (int i = 0; i < newInputs.size(); i++) same &= newInputs.get(i) == n.input(i);
        if (same && owns(n)) return n;
        Span prev = at(n.origin());
        try {
            return n.op().rebuild(this, n, newInputs);
        } finally {
            at(prev);
        }
    }
}
