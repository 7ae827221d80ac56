package dev.nnc.ir;

/**
 * The primitive operations of the graph IR. Every surface function of the language is one of
 * these or a composition of them (see {@link Graph}). Each op has a shape rule (in {@link Graph}),
 * a derivative rule ({@code dev.nnc.autodiff.VjpRules}), an interpreter kernel
 * ({@code dev.nnc.interp.Kernels}) and, later, an emitter.
 */
public enum Op {
    // leaves
    /** A model input; attr {@link Attr.Leaf}. */
    INPUT(Kind.LEAF),
    /** A trainable parameter; attr {@link Attr.Leaf}. */
    PARAM(Kind.LEAF),
    /** A scalar constant; attr {@link Attr.Const}. */
    CONST(Kind.LEAF),
    /** The product of runtime dims as a scalar value; attr {@link Attr.Dims}. */
    SIZE(Kind.LEAF),
    /** Inverted-dropout scale mask: 0 or 1/(1-p) in training, 1 in inference; attr {@link Attr.Dropout}. */
    DROPOUT_MASK(Kind.LEAF),

    // elementwise unary
    NEG(Kind.UNARY), EXP(Kind.UNARY), LOG(Kind.UNARY), SQRT(Kind.UNARY), ABS(Kind.UNARY),
    SIGN(Kind.UNARY), SIN(Kind.UNARY), COS(Kind.UNARY), TANH(Kind.UNARY), SIGMOID(Kind.UNARY),
    RELU(Kind.UNARY), SOFTPLUS(Kind.UNARY), ERF(Kind.UNARY),
    /** {@code x ^ c} for a constant exponent; attr {@link Attr.Const}. */
    POWC(Kind.UNARY),
    /** ELU with attr {@link Attr.Const} alpha. */
    ELU(Kind.UNARY),

    // elementwise binary, broadcasting
    ADD(Kind.BINARY), SUB(Kind.BINARY), MUL(Kind.BINARY), DIV(Kind.BINARY), POW(Kind.BINARY),
    MAXIMUM(Kind.BINARY), MINIMUM(Kind.BINARY),
    /** 1 where {@code a > b}, else 0; no gradient. */
    GT(Kind.BINARY),
    /** 1 where {@code a == b}, else 0; no gradient. */
    EQ(Kind.BINARY),
    /** {@code clamp(x, lo, hi)}, broadcasting all three; gradient only strictly inside. */
    CLAMP(Kind.TERNARY),

    // reductions; attr {@link Attr.Axes}
    SUM(Kind.REDUCE),
    MAX(Kind.REDUCE),

    // structure
    /** 2-D matrix product {@code [m,k] @ [k,n]}. */
    MATMUL(Kind.OTHER),
    /** Swap the last two dims. */
    TRANSPOSE(Kind.OTHER),
    /** Same elements, new shape; attr {@link Attr.ShapeAttr}. */
    RESHAPE(Kind.OTHER),
    /** Stretch to a larger shape (NumPy rules); attr {@link Attr.ShapeAttr}. */
    BROADCAST(Kind.OTHER),
    /** Concatenate along an axis; attr {@link Attr.Axis}. */
    CONCAT(Kind.OTHER),
    /** A range along one axis; attr {@link Attr.Slice}. */
    SLICE(Kind.OTHER),
    /** Integer labels to one-hot rows; attr {@link Attr.Count}. */
    ONE_HOT(Kind.OTHER),
    /** Identity whose gradient is zero. */
    STOP_GRADIENT(Kind.OTHER);

    /** Broad classes of ops, for passes and code generation. */
    public enum Kind { LEAF, UNARY, BINARY, TERNARY, REDUCE, OTHER }

    private final Kind kind;

    Op(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** True for ops computed element by element (with broadcasting). */
    public boolean isElementwise() {
        return kind == Kind.UNARY || kind == Kind.BINARY || kind == Kind.TERNARY;
    }

    public String lower() {
        return name().toLowerCase();
    }
}
