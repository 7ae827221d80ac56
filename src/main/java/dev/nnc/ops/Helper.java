package dev.nnc.ops;

/**
 * Functions that generated classes carry as private static methods when an op's scalar code
 * calls them ({@code dev.nnc.codegen.Helpers} writes each), because the JDK has none or a slow one.
 */
public enum Helper {
    /** The stable logistic function. */
    SIGMOID,
    /** Stable {@code log(1 + exp(x))}. */
    SOFTPLUS,
    /** The error function to double precision. */
    ERF,
    /** ELU with a given alpha. */
    ELU,
    /** {@code x * x} in the element type. */
    SQ,
    /** {@code (float) Math.tanh(x)} without the JDK's native call (f32 code). */
    TANHF,
    /** {@code (float) Math.exp(x)} without the JDK's call (f32 code). */
    EXPF
}
