package dev.nnc.ops;

import com.palantir.javapoet.CodeBlock;

/**
 * How an elementwise op writes Java for one element in the generated class's element type
 * (implemented by the code generator).
 */
public interface ScalarCode {
    /** True for {@code float} code, false for {@code double}. */
    boolean f32();

    /** A literal of the element type, rounded as the interpreter rounds constants. */
    CodeBlock lit(double v);

    /** A call of a {@code double}-valued JDK function ({@code Math.exp}), narrowed in f32 code. */
    CodeBlock call(String function, CodeBlock... args);

    /** A call of one of the generated class's helper methods, which the class then includes. */
    CodeBlock helper(Helper h, CodeBlock... args);
}
