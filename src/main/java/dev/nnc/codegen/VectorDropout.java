package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import javax.lang.model.element.Modifier;

/** The dropout mask on the vector backend, and the long species and anchors it needs as class members. */
final class VectorDropout {
    private VectorDropout() {}

    /**
     * The dropout mask ({@code Kernels}' scalar form, the same values bit for bit): the
     * SplitMix64 draws in {@code LongVector} lanes of the same shape as {@code SPECIES}, the 0/1
     * keep flags converted to as many lanes of the element type ({@code HSPECIES}, half the
     * width of {@code SPECIES}, for f32), scaled and stored; a scalar tail. One hash chain per
     * step: two (16 floats from two long vectors) took C2's parse of the kernel past its node
     * count for inlining ({@link VectorRegisterBlocks#microKernel}), and so did a {@code convertShape} into the full
     * width. The converted flags are only arguments ({@link VectorExact}).
     */
    static void dropout(Kernel k, CodeBlock count, long threshold, java.util.function.Consumer<String> scalarTail) {
        ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
        ClassName LV = ClassName.get("jdk.incubator.vector", "LongVector");
        k.members.add(VectorKernels.LSPECIES);
        k.runAsStep();
        CodeBlock.Builder c = k.body;
        c.addStatement("int iv = 0")
                .beginControlFlow("for (; iv + LSPECIES.length() <= $L; iv += LSPECIES.length())", count);
        c.add("// SplitMix64 draws iv + 1 … iv + LSPECIES.length() of the stream, one per lane\n")
                .addStatement("$T z = $L.addIndex(1).mul(0x9E3779B97F4A7C15L).add(s0)", LV, VectorExact.longBroadcast(CodeBlock.of("(long) iv + 1")))
                .addStatement("z = z.lanewise($T.XOR, z.lanewise($T.LSHR, 30)).mul(0xBF58476D1CE4E5B9L)", ops, ops)
                .addStatement("z = z.lanewise($T.XOR, z.lanewise($T.LSHR, 27)).mul(0x94D049BB133111EBL)", ops, ops)
                .addStatement("z = z.lanewise($T.XOR, z.lanewise($T.LSHR, 31))", ops, ops)
                .add("// keep iff (z >>> 11) >= ceil(p * 2^53)\n")
                .addStatement("z = $L.sub(z.lanewise($T.LSHR, 11).sub($LL).lanewise($T.LSHR, 63))",
                        VectorExact.longBroadcast(CodeBlock.of("1L")), ops, threshold, ops);
        if (k.elem.f32()) {
            c.addStatement("HANCHOR$$.broadcast(keep).mul(z.convertShape($T.L2F, HSPECIES, 0)).intoArray(out, iv)", ops);
        } else {
            c.addStatement("$L.mul(z.convertShape($T.L2D, SPECIES, 0)).intoArray(out, iv)", VectorExact.broadcast(CodeBlock.of("keep")), ops);
        }
        c.endControlFlow();
        scalarTail.accept("iv");
    }

    /** The species and anchors of {@link #dropout}: {@code LSPECIES}, {@code LANCHOR$} and, for f32, {@code HSPECIES} and {@code HANCHOR$}. */
    static void randomHelpers(com.palantir.javapoet.TypeSpec.Builder t, Elem e) {
        randomSpecies(t);
        if (!e.f32()) return;
        ClassName species = ClassName.get("jdk.incubator.vector", "VectorSpecies");
        ClassName shape = ClassName.get("jdk.incubator.vector", "VectorShape");
        t.addField(com.palantir.javapoet.FieldSpec.builder(
                        com.palantir.javapoet.ParameterizedTypeName.get(species, ClassName.get(Float.class)), "HSPECIES",
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Floats as many as the lanes of {@code LSPECIES}: the dropout mask's converted draws.\n")
                .initializer("$T.of(float.class, $T.forBitSize(LSPECIES.length() * 32))", species, shape).build());
        t.addField(com.palantir.javapoet.FieldSpec.builder(VectorKernels.vectorType(e), "HANCHOR$", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Only ever the receiver of {@code broadcast}, as {@code ANCHOR$$}, for {@code HSPECIES}.\n")
                .initializer("$T.zero(HSPECIES)", VectorKernels.vectorType(e)).build());
    }

    /** {@code LSPECIES}, the long species of {@link #dropout}: the same shape as {@code SPECIES}. */
    private static void randomSpecies(com.palantir.javapoet.TypeSpec.Builder t) {
        ClassName species = ClassName.get("jdk.incubator.vector", "VectorSpecies");
        t.addField(com.palantir.javapoet.FieldSpec.builder(
                        com.palantir.javapoet.ParameterizedTypeName.get(species, ClassName.get(Long.class)), "LSPECIES",
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.of(long.class, SPECIES.vectorShape())", species).build());
        VectorExact.addLongAnchor(t);
    }
}
