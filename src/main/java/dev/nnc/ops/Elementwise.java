package dev.nnc.ops;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import java.util.List;

/**
 * The elementwise families ({@link Unary}, {@link Binary}, {@link Ternary}): an op applied to
 * each element (with broadcasting), whose semantics are one scalar function that constant
 * folding, the interpreter and both code generators share.
 */
public sealed interface Elementwise extends Op permits Unary, Binary, Ternary {
    /**
     * The value at one element. {@code args} holds one value per input; {@code c} is the op's
     * constant attribute (an exponent, a slope), or 0 for ops that have none.
     */
    double eval(double[] args, double c);

    /** The Java expression of one element, with the same semantics as {@link #eval}. */
    CodeBlock scalar(ScalarCode code, Node n, List<CodeBlock> args);

    /**
     * The lane-wise Vector API expression over vectors {@code args}, or null when the op has
     * none (the loop then runs scalar code).
     */
    CodeBlock vector(VectorCode code, Node n, List<CodeBlock> args);

    /** FLOPs per output element. */
    default long flopsPerElement() {
        return 1;
    }

    /** False for ops whose result carries no gradient (comparisons). */
    default boolean differentiable() {
        return true;
    }
}
