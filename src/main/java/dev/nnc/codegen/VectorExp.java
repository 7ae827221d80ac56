package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Modifier;

/**
 * A lane-wise exponential of the vector backend written with multiply-adds, as methods of
 * {@code Simd$}: {@code expa$} for the attention kernels ({@link AttentionMembers}) and
 * {@code exp$} for elementwise {@code exp} in f32: {@code x = k·ln2 + r} with {@code k} the nearest integer to
 * {@code x/ln2} ({@code ln2} in two parts, so {@code r} is exact to the last bits) and
 * {@code |r| ≤ ln2/2}, {@code exp(r)} by its Taylor polynomial (degree 7 in f32, 13 in f64:
 * truncation below half an ulp), and {@code 2^k} made from the exponent bits. Arguments are
 * clamped so that {@code 2^k} is at most the largest power of two and, below about −88 (f32) or
 * −709 (f64), zero, not a subnormal: {@code exp(−∞) = 0}; NaN stays NaN.
 *
 * <p>Not {@code lanewise(VectorOperators.EXP)}: its compiled form (Intel's SVML where the JDK has
 * it) and its Java form ({@code Math.exp} per lane, which the interpreter and C1 run) may differ
 * in the last bit, so results would depend on which code ran; this one is the same in every tier
 * (only {@code fma}, which rounds once in Java as in hardware, and exact bit operations). It is
 * about as fast: 0.46 against 0.42 ns per float on JDK 17, 0.33 against 0.52 on JDK 25 (AVX-512,
 * a shared machine), neither allocating. The exponent bits come from reinterpreting {@code y}, not
 * from {@code convert(F2I, 0)}: JDK 17's C2 did not intrinsify that conversion here (its species
 * is looked up, not a constant) and allocated every vector of the kernel.
 */
final class VectorExp {
    private VectorExp() {}

    static final ClassName OPERATORS = ClassName.get("jdk.incubator.vector", "VectorOperators");

    private static final ClassName INT_VECTOR = ClassName.get("jdk.incubator.vector", "IntVector");

    /** The class member with the integer species the exponent bits are made in: {@code LSPECIES} for f64. */
    static String member(Elem e) {
        return e.f32() ? ISPECIES : VectorKernels.LSPECIES;
    }

    static final String ISPECIES = "ISPECIES";

    /** Declares {@code ISPECIES}, ints of {@code SPECIES}' shape. */
    static void addIntSpecies(TypeSpec.Builder t) {
        ClassName species = ClassName.get("jdk.incubator.vector", "VectorSpecies");
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(species, ClassName.get(Integer.class)), "ISPECIES",
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Ints of the shape of {@code SPECIES}: the exponent bits of the exponentials.\n")
                .initializer("$T.of(int.class, SPECIES.vectorShape())", species).build());
    }

    /** The name of the method {@link #addMethod} adds. */
    static final String METHOD = "exp$";

    /**
     * The {@code Simd$} method {@code exp$(x)} for elementwise {@code exp} in f32, over the whole float
     * range, and the constant vectors it uses: arguments clamped to [−104, 89] and {@code 2^k}
     * applied as {@code 2^(k>>1) · 2^(k − (k>>1))}, so that results overflow to infinity above
     * {@code ln(Float.MAX_VALUE)} and become subnormal (one rounding) below the smallest normal
     * float, as {@code Math.exp} rounded to float; within 1 ulp of it. A method of its own, so that
     * a kernel calling it stays within C1's limit on inlined Vector API calls; under
     * {@code FreqInlineSize} (325 bytes of bytecode), so C2 inlines it into a hot kernel and nothing
     * is boxed across the call. Needs {@link #ISPECIES}.
     *
     * <p>Its constants are {@code static final} vectors ({@code EXPC$…}), not broadcasts: each
     * Vector API call C2 inlines adds a few hundred nodes, and once a compilation passes
     * {@code NodeCountInliningCutoff} (18,000 nodes on JDK 17) C2 delays the rest of its inlining,
     * where a call's result is only its declared {@code FloatVector} and the API's calls on it
     * need type profiles again. After another Vector API user those profiles' trap budget was
     * spent, and W4's softmax kernel (this method and a load and a store) boxed two vectors per
     * step. With constants the method makes 26 API calls instead of 49. A constant is of an
     * exactly known class, so it may receive calls as {@code ANCHOR$} does.
     */
    static void addMethod(TypeSpec.Builder t, Elem e) {
        if (!e.f32()) throw new IllegalArgumentException("exp$ is the f32 vector exponential");
        ClassName vt = VectorKernels.vectorType(e);
        java.util.Map<String, Object> constants = new java.util.LinkedHashMap<>();
        constants.put("LO", -104.0f);
        constants.put("HI", 89.0f);
        constants.put("LOG2E", (float) (1 / Math.log(2)));
        constants.put("MAGIC", 12582912.0f); // 1.5 · 2^23: adding it rounds to an integer
        constants.put("NLN2LO", (float) -LN2_LO_F);
        constants.put("NLN2HI", (float) -LN2_HI_F);
        double[] poly = taylor(DEGREE_F);
        for (int i = DEGREE_F; i >= 0; i--) constants.put("P" + i, (float) poly[i]);
        constants.put("KBIAS", -0x4B400000); // y's bits minus the magic number's: k
        constants.put("EBIAS", 127);
        for (var c : constants.entrySet()) {
            boolean integral = c.getValue() instanceof Integer;
            ClassName type = integral ? INT_VECTOR : vt;
            t.addField(FieldSpec.builder(type, "EXPC$" + c.getKey(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer(integral ? "$T.broadcast(ISPECIES, $L)" : "$T.broadcast(SPECIES, $L)", type,
                            integral ? CodeBlock.of("$L", c.getValue()) : e.lit(((Float) c.getValue()).doubleValue()))
                    .build());
        }
        CodeBlock.Builder c = CodeBlock.builder();
        c.addStatement("final $T x1 = EXPC$$LO.max(x).min(EXPC$$HI)", vt);
        // y = x/ln2 + 1.5 · 2^23 rounds x/ln2 to an integer k; y's low bits are k's
        c.addStatement("final $T y = x1.mul(EXPC$$LOG2E).add(EXPC$$MAGIC)", vt);
        c.addStatement("final $T k = y.sub(EXPC$$MAGIC)", vt);
        // r = x − k·ln2, ln2 = hi + lo with hi's low bits zero, so k·hi is exact
        c.addStatement("final $T r = k.fma(EXPC$$NLN2LO, k.fma(EXPC$$NLN2HI, x1))", vt);
        c.addStatement("$T e = EXPC$$P$L", vt, DEGREE_F);
        for (int i = DEGREE_F - 1; i >= 0; i--) c.addStatement("e = r.fma(e, EXPC$$P$L)", i); // p = r · p + 1/i!
        // k from y's bits (not convert(F2I), whose species C2 does not see as a constant: JDK 17 allocated every vector
        // of the kernel); 2^k as two factors, each a normal float for k in [−150, 128]
        c.addStatement("final $T ki = EXPC$$KBIAS.add(y.reinterpretAsInts())", INT_VECTOR);
        c.addStatement("final $T kh = ki.lanewise($T.ASHR, 1)", INT_VECTOR, OPERATORS);
        c.addStatement("return e.mul(EXPC$$EBIAS.add(kh).lanewise($T.LSHL, 23).reinterpretAsFloats())"
                + ".mul(EXPC$$EBIAS.add(ki).sub(kh).lanewise($T.LSHL, 23).reinterpretAsFloats())", OPERATORS, OPERATORS);
        t.addMethod(MethodSpec.methodBuilder(METHOD).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code exp(x)} lane by lane, within 1 ulp (nnc's {@code VectorExp}).\n")
                .returns(vt).addParameter(vt, "x").addCode(c.build()).build());
    }

    /** The Taylor polynomial's degree, f32 and f64: truncation below half an ulp for {@code |r| ≤ ln2/2}. */
    private static final int DEGREE_F = 7, DEGREE_D = 13;

    /** {@code ln2 = hi + lo} in f32 and f64, {@code hi}'s low bits zero so that {@code k·hi} is exact. */
    private static final double LN2_HI_F = 0.693359375, LN2_LO_F = -2.12194440e-4,
            LN2_HI_D = 6.93147180369123816490e-01, LN2_LO_D = 1.90821492927058770002e-10;

    /** {@code 1/i!} for {@code i} from 0 to {@code degree}: the Taylor coefficients of {@code exp}, from the highest down. */
    private static double[] taylor(int degree) {
        double[] c = new double[degree + 1];
        double coef = 1;
        for (int i = 2; i <= degree; i++) coef /= i;
        c[degree] = coef;
        for (int i = degree - 1; i >= 0; i--) {
            coef *= i + 1;
            c[i] = coef;
        }
        return c;
    }

    /** The name of the method {@link #addAttentionMethod} adds. */
    static final String ATTENTION_METHOD = "expa$";

    /**
     * The {@code Simd$} method {@code expa$(a, o)}: {@code a[o …] = exp(a[o …])}, one vector in place, in
     * {@link #emit}'s narrow form (the attention kernels' arguments are at most 0), for
     * {@link AttentionMembers}. It takes and returns no vector, so nothing is boxed whether or not C2
     * inlines it (in a large kernel C2 stops inlining at {@code NodeCountInliningCutoff}, and a method
     * that returned a vector allocated it there); in f32 it is under {@code FreqInlineSize}, in f64
     * (degree 13) over it, so f64 kernels call it. Needs {@link #member}; in f32 it adds
     * {@code IANCHOR$}, the int vectors' anchor of its exponent bits.
     */
    static void addAttentionMethod(TypeSpec.Builder t, Elem e) {
        ClassName vt = VectorKernels.vectorType(e);
        if (e.f32()) {
            t.addField(FieldSpec.builder(INT_VECTOR, "IANCHOR$", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("Only ever the receiver of {@code broadcast} and {@code add}, as {@code ANCHOR$$}.\n")
                    .initializer("$T.zero(ISPECIES)", INT_VECTOR).build());
        }
        CodeBlock.Builder c = CodeBlock.builder();
        emit(e, c, "e", VectorExact.exact(e, CodeBlock.of("$T.fromArray(SPECIES, a, o)", vt)));
        c.addStatement("e.intoArray(a, o)");
        t.addMethod(MethodSpec.methodBuilder(ATTENTION_METHOD).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code a[o …] = exp(a[o …])} lane by lane for arguments at most 0, 0 below about $L (nnc's {@code VectorExp}).\n",
                        e.f32() ? -88 : -709)
                .addParameter(e.array(), "a").addParameter(TypeName.INT, "o").addCode(c.build()).build());
    }

    /**
     * Declares vector {@code name} = {@code exp(x)} for arguments at most 0 ({@link #addAttentionMethod}):
     * clamped below at −88 (f32) or −709 (f64), where the result is 0, not a subnormal.
     */
    static void emit(Elem e, CodeBlock.Builder c, String name, CodeBlock x) {
        ClassName vt = VectorKernels.vectorType(e);
        boolean f = e.f32();
        String ex = name + "$x", ey = name + "$y", ek = name + "$k", er = name + "$r";
        double magic = f ? 12582912.0 : 6755399441055744.0; // 1.5 · 2^23, 1.5 · 2^52: adding it rounds to an integer
        c.addStatement("final $T $L = $L.max($L).min($L)", vt, ex, x, e.lit(f ? -88.0 : -709.0), e.lit(f ? 88.0 : 709.0));
        // y = x/ln2 + 1.5 · 2^52 (2^23 in f32) rounds x/ln2 to an integer k; y's low bits are k's
        c.addStatement("final $T $L = $L.mul($L).add($L)", vt, ey, ex, e.lit(1 / Math.log(2)), e.lit(magic));
        c.addStatement("final $T $L = $L.sub($L)", vt, ek, ey, e.lit(magic));
        // r = x − k·ln2, ln2 = hi + lo with hi's low bits zero, so k·hi is exact
        double hi = f ? LN2_HI_F : LN2_HI_D, lo = f ? LN2_LO_F : LN2_LO_D;
        c.addStatement("final $T $L = $L.fma($L, $L.fma($L, $L))", vt, er, ek, VectorExact.broadcast(e.lit(-lo)),
                ek, VectorExact.broadcast(e.lit(-hi)), ex);
        int degree = f ? DEGREE_F : DEGREE_D;
        double[] poly = taylor(degree);
        c.addStatement("$T $L = $L", vt, name, VectorExact.broadcast(e.lit(poly[degree])));
        // p = r · p + 1/i!
        for (int i = degree - 1; i >= 0; i--) c.addStatement("$L = $L.fma($L, $L)", name, er, name, VectorExact.broadcast(e.lit(poly[i])));
        // 2^k: the exponent field k + bias, from y's bits minus the magic number's (not convert(F2I), whose species C2
        // does not see as a constant: JDK 17 allocated every vector of the kernel)
        CodeBlock bits = f
                ? CodeBlock.of("IANCHOR$$.add($L.reinterpretAsInts()).sub($L).lanewise($T.LSHL, 23).reinterpretAsFloats()", ey,
                        "0x4B400000 - 127", OPERATORS)
                : CodeBlock.of("LANCHOR$$.add($L.reinterpretAsLongs()).sub($L).lanewise($T.LSHL, 52L).reinterpretAsDoubles()", ey,
                        "0x4338000000000000L - 1023L", OPERATORS);
        c.addStatement("$L = $L.mul($L)", name, VectorExact.exact(e, CodeBlock.of("$L", name)), bits);
    }
}
