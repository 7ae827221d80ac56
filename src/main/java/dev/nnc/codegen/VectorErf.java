package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;

/**
 * A lane-wise error function for f32 vector code (GELU's {@code erf}): the scalar {@code erff}
 * helper picks one of 32 Taylor polynomials by table look-up, which a vector cannot do without
 * a gather, so each lane computes two polynomials and keeps one:
 * <ul>
 * <li>{@code |x| < 1}: {@code erf(x) = x + x·S(x²)}, {@code S} of degree 6 ({@code S(0) = 2/√π − 1}), one
 *     rounding at the end;
 * <li>{@code |x| ≥ 1}: {@code erf(x) = ±(1 − exp(L(a − 2.5)))}, {@code a = min(|x|, 4)}, {@code L} of degree 9
 *     fitted to {@code log(erfc(a))} on [1, 4], the exponential {@link VectorExp}'s. At 4, {@code 1 − exp}
 *     rounds to 1 (erf rounds to ±1 in float from 3.92), so the infinities give ±1; NaN gives NaN.
 * </ul>
 * The coefficients are a one-off weighted least-squares fit (Lawson's iteration towards the
 * minimax) on 400 and 600 Chebyshev nodes, against {@code erf} in 40-digit arithmetic, rounded to
 * float: truncation below 1.2e-9 relative for {@code S}, 5e-9 for {@code L}. With float rounding,
 * the result is within 2 ulps of {@code erf(x)} ({@code VectorFunctionsTest} measures it; over all
 * 2³² floats, measured once, the largest error is 1.71 ulps, at 1.0368307). Not bit-equal to the scalar
 * {@code erff} (which equals {@code (float) erf(x)}): a vector loop's remainder, computed by
 * {@code erff}, may differ from its lanes by those ulps.
 */
final class VectorErf {
    private VectorErf() {}

    /** {@code S}, from the constant term: {@code erf(x)/x − 1} as a polynomial in {@code x²} on [0, 1). */
    private static final float[] SMALL = {
        0.12837917f, -0.37612626f, 0.112835854f, -0.026853817f, 0.0051883347f, -0.0008010248f, 7.8540266e-05f};

    /** {@code L}, from the constant term: {@code log(erfc(a))} as a polynomial in {@code a − 2.5} on [1, 4]. */
    private static final float[] LARGE = {
        -7.806815f, -5.3526807f, -0.9438937f, -0.01085822f, 0.002165166f, -0.00042061927f, 7.739041e-05f,
        -1.3028116e-05f, 1.6149544e-06f, -5.5555887e-08f};

    /** Where the polynomials meet, the center of {@code L} and its top (the argument's clamp). */
    private static final double SPLIT = 1, CENTER = 2.5, TOP = 4;

    /**
     * Adds statements declaring vector {@code name = erf(x)}, {@code x} an exact f32 vector
     * expression (every receiver below is exact: {@link VectorExact}).
     */
    static void emit(Kernel k, CodeBlock.Builder c, String name, CodeBlock x) {
        Elem e = k.elem;
        ClassName vt = VectorKernels.vectorType(e);
        String v = name + "$v", a = name + "$a", z = name + "$z", s = name + "$s", t = name + "$t", q = name + "$q",
                ex = name + "$e", big = name + "$b";
        c.addStatement("final $T $L = $L", vt, v, x);
        c.addStatement("final $T $L = $L.abs()", vt, a, v);
        c.addStatement("final $T $L = $L.mul($L)", vt, z, v, v);
        horner(c, vt, s, z, SMALL, e);
        c.addStatement("$L = $L.fma($L, $L)", s, v, s, v); // x + x·S(x²)
        c.addStatement("final $T $L = $L.min($L).sub($L)", vt, t, a, e.lit(TOP), e.lit(CENTER));
        horner(c, vt, q, t, LARGE, e);
        VectorExp.emit(k, c, ex, CodeBlock.of("$L", q));
        c.addStatement("final $T $L = $L.sub($L)", vt, big, VectorExact.broadcast(e.lit(1)), ex);
        c.addStatement("final $T $L = $L.blend($L.neg(), $L.compare($T.LT, $L)).blend($L, $L.compare($T.LT, $L))", vt, name, big, big,
                v, VectorExp.OPERATORS, VectorExact.broadcast(e.lit(0)), s, a, VectorExp.OPERATORS, VectorExact.broadcast(e.lit(SPLIT)));
    }

    /** Declares vector {@code p} = the polynomial with coefficients {@code cs} at exact vector {@code at}, by Horner's rule. */
    private static void horner(CodeBlock.Builder c, ClassName vt, String p, String at, float[] cs, Elem e) {
        c.addStatement("$T $L = $L", vt, p, VectorExact.broadcast(e.lit(cs[cs.length - 1])));
        for (int i = cs.length - 2; i >= 0; i--) c.addStatement("$L = $L.fma($L, $L)", p, at, p, VectorExact.broadcast(e.lit(cs[i])));
    }
}
