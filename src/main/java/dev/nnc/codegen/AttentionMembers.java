package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ops.Helper;
import javax.lang.model.element.Modifier;

/**
 * The blocked attention kernels' Vector API code ({@link AttentionBlocks}), as methods of the
 * vector backend's {@code Simd$} (class members {@code attn:…}, {@link Kernel#members}), so that
 * no generated method has more than about 30 Vector API calls (the exponential {@code expa$}
 * about 45 in f64) and C1 compiles each at tier 3 (docs/architecture.md, "Kernels that C1 can
 * compile"; the kernels inlined about 100 to 140).
 * Each takes arrays and offsets, not vectors, and returns nothing, and so does the exponential
 * they call ({@code expa$}, through {@code ap}): whether or not C2 inlines a call, no vector
 * crosses it and none is boxed. That matters: in a kernel that inlines these, C2 reaches
 * {@code NodeCountInliningCutoff} and calls the rest (seen with {@code -XX:+PrintInlining} in
 * char_lm's training step); a first version whose exponential returned a vector, and whose
 * product passed its sums to a small method, allocated 150 to 250 KB per call there in some JVMs.
 * The tile and the coefficients are under {@code FreqInlineSize} (325 bytes of bytecode); the
 * products (about 400 and more, their rows' stores unrolled) are called, once per tile.
 * <ul>
 *   <li>{@code attTile$}: a tile of {@value AttentionBlocks#BR} vectors {@code Σ_t a[x_rr + t] ·
 *       at[ao + t·LS …]}, scaled by {@code sc}, written to {@code ap} (the scores, or dP with
 *       {@code sc = 1}, which changes no bit).</li>
 *   <li>{@code attOnline$}: the online softmax's step per row: the new maximum, the rescale
 *       {@code alpha = exp(m_old − m_new)}, the coefficients {@code exp(s − m)} and the rows' sums of
 *       lanes.</li>
 *   <li>{@code attPq$}, {@code attPk$}, {@code attPv$}: the gradients' coefficients per row,
 *       {@code P = exp(s − lse)} and {@code dS·sc = P ∘ (dP − D)·sc}: with the statistics of the
 *       query rows (dQ), of the columns (dK), or {@code P} alone (dV).</li>
 *   <li>{@code attProd$}, {@code attProdF$}: the whole vectors of {@code out_rr += Σ_jj
 *       coef[rr][jj] · x[jj …]}, the forward pass's first scaling {@code out_rr} by {@code alpha}.</li>
 * </ul>
 * The exponential is {@link VectorExp}'s narrow form, the method {@code expa$}; each method does the
 * operations of the former inlined code in the same order, so the results are the same bits.
 */
final class AttentionMembers {
    private AttentionMembers() {}

    static final String TILE = "attn:tile";
    static final String ONLINE = "attn:online";
    static final String PQ = "attn:pq";
    static final String PK = "attn:pk";
    static final String PV = "attn:pv";
    static final String PROD = "attn:prod";
    static final String PROD_F = "attn:prodF";

    private static final int BR = AttentionBlocks.BR;

    /** True for the member keys this class adds. */
    static boolean owns(String key) {
        return key.startsWith("attn:");
    }

    /** The method of member {@code key}. */
    static MethodSpec of(Elem e, String key) {
        return switch (key) {
            case TILE -> tile(e);
            case ONLINE -> online(e);
            case PQ, PK, PV -> coefficients(e, key);
            case PROD, PROD_F -> product(e, key.equals(PROD_F));
            default -> throw new IllegalArgumentException("no class member " + key);
        };
    }

    private static MethodSpec.Builder method(String name, String doc, Object... args) {
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC).addJavadoc(doc, args);
    }

    private static CodeBlock load(ClassName vt, String array, String offset) {
        return CodeBlock.of("$T.fromArray(SPECIES, $L, $L)", vt, array, offset);
    }

    private static CodeBlock bc(String scalar) {
        return VectorExact.broadcast(CodeBlock.of("$L", scalar));
    }

    /** {@code attTile$(a, x0 … x7, w, at, ao, LS, ap, po, sc)}, a parameter {@code x} per row. */
    private static MethodSpec tile(Elem e) {
        ClassName vt = VectorKernels.vectorType(e);
        MethodSpec.Builder m = method("attTile$", "Attention's tile: {@code ap[po + rr·L …] = sc · Σ_t a[x_rr + t] · at[ao + t·LS …]} for {@code t < w},\n"
                + "$L rows {@code rr} (nnc's {@code AttentionMembers}).\n", BR)
                .addParameter(e.array(), "a");
        for (int rr = 0; rr < BR; rr++) m.addParameter(TypeName.INT, "x" + rr);
        m.addParameter(TypeName.INT, "w").addParameter(e.array(), "at").addParameter(TypeName.INT, "ao").addParameter(TypeName.INT, "LS")
                .addParameter(e.array(), "ap").addParameter(TypeName.INT, "po").addParameter(e.type(), "sc");
        CodeBlock.Builder c = CodeBlock.builder();
        for (int rr = 0; rr < BR; rr++) c.addStatement("$T s$L = $L", vt, rr, VectorExact.zero(e));
        c.beginControlFlow("for (int t = 0; t < w; t++)").addStatement("final $T v = $L", vt, load(vt, "at", "ao + t * LS"));
        for (int rr = 0; rr < BR; rr++) c.addStatement("s$L = $L.fma(v, s$L)", rr, bc("a[x" + rr + " + t]"), rr);
        c.endControlFlow();
        c.addStatement("final int L = SPECIES.length()");
        for (int rr = 0; rr < BR; rr++) c.addStatement("$L.mul(s$L).intoArray(ap, po + $L * L)", bc("sc"), rr, rr);
        return m.addCode(c.build()).build();
    }

    /** Declares the offsets of {@code ap}: dP at {@code PD}, the sums' lanes at {@code PL}, maxima at {@code PM}, rescales at {@code PA}. */
    private static void offsets(CodeBlock.Builder c) {
        c.addStatement("final int L = SPECIES.length(), PD = $L * L, PL = $L * L, PM = $L * L, PA = PM + $L", BR, 2 * BR, 3 * BR, BR);
    }

    /** {@code attOnline$(ap, n)}. */
    private static MethodSpec online(Elem e) {
        ClassName vt = VectorKernels.vectorType(e);
        TypeName t = e.type();
        CodeBlock.Builder c = CodeBlock.builder();
        offsets(c);
        CodeBlock d = CodeBlock.of("mOld - mNew");
        // in f32 the expf helper, (float) Math.exp bit for bit without the JDK's call (on JDK 17 a call per row and block)
        CodeBlock rescale = e.f32() ? CodeBlock.of("expf($L)", d) : e.call("Math.exp", d);
        c.beginControlFlow("for (int rr = 0; rr < n; rr++)")
                .addStatement("final $T sv = $L", vt, VectorExact.exact(e, load(vt, "ap", "rr * L")))
                .addStatement("final $T mOld = ap[PM + rr]", t)
                // no score above the running maximum (most tiles, once a row has seen a few): the maximum stays and the
                // rescale is 1, so a comparison of the lanes replaces the reduction and the rescale's exponential, and
                // every result has the bits of the general step's (alpha · l + p with alpha = 1 is l + p). The tail is
                // written out on both paths on purpose: one tail after an if that sets m and alpha (alpha = 1 by default)
                // took 4.24-4.40 ms against 3.79-3.85 for attn:1024 infer (JDK 17, 3 fresh JVMs each: AppLoop --time 4
                // --block-ms 300 --max-warm-s 20 attn:1024,vector,f32,infer, the variant's classes through -Dnnc.bench.classes);
                // not measured on JDK 25
                .beginControlFlow("if (mOld != $L && !sv.compare($T.GT, mOld).anyTrue())", e.lit(Double.NEGATIVE_INFINITY), VectorExp.OPERATORS)
                .addStatement("ap[PA + rr] = 1")
                .addStatement("sv.sub(mOld).intoArray(ap, rr * L)")
                .addStatement("$L(ap, rr * L)", VectorExp.ATTENTION_METHOD)
                .addStatement("$L.add($L).intoArray(ap, PL + rr * L)", VectorExact.exact(e, load(vt, "ap", "PL + rr * L")), load(vt, "ap", "rr * L"))
                .addStatement("continue")
                .endControlFlow()
                .addStatement("final $T mNew = Math.max(mOld, sv.reduceLanes($T.MAX))", t, VectorExp.OPERATORS)
                .beginControlFlow("if (mNew == $L)", e.lit(Double.NEGATIVE_INFINITY))
                .addStatement("ap[PA + rr] = 1")
                .addStatement("$L.intoArray(ap, rr * L)", VectorExact.zero(e))
                .addStatement("continue")
                .endControlFlow()
                .addStatement("final $T alpha = $L", t, rescale)
                .addStatement("ap[PM + rr] = mNew")
                .addStatement("ap[PA + rr] = alpha")
                .addStatement("sv.sub(mNew).intoArray(ap, rr * L)")
                .addStatement("$L(ap, rr * L)", VectorExp.ATTENTION_METHOD)
                .addStatement("$L.fma($L, $L).intoArray(ap, PL + rr * L)", bc("alpha"), load(vt, "ap", "PL + rr * L"), load(vt, "ap", "rr * L"))
                .endControlFlow();
        return method("attOnline$", "The online softmax's step for rows {@code rr < n} of attention's tile in {@code ap}: the row's new\n"
                + "maximum and rescale, the coefficients {@code exp(s - m)} in place of the scores, and the sums' lanes\n"
                + "(nnc's {@code AttentionMembers}).\n")
                .addParameter(e.array(), "ap").addParameter(TypeName.INT, "n").addCode(c.build()).build();
    }

    /**
     * {@code attPq$(ap, n, lse, dd, lo, sc)} (query rows: a row's {@code lse[lo + rr]} and
     * {@code D = dd[lo + rr]}), {@code attPk$(ap, n, at, lo, dOff, sc)} (columns: the vectors
     * {@code at[lo …]} and {@code at[dOff …]}), {@code attPv$(ap, n, at, lo)} ({@code P} alone).
     */
    private static MethodSpec coefficients(Elem e, String key) {
        ClassName vt = VectorKernels.vectorType(e);
        boolean rows = key.equals(PQ), ds = !key.equals(PV);
        String name = rows ? "attPq$" : ds ? "attPk$" : "attPv$";
        MethodSpec.Builder m = method(name, "The coefficients of attention's gradient for rows {@code rr < n} of the tile in {@code ap}: "
                + (ds ? "{@code dS·sc = P ∘ (dP - D)·sc}" : "{@code P}") + "\nwith {@code P = exp(s - lse)}, the statistics "
                + (rows ? "of the rows" : "of the columns, vectors in {@code at}") + " (nnc's {@code AttentionMembers}).\n")
                .addParameter(e.array(), "ap").addParameter(TypeName.INT, "n");
        if (rows) m.addParameter(e.array(), "lse").addParameter(e.array(), "dd").addParameter(TypeName.INT, "lo");
        else m.addParameter(e.array(), "at").addParameter(TypeName.INT, "lo");
        if (ds && !rows) m.addParameter(TypeName.INT, "dOff");
        if (ds) m.addParameter(e.type(), "sc");
        CodeBlock.Builder c = CodeBlock.builder();
        offsets(c);
        CodeBlock lse = rows ? bc("lse[lo + rr]") : load(vt, "at", "lo");
        c.beginControlFlow("for (int rr = 0; rr < n; rr++)");
        // the exponential's argument through ap: expa$ takes and returns no vector
        c.addStatement("$L.sub($L).intoArray(ap, rr * L)", VectorExact.exact(e, load(vt, "ap", "rr * L")), lse)
                .addStatement("$L(ap, rr * L)", VectorExp.ATTENTION_METHOD);
        if (ds) {
            // P ∘ (dP − D) as (dP − D) ∘ P: the same product, and P is only an argument
            CodeBlock d = rows ? bc("dd[lo + rr]") : load(vt, "at", "dOff");
            c.addStatement("$L.sub($L).mul($L).mul(sc).intoArray(ap, rr * L)", VectorExact.exact(e, load(vt, "ap", "PD + rr * L")), d,
                    load(vt, "ap", "rr * L"));
        }
        c.endControlFlow();
        return m.addCode(c.build()).build();
    }

    /** {@code attProd$} / {@code attProdF$(ap, n, x, xo, w, nk, out, oo)}: the output row's whole vectors. */
    private static MethodSpec product(Elem e, boolean forward) {
        ClassName vt = VectorKernels.vectorType(e);
        CodeBlock.Builder c = CodeBlock.builder();
        c.addStatement("final int L = SPECIES.length()");
        if (forward) c.addStatement("final int PA = $L * L + $L", 3 * BR, BR);
        c.beginControlFlow("for (int t0 = 0; t0 + L <= w; t0 += L)");
        for (int rr = 0; rr < BR; rr++) c.addStatement("$T u$L = $L", vt, rr, VectorExact.zero(e));
        c.beginControlFlow("for (int jj = 0; jj < nk; jj++)").addStatement("final $T v = $L", vt, load(vt, "x", "xo + jj * w + t0"));
        for (int rr = 0; rr < BR; rr++) c.addStatement("u$L = $L.fma(v, u$L)", rr, bc("ap[" + (rr == 0 ? "" : rr + " * L + ") + "jj]"), rr);
        c.endControlFlow();
        for (int rr = 0; rr < BR; rr++) {
            if (rr > 0) c.beginControlFlow("if (n > $L)", rr);
            c.addStatement("final int o$L = oo + $L * w + t0", rr, rr);
            String o = "o" + rr;
            if (forward) c.addStatement("$L.fma($L, u$L).intoArray(out, $L)", bc("ap[PA + " + rr + "]"), load(vt, "out", o), rr, o);
            else c.addStatement("$L.add(u$L).intoArray(out, $L)", VectorExact.exact(e, load(vt, "out", o)), rr, o);
            if (rr > 0) c.endControlFlow();
        }
        c.endControlFlow();
        return method(forward ? "attProdF$" : "attProd$", "The whole vectors of attention's product for rows {@code rr < n}: {@code out[oo + rr·w …] "
                + (forward ? "= alpha_rr · out[…] + " : "+= ") + "Σ_jj ap[rr·L + jj] · x[xo + jj·w …]}\nfor {@code jj < nk}"
                + (forward ? ", {@code alpha_rr} the row's rescale in {@code ap}" : "") + " (nnc's {@code AttentionMembers}).\n")
                .addParameter(e.array(), "ap").addParameter(TypeName.INT, "n").addParameter(e.array(), "x").addParameter(TypeName.INT, "xo")
                .addParameter(TypeName.INT, "w").addParameter(TypeName.INT, "nk").addParameter(e.array(), "out").addParameter(TypeName.INT, "oo")
                .addCode(c.build()).build();
    }

    /** Registers members {@code keys} of kernel {@code k}, with what they need: {@code expa$} and, for {@code attOnline$} in f32, {@code expf}. */
    static void register(Kernel k, String... keys) {
        for (String key : keys) {
            k.members.add(key);
            if (key.equals(ONLINE) && k.elem.f32()) k.helpers.add(Helper.EXPF);
        }
        k.members.add(VectorExp.ATTENTION_METHOD);
        k.members.add(VectorExp.member(k.elem));
    }
}
