package dev.nnc.ops;

/** The op families: how an op's value is computed, hence how every phase treats it. */
public enum Family {
    /** No inputs: inputs, params, buffers, constants, dim sizes, dropout masks ({@link Leaf}). */
    LEAF,
    /** Elementwise with one input ({@link Unary}). */
    UNARY,
    /** Elementwise with two broadcasting inputs ({@link Binary}). */
    BINARY,
    /** Elementwise with three broadcasting inputs ({@link Ternary}). */
    TERNARY,
    /** A reduction over axes ({@link Reduce}). */
    REDUCE,
    /** Moves or selects elements without arithmetic ({@link Layout}). */
    LAYOUT,
    /** Arithmetic that is not a loop over elements: products and the like ({@link Structured}). */
    STRUCTURED;

    /** True for the families computed element by element, with broadcasting. */
    public boolean elementwise() {
        return switch (this) {
            case UNARY, BINARY, TERNARY -> true;
            case LEAF, REDUCE, LAYOUT, STRUCTURED -> false;
        };
    }
}
