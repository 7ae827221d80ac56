package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Size;

/**
 * The vector backend's products with a dimension too small for the register blocks of
 * {@link VectorKernels}: one column ({@code A·b}, {@code Aᵀ·b}), a shared dimension of one (an
 * outer product), and narrow products, whose column count (or, for {@code A·Bᵀ}, shared
 * dimension) is a constant below one 512-bit vector ({@link VectorKernels#narrow}), such as the 10
 * classes of a classifier: their vectors run along the other dimension instead, through the
 * temporary scratch: {@code A·B} transposes B and takes dot products, {@code Aᵀ·B} computes
 * {@code (Bᵀ·A)ᵀ}, {@code A·Bᵀ} transposes B and takes axpys. With fewer than
 * {@value VectorKernels#PACK_MIN_ROWS} rows the copy would cost as much as the product: plain
 * loops. Every array is read through {@link Product.Arrays}, so the same code serves each batch.
 */
final class VectorThinProducts {
    private VectorThinProducts() {}

    /**
     * A narrow {@code A·B} or {@code Aᵀ·B} (few columns): with enough rows, the vectors run along
     * the rows or the shared dimension instead, through the temporary {@code tk}.
     */
    static void narrowColumns(Kernel k, Product p, VectorKernels.Names names, boolean ta) {
        Product.Arrays x = names.x();
        String A = x.a(), B = x.b(), C = x.c();
        CodeBlock.Builder c = k.body;
        c.beginControlFlow("if (M < $L)", VectorKernels.PACK_MIN_ROWS);
        if (ta) {
            c.addStatement("$T.fill($L, $L, $L, $L)", java.util.Arrays.class, C, x.cAt("0"), x.cAt("M * N"), k.elem.lit(0));
            // A stored as [K, M]: p outermost, rows p of A and B contiguous
            c.beginControlFlow("for (int p = 0; p < K; p++)")
                    .beginControlFlow("for (int i = 0; i < M; i++)")
                    .addStatement("final $T ai = $L", k.elem.type(), x.a("p * M + i"))
                    .addStatement("for (int j = 0; j < N; j++) $L += ai * $L", x.c("i * N + j"), x.b("p * N + j"))
                    .endControlFlow().endControlFlow();
        } else {
            // a row of B fits one vector: load whole vectors from the start of each row (the lanes
            // past N hold the next row and are ignored) while they stay inside the array, then
            // finish each element with scalars
            ClassName V = VectorKernels.vectorType(k.elem);
            k.scratch(VectorKernels.pack(Size.ONE));
            CodeBlock length = x.bOff() == null ? CodeBlock.of("$L.length", B) : CodeBlock.of("$L.length - $L", B, x.bOff());
            c.beginControlFlow("if (N <= L)")
                    .addStatement("final int pv = $L >= L ? Math.min(K, ($L - L) / N + 1) : 0", length, length)
                    .beginControlFlow("for (int i = 0; i < M; i++)")
                    .addStatement("$T s0 = $L, s1 = s0", V, VectorExact.zero(k.elem))
                    .addStatement("int p = 0")
                    .beginControlFlow("for (; p + 1 < pv; p += 2)")
                    .addStatement("s0 = $L.fma($T.fromArray(SPECIES, $L, $L), s0)", VectorExact.broadcast(x.a("i * K + p")), V, B, x.bAt("p * N"))
                    .addStatement("s1 = $L.fma($T.fromArray(SPECIES, $L, $L), s1)", VectorExact.broadcast(x.a("i * K + p + 1")), V, B,
                            x.bAt("(p + 1) * N"))
                    .endControlFlow()
                    .beginControlFlow("if (p < pv)")
                    .addStatement("s0 = $L.fma($T.fromArray(SPECIES, $L, $L), s0)", VectorExact.broadcast(x.a("i * K + p")), V, B, x.bAt("p * N"))
                    .addStatement("p++")
                    .endControlFlow()
                    .addStatement("final int q0 = p")
                    .addStatement("$L.add(s1).intoArray(pk, 0)", VectorExact.exact(k.elem, CodeBlock.of("s0")))
                    .beginControlFlow("for (int j = 0; j < N; j++)")
                    .addStatement("$T s = pk[j]", k.elem.type())
                    .addStatement("for (int q = q0; q < K; q++) s += $L * $L", x.a("i * K + q"), x.b("q * N + j"))
                    .addStatement("$L = s", x.c("i * N + j"))
                    .endControlFlow()
                    .endControlFlow()
                    .nextControlFlow("else");
            c.addStatement("$T.fill($L, $L, $L, $L)", java.util.Arrays.class, C, x.cAt("0"), x.cAt("M * N"), k.elem.lit(0));
            c.beginControlFlow("for (int i = 0; i < M; i++)")
                    .beginControlFlow("for (int p = 0; p < K; p++)")
                    .addStatement("final $T ai = $L", k.elem.type(), x.a("i * K + p"))
                    .addStatement("for (int j = 0; j < N; j++) $L += ai * $L", x.c("i * N + j"), x.b("p * N + j"))
                    .endControlFlow().endControlFlow();
            c.endControlFlow();
        }
        c.nextControlFlow("else");
        if (ta) {
            // tk[N, M] = Bᵀ·A, an Aᵀ·B product whose M columns run along vectors; then C = tkᵀ
            k.scratch(VectorKernels.temp(p.m.times(p.n)));
            VectorPanels.product(k, new VectorKernels.Names(new Product.Arrays("tk", null, B, x.bOff(), A, x.aOff()), "N", "M", "K"), true, p.k);
            c.beginControlFlow("for (int i = 0; i < M; i++)")
                    .addStatement("for (int j = 0; j < N; j++) $L = tk[j * M + i]", x.c("i * N + j"))
                    .endControlFlow();
        } else {
            // tk[N, K] = Bᵀ, then dot products of the rows of A and tk
            k.scratch(VectorKernels.temp(p.k.times(p.n)));
            c.beginControlFlow("for (int p = 0; p < K; p++)")
                    .addStatement("for (int j = 0; j < N; j++) tk[j * K + p] = $L", x.b("p * N + j"))
                    .endControlFlow();
            VectorKernels.dotKernel(k, new VectorKernels.Names(new Product.Arrays(C, x.cOff(), A, x.aOff(), "tk", null), "M", "N", "K"));
        }
        c.endControlFlow();
    }

    /** A narrow {@code A·Bᵀ} (few shared elements, B stored as [N, K]): with enough rows, transpose B into {@code tk} and take axpys. */
    static void narrowShared(Kernel k, Product p, VectorKernels.Names names) {
        Product.Arrays x = names.x();
        CodeBlock.Builder c = k.body;
        k.scratch(VectorKernels.temp(p.k.times(p.n)));
        c.beginControlFlow("if (M < $L)", VectorKernels.PACK_MIN_ROWS);
        VectorKernels.dotKernel(k, names);
        c.nextControlFlow("else");
        c.beginControlFlow("for (int j = 0; j < N; j++)")
                .addStatement("for (int p = 0; p < K; p++) tk[p * N + j] = $L", x.b("j * K + p"))
                .endControlFlow();
        VectorPanels.product(k, new VectorKernels.Names(new Product.Arrays(x.c(), x.cOff(), x.a(), x.aOff(), "tk", null), "M", "N", "K"), false, p.k);
        c.endControlFlow();
    }

    /** {@code C[M,1] = A[M,K]·b[K]}: one dot product per row, four vector accumulators each. */
    static void matVec(Kernel k, VectorKernels.Names names) {
        Product.Arrays x = names.x();
        String A = x.a(), B = x.b();
        ClassName V = VectorKernels.vectorType(k.elem);
        k.body.beginControlFlow("for (int i = 0; i < M; i++)")
                .addStatement("final int ar = $L", x.aAt("i * K"))
                .addStatement("$T s0 = $L, s1 = s0, s2 = s0, s3 = s0", V, VectorExact.zero(k.elem))
                .addStatement("int p = 0")
                .beginControlFlow("for (; p + 4 * L <= K; p += 4 * L)")
                .addStatement("s0 = $L.fma($T.fromArray(SPECIES, $L, $L), s0)", VectorKernels.loadExact(k.elem, A, "ar + p"), V, B, x.bAt("p"))
                .addStatement("s1 = $L.fma($T.fromArray(SPECIES, $L, $L), s1)", VectorKernels.loadExact(k.elem, A, "ar + p + L"), V, B, x.bAt("p + L"))
                .addStatement("s2 = $L.fma($T.fromArray(SPECIES, $L, $L), s2)", VectorKernels.loadExact(k.elem, A, "ar + p + 2 * L"), V, B, x.bAt("p + 2 * L"))
                .addStatement("s3 = $L.fma($T.fromArray(SPECIES, $L, $L), s3)", VectorKernels.loadExact(k.elem, A, "ar + p + 3 * L"), V, B, x.bAt("p + 3 * L"))
                .endControlFlow()
                .beginControlFlow("for (; p + L <= K; p += L)")
                .addStatement("s0 = $L.fma($T.fromArray(SPECIES, $L, $L), s0)", VectorKernels.loadExact(k.elem, A, "ar + p"), V, B, x.bAt("p"))
                .endControlFlow()
                .add(VectorKernels.sumLanes(k, "s", CodeBlock.of("$L.add(s1).add(s2).add(s3)", VectorExact.exact(k.elem, CodeBlock.of("s0")))))
                .addStatement("for (; p < K; p++) s += $L[ar + p] * $L", A, x.b("p"))
                .addStatement("$L = s", x.c("i"))
                .endControlFlow();
    }

    /** {@code C[M,1] = Aᵀ·b} with A stored as [K, M]: axpys of the rows of A, {@code C += b[p] · A[p, :]}. */
    static void matTVec(Kernel k, VectorKernels.Names names) {
        Product.Arrays x = names.x();
        String A = x.a(), C = x.c();
        ClassName V = VectorKernels.vectorType(k.elem);
        k.body.addStatement("final int MV = M - M % L")
                .addStatement("$T.fill($L, $L, $L, $L)", java.util.Arrays.class, C, x.cAt("0"), x.cAt("M"), k.elem.lit(0))
                .beginControlFlow("for (int p = 0; p < K; p++)")
                .addStatement("final int ar = $L", x.aAt("p * M"))
                .addStatement("final $T bp = $L", k.elem.type(), x.b("p"))
                .addStatement("int i = 0")
                .beginControlFlow("for (; i < MV; i += L)")
                .addStatement("$L.fma($T.fromArray(SPECIES, $L, ar + i), $T.fromArray(SPECIES, $L, $L)).intoArray($L, $L)",
                        VectorExact.broadcast(CodeBlock.of("bp")), V, A, V, C, x.cAt("i"), C, x.cAt("i"))
                .endControlFlow()
                .addStatement("for (; i < M; i++) $L += bp * $L[ar + i]", x.c("i"), A)
                .endControlFlow();
    }

    /** {@code C[M,N] = a[M,1]·bᵀ[1,N]} (B stored as [N, 1]): an outer product, row by row. */
    static void outer(Kernel k, VectorKernels.Names names) {
        Product.Arrays x = names.x();
        String B = x.b(), C = x.c();
        ClassName V = VectorKernels.vectorType(k.elem);
        k.body.addStatement("final int NV = N - N % L")
                .beginControlFlow("for (int i = 0; i < M; i++)")
                .addStatement("final $T ai = $L", k.elem.type(), x.a("i"))
                .addStatement("final int or = $L", x.cAt("i * N"))
                .addStatement("int j = 0")
                .beginControlFlow("for (; j < NV; j += L)")
                .addStatement("$L.mul($T.fromArray(SPECIES, $L, $L)).intoArray($L, or + j)", VectorExact.broadcast(CodeBlock.of("ai")), V, B,
                        x.bAt("j"), C)
                .endControlFlow()
                .addStatement("for (; j < N; j++) $L[or + j] = ai * $L", C, x.b("j"))
                .endControlFlow();
    }
}
