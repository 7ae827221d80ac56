package dev.nnc.ops;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;

/** How an elementwise op writes lane-wise Vector API code (implemented by the code generator). */
public interface VectorCode {
    /** A vector with {@code scalar} (an expression of the element type) in every lane. */
    CodeBlock broadcast(CodeBlock scalar);

    /** A vector of literal {@code v} in every lane. */
    CodeBlock constant(double v);

    /** {@code jdk.incubator.vector.VectorOperators}. */
    ClassName operators();
}
