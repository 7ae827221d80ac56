package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Op;

/**
 * Matrix products for the vector backend ({@code jdk.incubator.vector}): register-blocked
 * kernels whose accumulators are local vector variables inside one method (so C2 keeps them
 * in registers and never boxes them), with scalar loops for the edges.
 * <ul>
 *   <li>{@code A·B} and {@code Aᵀ·B}: blocks of {@value #ROWS} rows × {@value #COLS} vectors of
 *       columns; each step broadcasts one element of A per row and multiplies a row of B.</li>
 *   <li>{@code A·Bᵀ}: each output is a dot product of two contiguous rows; blocks of 2 × 2
 *       outputs accumulate vectors along the shared dimension, then reduce the lanes.</li>
 * </ul>
 */
final class VectorKernels {
    static final int ROWS = 4;
    static final int COLS = 4;
    /** Rows of B per cache block. */
    static final int KB = 128;

    private VectorKernels() {}

    static ClassName vectorType(Elem e) {
        return ClassName.get("jdk.incubator.vector", e.f32() ? "FloatVector" : "DoubleVector");
    }

    /** Emits the product {@code n} (a MATMUL whose operands may be transposes read in place). */
    static void matmul(Plan plan, Kernel k, Node n) {
        Node a = n.input(0), b = n.input(1);
        boolean ta = plan.how.get(a) == Plan.How.VIEW && a.op() == Op.TRANSPOSE;
        boolean tb = plan.how.get(b) == Plan.How.VIEW && b.op() == Op.TRANSPOSE;
        String A = k.array(plan.base(ta ? a.input(0) : a));
        String B = k.array(plan.base(tb ? b.input(0) : b));
        CodeBlock m = k.size(Sym.of(n.shape().get(0)));
        CodeBlock nn = k.size(Sym.of(n.shape().get(1)));
        CodeBlock kk = k.size(Sym.of(a.shape().get(1)));
        CodeBlock.Builder c = k.body;
        c.addStatement("final int M = $L, N = $L, K = $L", m, nn, kk);
        boolean oneColumn = n.shape().get(1).isOne();
        boolean rankOne = a.shape().get(1).isOne();
        if (oneColumn && !ta && !tb) {
            matVec(k, A, B);
        } else if (oneColumn && ta && !tb) {
            matTVec(k, A, B);
        } else if (rankOne && !ta && tb) {
            outer(k, A, B);
        } else if (tb && !ta) {
            dotKernel(k, A, B);
        } else if (!tb) {
            axpyKernel(k, A, B, ta);
        } else {
            // Aᵀ·Bᵀ: rare (no gradient rule produces it); plain loops
            c.beginControlFlow("for (int i = 0; i < M; i++)")
                    .beginControlFlow("for (int j = 0; j < N; j++)")
                    .addStatement("$T s = 0", k.elem.type())
                    .addStatement("for (int p = 0; p < K; p++) s += $L[p * M + i] * $L[j * K + p]", A, B)
                    .addStatement("out[i * N + j] = s")
                    .endControlFlow().endControlFlow();
        }
    }

    /**
     * {@code out = A·B} (or {@code Aᵀ·B} when {@code ta}: A stored as [K, M]). Column panels of
     * {@value #COLS} vectors are the outer loop, so a panel of B stays in L1 while every block of
     * {@value #ROWS} rows of A passes over it.
     */
    private static void axpyKernel(Kernel k, String A, String B, boolean ta) {
        ClassName V = vectorType(k.elem);
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length()");
        c.addStatement("final int JB = N - N % ($L * L)", COLS);
        c.addStatement("final int JV = N - N % L");
        // blocks of KB rows of B: a panel of KB x COLS vectors stays in L1 while the rows of A pass over it
        c.beginControlFlow("for (int p0 = 0; p0 < K; p0 += $L)", KB);
        c.addStatement("final int p1 = Math.min(K, p0 + $L)", KB);
        c.beginControlFlow("for (int j = 0; j < JB; j += $L * L)", COLS);
        c.addStatement("int i = 0");
        c.beginControlFlow("for (; i + $L <= M; i += $L)", ROWS, ROWS);
        block(c, V, A, B, ta, ROWS, COLS);
        c.endControlFlow();
        c.beginControlFlow("for (; i < M; i++)");
        block(c, V, A, B, ta, 1, COLS);
        c.endControlFlow();
        c.endControlFlow();
        // remaining whole vectors of columns
        c.beginControlFlow("for (int j = JB; j < JV; j += L)");
        c.beginControlFlow("for (int i = 0; i < M; i++)");
        block(c, V, A, B, ta, 1, 1);
        c.endControlFlow();
        c.endControlFlow();
        // remaining columns, one at a time
        c.beginControlFlow("for (int j = JV; j < N; j++)")
                .beginControlFlow("for (int i = 0; i < M; i++)")
                .addStatement("$T s = p0 == 0 ? 0 : out[i * N + j]", k.elem.type())
                .addStatement("for (int p = p0; p < p1; p++) s += $L * $L[p * N + j]", aElem(A, ta, "i"), B)
                .addStatement("out[i * N + j] = s")
                .endControlFlow()
                .endControlFlow();
        c.endControlFlow();
    }

    /** One register block: {@code rows} rows from {@code i}, {@code cols} vectors from {@code j}, over p in [p0, p1). */
    private static void block(CodeBlock.Builder c, ClassName V, String A, String B, boolean ta, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < cols; v++) {
                c.addStatement("$T c$L$L = p0 == 0 ? $T.zero(SPECIES) : $T.fromArray(SPECIES, out, (i + $L) * N + j + $L * L)",
                        V, r, v, V, V, r, v);
            }
        }
        // row starts hoisted out of the p loop: A[(i + r) * K + p] (or Aᵀ: A[p * M + i + r])
        if (!ta) for (int r = 0; r < rows; r++) c.addStatement("final int ar$L = (i + $L) * K", r, r);
        c.beginControlFlow("for (int p = p0; p < p1; p++)");
        c.addStatement("final int bo = p * N + j");
        if (ta) c.addStatement("final int ao = p * M + i");
        for (int v = 0; v < cols; v++) {
            c.addStatement("$T vb$L = $T.fromArray(SPECIES, $L, bo + $L * L)", V, v, V, B, v);
        }
        for (int r = 0; r < rows; r++) {
            CodeBlock ae = ta ? CodeBlock.of("$L[ao + $L]", A, r) : CodeBlock.of("$L[ar$L + p]", A, r);
            c.addStatement("$T ua$L = $T.broadcast(SPECIES, $L)", V, r, V, ae);
            for (int v = 0; v < cols; v++) c.addStatement("c$L$L = ua$L.fma(vb$L, c$L$L)", r, v, r, v, r, v);
        }
        c.endControlFlow();
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < cols; v++) c.addStatement("c$L$L.intoArray(out, (i + $L) * N + j + $L * L)", r, v, r, v);
        }
    }

    private static CodeBlock aElem(String A, boolean ta, String row) {
        return ta ? CodeBlock.of("$L[p * M + $L]", A, row) : CodeBlock.of("$L[($L) * K + p]", A, row);
    }

    /** {@code out[M,1] = A[M,K]·b[K]}: one dot product per row, four vector accumulators each. */
    private static void matVec(Kernel k, String A, String B) {
        ClassName V = vectorType(k.elem);
        ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
        k.body.addStatement("final int L = SPECIES.length()")
                .beginControlFlow("for (int i = 0; i < M; i++)")
                .addStatement("final int ar = i * K")
                .addStatement("$T z = $T.zero(SPECIES), s0 = z, s1 = z, s2 = z, s3 = z", V, V)
                .addStatement("int p = 0")
                .beginControlFlow("for (; p + 4 * L <= K; p += 4 * L)")
                .addStatement("s0 = $T.fromArray(SPECIES, $L, ar + p).fma($T.fromArray(SPECIES, $L, p), s0)", V, A, V, B)
                .addStatement("s1 = $T.fromArray(SPECIES, $L, ar + p + L).fma($T.fromArray(SPECIES, $L, p + L), s1)", V, A, V, B)
                .addStatement("s2 = $T.fromArray(SPECIES, $L, ar + p + 2 * L).fma($T.fromArray(SPECIES, $L, p + 2 * L), s2)", V, A, V, B)
                .addStatement("s3 = $T.fromArray(SPECIES, $L, ar + p + 3 * L).fma($T.fromArray(SPECIES, $L, p + 3 * L), s3)", V, A, V, B)
                .endControlFlow()
                .beginControlFlow("for (; p + L <= K; p += L)")
                .addStatement("s0 = $T.fromArray(SPECIES, $L, ar + p).fma($T.fromArray(SPECIES, $L, p), s0)", V, A, V, B)
                .endControlFlow()
                .addStatement("$T s = s0.add(s1).add(s2).add(s3).reduceLanes($T.ADD)", k.elem.type(), ops)
                .addStatement("for (; p < K; p++) s += $L[ar + p] * $L[p]", A, B)
                .addStatement("out[i] = s")
                .endControlFlow();
    }

    /** {@code out[M,1] = Aᵀ·b} with A stored as [K, M]: axpys of the rows of A, {@code out += b[p] · A[p, :]}. */
    private static void matTVec(Kernel k, String A, String B) {
        ClassName V = vectorType(k.elem);
        k.body.addStatement("final int L = SPECIES.length()")
                .addStatement("final int MV = M - M % L")
                .addStatement("$T.fill(out, 0, M, $L)", java.util.Arrays.class, k.elem.lit(0))
                .beginControlFlow("for (int p = 0; p < K; p++)")
                .addStatement("final int ar = p * M")
                .addStatement("final $T bp = $L[p]", k.elem.type(), B)
                .addStatement("final $T vb = $T.broadcast(SPECIES, bp)", V, V)
                .addStatement("int i = 0")
                .beginControlFlow("for (; i < MV; i += L)")
                .addStatement("vb.fma($T.fromArray(SPECIES, $L, ar + i), $T.fromArray(SPECIES, out, i)).intoArray(out, i)", V, A, V)
                .endControlFlow()
                .addStatement("for (; i < M; i++) out[i] += bp * $L[ar + i]", A)
                .endControlFlow();
    }

    /** {@code out[M,N] = a[M,1]·bᵀ[1,N]} (B stored as [N, 1]): an outer product, row by row. */
    private static void outer(Kernel k, String A, String B) {
        ClassName V = vectorType(k.elem);
        k.body.addStatement("final int L = SPECIES.length()")
                .addStatement("final int NV = N - N % L")
                .beginControlFlow("for (int i = 0; i < M; i++)")
                .addStatement("final $T ai = $L[i]", k.elem.type(), A)
                .addStatement("final $T va = $T.broadcast(SPECIES, ai)", V, V)
                .addStatement("final int or = i * N")
                .addStatement("int j = 0")
                .beginControlFlow("for (; j < NV; j += L)")
                .addStatement("va.mul($T.fromArray(SPECIES, $L, j)).intoArray(out, or + j)", V, B)
                .endControlFlow()
                .addStatement("for (; j < N; j++) out[or + j] = ai * $L[j]", B)
                .endControlFlow();
    }

    /** {@code out = A·Bᵀ}, B stored as [N, K]: dot products of contiguous rows. */
    private static void dotKernel(Kernel k, String A, String B) {
        ClassName V = vectorType(k.elem);
        ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length()");
        c.addStatement("final int KV = K - K % L");
        c.beginControlFlow("for (int i = 0; i < M; i += 2)")
                .addStatement("int i1 = Math.min(i + 1, M - 1)")
                .beginControlFlow("for (int j = 0; j < N; j += 2)")
                .addStatement("int j1 = Math.min(j + 1, N - 1)")
                .addStatement("$T s00 = $T.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00", V, V)
                .addStatement("int p = 0")
                .beginControlFlow("for (; p < KV; p += L)")
                .addStatement("$T ra0 = $T.fromArray(SPECIES, $L, i * K + p)", V, V, A)
                .addStatement("$T ra1 = $T.fromArray(SPECIES, $L, i1 * K + p)", V, V, A)
                .addStatement("$T rb0 = $T.fromArray(SPECIES, $L, j * K + p)", V, V, B)
                .addStatement("$T rb1 = $T.fromArray(SPECIES, $L, j1 * K + p)", V, V, B)
                .addStatement("s00 = ra0.fma(rb0, s00)")
                .addStatement("s01 = ra0.fma(rb1, s01)")
                .addStatement("s10 = ra1.fma(rb0, s10)")
                .addStatement("s11 = ra1.fma(rb1, s11)")
                .endControlFlow()
                .addStatement("$T r00 = s00.reduceLanes($T.ADD), r01 = s01.reduceLanes($T.ADD)", k.elem.type(), ops, ops)
                .addStatement("$T r10 = s10.reduceLanes($T.ADD), r11 = s11.reduceLanes($T.ADD)", k.elem.type(), ops, ops)
                .beginControlFlow("for (; p < K; p++)")
                .addStatement("$T x0 = $L[i * K + p], x1 = $L[i1 * K + p], y0 = $L[j * K + p], y1 = $L[j1 * K + p]",
                        k.elem.type(), A, A, B, B)
                .addStatement("r00 += x0 * y0")
                .addStatement("r01 += x0 * y1")
                .addStatement("r10 += x1 * y0")
                .addStatement("r11 += x1 * y1")
                .endControlFlow()
                .addStatement("out[i * N + j] = r00")
                .addStatement("out[i * N + j1] = r01")
                .addStatement("out[i1 * N + j] = r10")
                .addStatement("out[i1 * N + j1] = r11")
                .endControlFlow()
                .endControlFlow();
    }
}
