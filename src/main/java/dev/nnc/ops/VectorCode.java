package dev.nnc.ops;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;

/**
 * How an elementwise op writes lane-wise Vector API code (implemented by the code generator).
 * An op's vector expression calls methods only on its first argument and on vectors made here
 * ({@link #broadcast}, {@link #constant}); the other arguments appear only as arguments. The
 * code generator relies on it: it passes as the first argument a vector whose class C2 knows
 * exactly, so that C2 intrinsifies the calls without a type profile (codegen's
 * {@code VectorExact}).
 */
public interface VectorCode {
    /** A vector with {@code scalar} (an expression of the element type) in every lane. */
    CodeBlock broadcast(CodeBlock scalar);

    /** A vector of literal {@code v} in every lane. */
    CodeBlock constant(double v);

    /** {@code jdk.incubator.vector.VectorOperators}. */
    ClassName operators();

    /**
     * Function {@code f} ({@link Helper#EXPF} or {@link Helper#ERF}) of {@code x} lane by lane, or
     * null where the code generator has no vector form of it (f64 code). The generator may write
     * statements before the expression that uses the result.
     */
    CodeBlock function(Helper f, CodeBlock x);
}
