package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;

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

    /** The {@code Simd$} method computing {@code erf} lane-wise, and its helpers' names. */
    static final String METHOD = "erf$", SMALL_PART = "erfSmall$", LARGE_PART = "erfLarge$";

    /**
     * The {@code Simd$} methods of the f32 vector error function: {@code erf$(x)}, which combines
     * {@code erfSmall$(x) = x + x·S(x²)} and {@code exp$(erfLarge$(|x|))} (the exponential is
     * {@link VectorExp#addMethod}'s). Each is a method of its own so that each fits C1's limit on
     * inlined Vector API calls (docs/architecture.md) and C2, which inlines small hot methods,
     * compiles a kernel that calls them as if their code were written in it: every method is under
     * 325 bytes of bytecode ({@code FreqInlineSize}).
     */
    static java.util.List<MethodSpec> methods(Elem e) {
        ClassName vt = VectorKernels.vectorType(e);
        MethodSpec.Builder erf = start(METHOD, "{@code erf(x)} lane by lane, within 2 ulps (nnc's {@code VectorErf}).", vt);
        erf.addStatement("final $T v = $L", vt, VectorExact.exact(e, CodeBlock.of("x")));
        erf.addStatement("final $T a = v.abs()", vt);
        erf.addStatement("final $T s = $L(v)", vt, SMALL_PART);
        erf.addStatement("final $T b = $L.sub($L($L(a)))", vt, VectorExact.broadcast(e.lit(1)), VectorExp.METHOD, LARGE_PART);
        erf.addStatement("return b.blend(b.neg(), v.compare($T.LT, $L)).blend(s, a.compare($T.LT, $L))", VectorExp.OPERATORS,
                VectorExact.broadcast(e.lit(0)), VectorExp.OPERATORS, VectorExact.broadcast(e.lit(SPLIT)));
        MethodSpec.Builder small = start(SMALL_PART, "{@code x + x·S(x²)}: {@code erf(x)} for {@code |x| < 1}.", vt);
        small.addStatement("final $T v = $L", vt, VectorExact.exact(e, CodeBlock.of("x")));
        small.addStatement("final $T z = v.mul(v)", vt);
        CodeBlock.Builder c = CodeBlock.builder();
        horner(c, vt, "s", "z", SMALL, e);
        small.addCode(c.build()).addStatement("return v.fma(s, v)");
        MethodSpec.Builder large = start(LARGE_PART, "{@code L(min(a, 4) − 2.5)}: {@code log(erfc(a))} for {@code a ≥ 1}.", vt);
        large.addStatement("final $T t = $L.min($L).sub($L)", vt, VectorExact.exact(e, CodeBlock.of("x")), e.lit(TOP), e.lit(CENTER));
        c = CodeBlock.builder();
        horner(c, vt, "q", "t", LARGE, e);
        large.addCode(c.build()).addStatement("return q");
        return java.util.List.of(erf.build(), small.build(), large.build());
    }

    private static MethodSpec.Builder start(String name, String doc, ClassName vt) {
        return MethodSpec.methodBuilder(name).addModifiers(javax.lang.model.element.Modifier.PRIVATE,
                javax.lang.model.element.Modifier.STATIC).addJavadoc(doc + "\n").returns(vt).addParameter(vt, "x");
    }

    /** Declares vector {@code p} = the polynomial with coefficients {@code cs} at exact vector {@code at}, by Horner's rule. */
    private static void horner(CodeBlock.Builder c, ClassName vt, String p, String at, float[] cs, Elem e) {
        c.addStatement("$T $L = $L", vt, p, VectorExact.broadcast(e.lit(cs[cs.length - 1])));
        for (int i = cs.length - 2; i >= 0; i--) c.addStatement("$L = $L.fma($L, $L)", p, at, p, VectorExact.broadcast(e.lit(cs[i])));
    }
}
