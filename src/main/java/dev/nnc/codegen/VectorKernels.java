package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import javax.lang.model.element.Modifier;

/**
 * Matrix products and the dropout mask for the vector backend ({@code jdk.incubator.vector}):
 * register-blocked kernels whose accumulators are local vector variables inside one method (so
 * C2 keeps them in registers and never boxes them), with scalar loops for the edges.
 * <ul>
 *   <li>{@code A·B} and {@code Aᵀ·B}: blocks of {@value #ROWS} rows × {@value #COLS} vectors of
 *       columns; each step broadcasts one element of A per row and multiplies a row of B, over the
 *       whole shared dimension (each block's sums start at zero in registers and are stored once).
 *       With at least {@value #PACK_MIN_ROWS} rows, each panel of B (every row, {@value #COLS}
 *       vectors of columns) is first copied to the panel scratch, contiguous: rows of B a
 *       power-of-two apart otherwise map to the same few sets of the L1 cache, and the rows of
 *       A passing over the panel would miss the cache at every step.</li>
 *   <li>{@code A·Bᵀ}: each output is a dot product of two contiguous rows; blocks of 2 × 2
 *       outputs accumulate vectors along the shared dimension, then reduce the lanes.</li>
 *   <li>Narrow products, whose column count (or, for {@code A·Bᵀ}, shared dimension) is a
 *       constant below one 512-bit vector ({@link #narrow}), such as the 10 classes of a
 *       classifier: the vectors run along the other dimension instead, through the temporary
 *       scratch: {@code A·B} transposes B and takes dot products, {@code Aᵀ·B} computes
 *       {@code (Bᵀ·A)ᵀ}, {@code A·Bᵀ} transposes B and takes axpys. With fewer than
 *       {@value #PACK_MIN_ROWS} rows the copy would cost as much as the product: plain loops.</li>
 * </ul>
 * Every vector that receives a call is of an exactly known class ({@link VectorExact}).
 */
final class VectorKernels {
    static final int ROWS = 4;
    /**
     * Vectors of columns per register block: 3, so that the 6-row block (18 accumulators) keeps
     * C2's parse of it below the node count past which C2 delays inlining ({@link #microKernel});
     * 6 × 4 went past it.
     */
    static final int COLS = 3;
    /** Rows per register block where there are 32 vector registers: 6 × 3 accumulators. */
    static final int TALL = 6;
    /**
     * Vectors of columns per register block for a single row, widest first: 12 (with its loads and
     * stores, as many Vector API calls as C2's node count allows in one method, {@link
     * #microKernel}), then narrower blocks for the rest.
     */
    static final int[] STREAM_WIDTHS = {12, 8, 4, 1};
    /**
     * Products with at least this many rows, and at least {@link #PAR_MIN_WORK} multiply-adds, are
     * split over threads when the instance has several (setThreads).
     */
    static final int PAR_MIN_ROWS = 48;
    /**
     * 2^24 multiply-adds (about 70 µs on one core): handing a chunk to a pool thread costs tens of
     * µs, so smaller products stay on the calling thread (W1's 64 × 331 × 256 ran slower split:
     * 170 vs 120 µs per train step).
     */
    static final long PAR_MIN_WORK = 1L << 24;
    /** Products with at least this many rows copy the panels of B, and narrow products transpose. */
    static final int PACK_MIN_ROWS = 8;

    private VectorKernels() {}

    /**
     * The panel scratch for products whose panels of B have {@code rows} rows: {@value #COLS}
     * vectors per row, where products copy a panel of their right operand to be contiguous.
     */
    static Scratch pack(Size rows) {
        return new Scratch("scratch$pack", "pk", null, rows.times(COLS), true,
                "Scratch for matrix products: a panel of the right operand, copied to be contiguous.");
    }

    /** A temporary of {@code elements}: a transposed operand or result of a narrow product. */
    static Scratch temp(Size elements) {
        return Scratch.flat("scratch$temp", "tk", elements, "Scratch for matrix products: a transposed operand or result.");
    }

    /** Class members the kernels ask for ({@link Kernel#members}): a register block "micro:RxC", and the long species. */
    static final String MICRO = "micro:";
    static final String LSPECIES = "LSPECIES";

    /** Adds class member {@code key} (one of {@link Kernel#members}) to the class. */
    static void addMember(com.palantir.javapoet.TypeSpec.Builder t, Elem e, String key) {
        if (key.equals(LSPECIES)) randomHelpers(t, e);
        else if (key.startsWith(MICRO)) t.addMethod(microKernel(e, key.substring(MICRO.length())));
        else throw new IllegalArgumentException("no class member " + key);
    }

    static ClassName vectorType(Elem e) {
        return ClassName.get("jdk.incubator.vector", e.f32() ? "FloatVector" : "DoubleVector");
    }

    /** A static dim below this many elements is narrow: less than one 512-bit vector. */
    static int narrow(Elem e) {
        return e.f32() ? 16 : 8;
    }

    /**
     * The names of one product's arrays and sizes in the generated code: {@code out = A·B},
     * [m, k]·[k, n], computing rows {@code lo} to {@code hi} of the result.
     */
    private record Names(String out, String a, String b, String m, String n, String k, String lo, String hi) {
        /** All rows. */
        Names(String out, String a, String b, String m, String n, String k) {
            this(out, a, b, m, n, k, "0", m);
        }
    }

    /** Emits the product {@code n} (a MATMUL whose operands may be transposes read in place). */
    static void matmul(Plan plan, Kernel k, Node n) {
        k.runAsStep();
        Node a = n.input(0), b = n.input(1);
        boolean ta = plan.isTransposedView(a);
        boolean tb = plan.isTransposedView(b);
        String A = k.array(plan.base(ta ? a.input(0) : a));
        String B = k.array(plan.base(tb ? b.input(0) : b));
        CodeBlock m = k.size(Size.of(n.shape().get(0)));
        CodeBlock nn = k.size(Size.of(n.shape().get(1)));
        CodeBlock kk = k.size(Size.of(a.shape().get(1)));
        CodeBlock.Builder c = k.body;
        c.addStatement("final int M = $L, N = $L, K = $L", m, nn, kk);
        c.addStatement("final int L = SPECIES.length()");
        boolean oneColumn = n.shape().get(1).isOne();
        boolean rankOne = a.shape().get(1).isOne();
        Dim cols = n.shape().get(1), shared = a.shape().get(1);
        boolean narrowN = cols.isStatic() && cols.size() < narrow(k.elem);
        boolean narrowK = shared.isStatic() && shared.size() < narrow(k.elem);
        Names x = new Names("out", A, B, "M", "N", "K");
        if (oneColumn && !ta && !tb) {
            matVec(k, A, B);
        } else if (oneColumn && ta && !tb) {
            matTVec(k, A, B);
        } else if (rankOne && !ta && tb) {
            outer(k, A, B);
        } else if (tb && !ta) {
            if (narrowK) narrowShared(k, b, A, B);
            else dotKernel(k, x);
        } else if (!tb) {
            if (narrowN) {
                narrowColumns(k, n, b, A, B, ta);
            } else {
                // rows r0..r1: the caller may split them over threads (setThreads)
                k.splitRows(Size.of(n.shape().get(0)), Size.of(n.shape().get(1)).times(Size.of(a.shape().get(1))));
                axpyKernel(k, new Names("out", A, B, "M", "N", "K", "r0", "r1"), ta, Size.of(shared));
            }
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
     * A narrow {@code A·B} or {@code Aᵀ·B} (few columns): with enough rows, the vectors run along
     * the rows or the shared dimension instead, through the temporary {@code tk}.
     */
    private static void narrowColumns(Kernel k, Node n, Node b, String A, String B, boolean ta) {
        CodeBlock.Builder c = k.body;
        c.beginControlFlow("if (M < $L)", PACK_MIN_ROWS);
        if (ta) {
            c.addStatement("$T.fill(out, 0, M * N, $L)", java.util.Arrays.class, k.elem.lit(0));
            // A stored as [K, M]: p outermost, rows p of A and B contiguous
            c.beginControlFlow("for (int p = 0; p < K; p++)")
                    .beginControlFlow("for (int i = 0; i < M; i++)")
                    .addStatement("final $T ai = $L[p * M + i]", k.elem.type(), A)
                    .addStatement("for (int j = 0; j < N; j++) out[i * N + j] += ai * $L[p * N + j]", B)
                    .endControlFlow().endControlFlow();
        } else {
            // a row of B fits one vector: load whole vectors from the start of each row (the lanes
            // past N hold the next row and are ignored) while they stay inside the array, then
            // finish each element with scalars
            ClassName V = vectorType(k.elem);
            k.scratch(pack(Size.ONE));
            c.beginControlFlow("if (N <= L)")
                    .addStatement("final int pv = $L.length >= L ? Math.min(K, ($L.length - L) / N + 1) : 0", B, B)
                    .beginControlFlow("for (int i = 0; i < M; i++)")
                    .addStatement("$T s0 = $L, s1 = s0", V, VectorExact.zero(k.elem))
                    .addStatement("int p = 0")
                    .beginControlFlow("for (; p + 1 < pv; p += 2)")
                    .addStatement("s0 = $L.fma($T.fromArray(SPECIES, $L, p * N), s0)", VectorExact.broadcast(CodeBlock.of("$L[i * K + p]", A)), V, B)
                    .addStatement("s1 = $L.fma($T.fromArray(SPECIES, $L, (p + 1) * N), s1)", VectorExact.broadcast(CodeBlock.of("$L[i * K + p + 1]", A)), V, B)
                    .endControlFlow()
                    .beginControlFlow("if (p < pv)")
                    .addStatement("s0 = $L.fma($T.fromArray(SPECIES, $L, p * N), s0)", VectorExact.broadcast(CodeBlock.of("$L[i * K + p]", A)), V, B)
                    .addStatement("p++")
                    .endControlFlow()
                    .addStatement("final int q0 = p")
                    .addStatement("$L.add(s1).intoArray(pk, 0)", VectorExact.exact(k.elem, CodeBlock.of("s0")))
                    .beginControlFlow("for (int j = 0; j < N; j++)")
                    .addStatement("$T s = pk[j]", k.elem.type())
                    .addStatement("for (int q = q0; q < K; q++) s += $L[i * K + q] * $L[q * N + j]", A, B)
                    .addStatement("out[i * N + j] = s")
                    .endControlFlow()
                    .endControlFlow()
                    .nextControlFlow("else");
            c.addStatement("$T.fill(out, 0, M * N, $L)", java.util.Arrays.class, k.elem.lit(0));
            c.beginControlFlow("for (int i = 0; i < M; i++)")
                    .beginControlFlow("for (int p = 0; p < K; p++)")
                    .addStatement("final $T ai = $L[i * K + p]", k.elem.type(), A)
                    .addStatement("for (int j = 0; j < N; j++) out[i * N + j] += ai * $L[p * N + j]", B)
                    .endControlFlow().endControlFlow();
            c.endControlFlow();
        }
        c.nextControlFlow("else");
        if (ta) {
            // tk[N, M] = Bᵀ·A, an Aᵀ·B product whose M columns run along vectors; then out = tkᵀ
            k.scratch(temp(n.shape().numel()));
            axpyKernel(k, new Names("tk", B, A, "N", "M", "K"), true, Size.of(n.input(0).shape().get(1)));
            c.beginControlFlow("for (int i = 0; i < M; i++)")
                    .addStatement("for (int j = 0; j < N; j++) out[i * N + j] = tk[j * M + i]")
                    .endControlFlow();
        } else {
            // tk[N, K] = Bᵀ, then dot products of the rows of A and tk
            k.scratch(temp(b.shape().numel()));
            c.beginControlFlow("for (int p = 0; p < K; p++)")
                    .addStatement("for (int j = 0; j < N; j++) tk[j * K + p] = $L[p * N + j]", B)
                    .endControlFlow();
            dotKernel(k, new Names("out", A, "tk", "M", "N", "K"));
        }
        c.endControlFlow();
    }

    /** A narrow {@code A·Bᵀ} (few shared elements, B stored as [N, K]): with enough rows, transpose B into {@code tk} and take axpys. */
    private static void narrowShared(Kernel k, Node b, String A, String B) {
        CodeBlock.Builder c = k.body;
        k.scratch(temp(b.shape().numel()));
        c.beginControlFlow("if (M < $L)", PACK_MIN_ROWS);
        dotKernel(k, new Names("out", A, B, "M", "N", "K"));
        c.nextControlFlow("else");
        c.beginControlFlow("for (int j = 0; j < N; j++)")
                .addStatement("for (int p = 0; p < K; p++) tk[p * N + j] = $L[j * K + p]", B)
                .endControlFlow();
        axpyKernel(k, new Names("out", A, "tk", "M", "N", "K"), false, Size.of(b.shape().get(0)));
        c.endControlFlow();
    }

    /**
     * {@code x.out = x.a·x.b} (or {@code Aᵀ·B} when {@code ta}: A stored as [K, M]). Column
     * panels of {@value #COLS} vectors are the outer loop, so a panel of B, copied once, serves
     * every block of {@value #ROWS} rows of A (each a pass over the whole shared dimension, the
     * panel streamed in order from L1 or L2). The register blocks are the class's
     * micro-kernels ({@link #microKernel}); this is the loop around them. In a block of its own,
     * so that its locals do not clash with the code around it.
     */
    private static void axpyKernel(Kernel k, Names x, boolean ta, Size shared) {
        CodeBlock.Builder c = k.body;
        k.scratch(pack(shared));
        k.members.add(MICRO + TALL + "x" + COLS);
        k.members.add(MICRO + ROWS + "x" + COLS);
        k.members.add(MICRO + "1x" + COLS);
        k.members.add(MICRO + TALL + "x1");
        k.members.add(MICRO + ROWS + "x1");
        k.members.add(MICRO + "1x1");
        // element (i + r, p) of A is A[ao + r * as + p * ap]
        String as = ta ? "1" : x.k, ap = ta ? x.m : "1";
        c.add("{\n$>");
        // fewer rows than a block: each row of the result is one pass over B, streamed in order,
        // with up to STREAM_WIDTHS[0] vectors of columns in registers, then narrower blocks for what is left
        // (one vector at a time would wait for each fma's result: K steps of its latency)
        CodeBlock ao0 = ta ? CodeBlock.of("i") : CodeBlock.of("i * $L", x.k);
        c.beginControlFlow("if ($L - $L < $L)", x.hi, x.lo, ROWS);
        c.addStatement("int j = 0");
        for (int w : STREAM_WIDTHS) {
            k.members.add(MICRO + "1x" + w);
            c.beginControlFlow("for (; j + $L * L <= $L; j += $L * L)", w, x.n, w)
                    .addStatement("for (int i = $L; i < $L; i++) mk$$1x$L($L, i * $L + j, $L, $L, $L, $L, $L, $L, j, $L, $L)",
                            x.lo, x.hi, w, x.out, x.n, x.n, x.a, ao0, as, ap, x.b, x.n, x.k)
                    .endControlFlow();
        }
        c.beginControlFlow("for (; j < $L; j++)", x.n)
                .beginControlFlow("for (int i = $L; i < $L; i++)", x.lo, x.hi)
                .addStatement("$T s = 0", k.elem.type())
                .addStatement("for (int p = 0; p < $L; p++) s += $L * $L[p * $L + j]", x.k, aElem(x, ta, "i"), x.b, x.n)
                .addStatement("$L[i * $L + j] = s", x.out, x.n)
                .endControlFlow()
                .endControlFlow();
        c.nextControlFlow("else");
        c.addStatement("final int W = $L * L", COLS);
        c.addStatement("final int JB = $L - $L % W", x.n, x.n);
        c.addStatement("final int JV = $L - $L % L", x.n, x.n);
        c.addStatement("final boolean packed = $L - $L >= $L", x.hi, x.lo, PACK_MIN_ROWS);
        c.beginControlFlow("for (int j = 0; j < JB; j += W)");
        // the panel: all rows of B, columns j..j+W; row p starts at bp[bo + p * bs]
        c.addStatement("final $T bp", k.elem.array());
        c.addStatement("final int bs, bo");
        c.beginControlFlow("if (packed)")
                .addStatement("for (int p = 0; p < $L; p++) System.arraycopy($L, p * $L + j, pk, p * W, W)", x.k, x.b, x.n)
                .addStatement("bp = pk")
                .addStatement("bs = W")
                .addStatement("bo = 0")
                .nextControlFlow("else")
                .addStatement("bp = $L", x.b)
                .addStatement("bs = $L", x.n)
                .addStatement("bo = j")
                .endControlFlow();
        c.addStatement("int i = $L", x.lo);
        // with 32 vector registers (AVX-512), blocks of TALL rows: 24 accumulators
        c.beginControlFlow("if (SPECIES.vectorBitSize() >= 512)")
                .beginControlFlow("for (; i + $L <= $L; i += $L)", TALL, x.hi, TALL)
                .addStatement("mk$$$Lx$L($L, i * $L + j, $L, $L, $L, $L, $L, bp, bo, bs, $L)",
                        TALL, COLS, x.out, x.n, x.n, x.a, ao0, as, ap, x.k)
                .endControlFlow()
                .endControlFlow();
        c.beginControlFlow("for (; i + $L <= $L; i += $L)", ROWS, x.hi, ROWS);
        c.addStatement("mk$$$Lx$L($L, i * $L + j, $L, $L, $L, $L, $L, bp, bo, bs, $L)",
                ROWS, COLS, x.out, x.n, x.n, x.a, ao0, as, ap, x.k);
        c.endControlFlow();
        c.beginControlFlow("for (; i < $L; i++)", x.hi);
        c.addStatement("mk$$1x$L($L, i * $L + j, $L, $L, $L, $L, $L, bp, bo, bs, $L)",
                COLS, x.out, x.n, x.n, x.a, ao0, as, ap, x.k);
        c.endControlFlow();
        c.endControlFlow();
        // remaining whole vectors of columns, B read in place, in blocks of rows (each row alone
        // would wait for each fma's result)
        c.beginControlFlow("for (int j = JB; j < JV; j += L)");
        c.addStatement("int i = $L", x.lo);
        c.beginControlFlow("if (SPECIES.vectorBitSize() >= 512)")
                .beginControlFlow("for (; i + $L <= $L; i += $L)", TALL, x.hi, TALL)
                .addStatement("mk$$$Lx1($L, i * $L + j, $L, $L, $L, $L, $L, $L, j, $L, $L)", TALL, x.out, x.n, x.n, x.a, ao0, as, ap, x.b, x.n, x.k)
                .endControlFlow()
                .endControlFlow();
        c.beginControlFlow("for (; i + $L <= $L; i += $L)", ROWS, x.hi, ROWS)
                .addStatement("mk$$$Lx1($L, i * $L + j, $L, $L, $L, $L, $L, $L, j, $L, $L)", ROWS, x.out, x.n, x.n, x.a, ao0, as, ap, x.b, x.n, x.k)
                .endControlFlow();
        c.beginControlFlow("for (; i < $L; i++)", x.hi)
                .addStatement("mk$$1x1($L, i * $L + j, $L, $L, $L, $L, $L, $L, j, $L, $L)", x.out, x.n, x.n, x.a, ao0, as, ap, x.b, x.n, x.k)
                .endControlFlow();
        c.endControlFlow();
        // remaining columns, one at a time
        c.beginControlFlow("for (int j = JV; j < $L; j++)", x.n)
                .beginControlFlow("for (int i = $L; i < $L; i++)", x.lo, x.hi)
                .addStatement("$T s = 0", k.elem.type())
                .addStatement("for (int p = 0; p < $L; p++) s += $L * $L[p * $L + j]", x.k, aElem(x, ta, "i"), x.b, x.n)
                .addStatement("$L[i * $L + j] = s", x.out, x.n)
                .endControlFlow()
                .endControlFlow();
        c.endControlFlow();
        c.add("$<}\n");
    }

    /**
     * The register block {@code mk$RxC} ({@code name} is "RxC"): R rows × C vectors of the result
     * at {@code c[co + r * cs + v * L]} set to the sum over {@code p < n} of
     * {@code a[ao + r * as + p * ap] · b[bo + p * bs + v * L …]}. A method of its own, with its
     * vectors all local, so C2 compiles it on its own profile and never boxes them (the same loop
     * inlined into a large kernel sometimes compiled to boxed vectors, 25× slower).
     *
     * <p>Its shape keeps C2's parse of it below the node count (18,000) past which C2 delays the
     * inlining of the Vector API's methods, whose results then no longer have exact classes
     * ({@link VectorExact}): the sums start at zero in registers (no load of the old result, so no
     * second pass over the shared dimension either) and the loop is a plain {@code for}, which C2
     * parses once (it parses the body of a {@code do}-{@code while} twice, the first pass for the
     * first iteration).
     */
    static MethodSpec microKernel(Elem e, String name) {
        int rows = Integer.parseInt(name.substring(0, name.indexOf('x')));
        int cols = Integer.parseInt(name.substring(name.indexOf('x') + 1));
        ClassName V = vectorType(e);
        MethodSpec.Builder m = MethodSpec.methodBuilder("mk$" + name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Register block of the products: $L row(s) × $L vector(s) of columns, "
                        + "{@code c[co + r·cs + v·L] = Σ_p a[ao + r·as + p·ap] · b[bo + p·bs + v·L]}.\n", rows, cols)
                .addParameter(e.array(), "c").addParameter(TypeName.INT, "co").addParameter(TypeName.INT, "cs")
                .addParameter(e.array(), "a").addParameter(TypeName.INT, "ao").addParameter(TypeName.INT, "as")
                .addParameter(TypeName.INT, "ap")
                .addParameter(e.array(), "b").addParameter(TypeName.INT, "bo").addParameter(TypeName.INT, "bs")
                .addParameter(TypeName.INT, "n");
        CodeBlock.Builder c = CodeBlock.builder();
        c.addStatement("final int L = SPECIES.length()");
        c.addStatement("final $T z = $L", V, VectorExact.zero(e));
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < cols; v++) c.addStatement("$T c$L$L = z", V, r, v);
        }
        c.beginControlFlow("for (int p = 0; p < n; p++)");
        c.addStatement("final int bb = bo + p * bs");
        c.addStatement("final int aa = ao + p * ap");
        for (int v = 0; v < cols; v++) c.addStatement("$T vb$L = $T.fromArray(SPECIES, b, bb + $L * L)", V, v, V, v);
        for (int r = 0; r < rows; r++) {
            c.addStatement("$T ua$L = $L", V, r, VectorExact.broadcast(CodeBlock.of("a[aa + $L * as]", r)));
            for (int v = 0; v < cols; v++) c.addStatement("c$L$L = ua$L.fma(vb$L, c$L$L)", r, v, r, v, r, v);
        }
        c.endControlFlow();
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < cols; v++) c.addStatement("c$L$L.intoArray(c, co + $L * cs + $L * L)", r, v, r, v);
        }
        return m.addCode(c.build()).build();
    }

    private static CodeBlock aElem(Names x, boolean ta, String row) {
        return ta ? CodeBlock.of("$L[p * $L + $L]", x.a, x.m, row) : CodeBlock.of("$L[($L) * $L + p]", x.a, row, x.k);
    }

    /** {@code out[M,1] = A[M,K]·b[K]}: one dot product per row, four vector accumulators each. */
    private static void matVec(Kernel k, String A, String B) {
        ClassName V = vectorType(k.elem);
        k.body.beginControlFlow("for (int i = 0; i < M; i++)")
                .addStatement("final int ar = i * K")
                .addStatement("$T s0 = $L, s1 = s0, s2 = s0, s3 = s0", V, VectorExact.zero(k.elem))
                .addStatement("int p = 0")
                .beginControlFlow("for (; p + 4 * L <= K; p += 4 * L)")
                .addStatement("s0 = $L.fma($T.fromArray(SPECIES, $L, p), s0)", loadExact(k.elem, A, "ar + p"), V, B)
                .addStatement("s1 = $L.fma($T.fromArray(SPECIES, $L, p + L), s1)", loadExact(k.elem, A, "ar + p + L"), V, B)
                .addStatement("s2 = $L.fma($T.fromArray(SPECIES, $L, p + 2 * L), s2)", loadExact(k.elem, A, "ar + p + 2 * L"), V, B)
                .addStatement("s3 = $L.fma($T.fromArray(SPECIES, $L, p + 3 * L), s3)", loadExact(k.elem, A, "ar + p + 3 * L"), V, B)
                .endControlFlow()
                .beginControlFlow("for (; p + L <= K; p += L)")
                .addStatement("s0 = $L.fma($T.fromArray(SPECIES, $L, p), s0)", loadExact(k.elem, A, "ar + p"), V, B)
                .endControlFlow()
                .add(sumLanes(k, "s", CodeBlock.of("$L.add(s1).add(s2).add(s3)", VectorExact.exact(k.elem, CodeBlock.of("s0")))))
                .addStatement("for (; p < K; p++) s += $L[ar + p] * $L[p]", A, B)
                .addStatement("out[i] = s")
                .endControlFlow();
    }

    /** {@code out[M,1] = Aᵀ·b} with A stored as [K, M]: axpys of the rows of A, {@code out += b[p] · A[p, :]}. */
    private static void matTVec(Kernel k, String A, String B) {
        ClassName V = vectorType(k.elem);
        k.body.addStatement("final int MV = M - M % L")
                .addStatement("$T.fill(out, 0, M, $L)", java.util.Arrays.class, k.elem.lit(0))
                .beginControlFlow("for (int p = 0; p < K; p++)")
                .addStatement("final int ar = p * M")
                .addStatement("final $T bp = $L[p]", k.elem.type(), B)
                .addStatement("int i = 0")
                .beginControlFlow("for (; i < MV; i += L)")
                .addStatement("$L.fma($T.fromArray(SPECIES, $L, ar + i), $T.fromArray(SPECIES, out, i)).intoArray(out, i)",
                        VectorExact.broadcast(CodeBlock.of("bp")), V, A, V)
                .endControlFlow()
                .addStatement("for (; i < M; i++) out[i] += bp * $L[ar + i]", A)
                .endControlFlow();
    }

    /** {@code out[M,N] = a[M,1]·bᵀ[1,N]} (B stored as [N, 1]): an outer product, row by row. */
    private static void outer(Kernel k, String A, String B) {
        ClassName V = vectorType(k.elem);
        k.body.addStatement("final int NV = N - N % L")
                .beginControlFlow("for (int i = 0; i < M; i++)")
                .addStatement("final $T ai = $L[i]", k.elem.type(), A)
                .addStatement("final int or = i * N")
                .addStatement("int j = 0")
                .beginControlFlow("for (; j < NV; j += L)")
                .addStatement("$L.mul($T.fromArray(SPECIES, $L, j)).intoArray(out, or + j)", VectorExact.broadcast(CodeBlock.of("ai")), V, B)
                .endControlFlow()
                .addStatement("for (; j < N; j++) out[or + j] = ai * $L[j]", B)
                .endControlFlow();
    }

    /** {@code x.out = x.a·x.bᵀ}, B stored as [N, K]: dot products of contiguous rows. In a block of its own. */
    private static void dotKernel(Kernel k, Names x) {
        ClassName V = vectorType(k.elem);
        String A = x.a, B = x.b, out = x.out;
        CodeBlock.Builder c = k.body;
        c.add("{\n$>");
        c.addStatement("final int KV = K - K % L");
        c.beginControlFlow("for (int i = 0; i < M; i += 2)")
                .addStatement("int i1 = Math.min(i + 1, M - 1)")
                .beginControlFlow("for (int j = 0; j < N; j += 2)")
                .addStatement("int j1 = Math.min(j + 1, N - 1)")
                .addStatement("$T s00 = $L, s01 = s00, s10 = s00, s11 = s00", V, VectorExact.zero(k.elem))
                .addStatement("int p = 0")
                .beginControlFlow("for (; p < KV; p += L)")
                .addStatement("$T ra0 = $L", V, loadExact(k.elem, A, "i * K + p"))
                .addStatement("$T ra1 = $L", V, loadExact(k.elem, A, "i1 * K + p"))
                .addStatement("$T rb0 = $T.fromArray(SPECIES, $L, j * K + p)", V, V, B)
                .addStatement("$T rb1 = $T.fromArray(SPECIES, $L, j1 * K + p)", V, V, B)
                .addStatement("s00 = ra0.fma(rb0, s00)")
                .addStatement("s01 = ra0.fma(rb1, s01)")
                .addStatement("s10 = ra1.fma(rb0, s10)")
                .addStatement("s11 = ra1.fma(rb1, s11)")
                .endControlFlow()
                .add(sumLanes(k, "r00", VectorExact.exact(k.elem, CodeBlock.of("s00"))))
                .add(sumLanes(k, "r01", VectorExact.exact(k.elem, CodeBlock.of("s01"))))
                .add(sumLanes(k, "r10", VectorExact.exact(k.elem, CodeBlock.of("s10"))))
                .add(sumLanes(k, "r11", VectorExact.exact(k.elem, CodeBlock.of("s11"))))
                .beginControlFlow("for (; p < K; p++)")
                .addStatement("$T x0 = $L[i * K + p], x1 = $L[i1 * K + p], y0 = $L[j * K + p], y1 = $L[j1 * K + p]",
                        k.elem.type(), A, A, B, B)
                .addStatement("r00 += x0 * y0")
                .addStatement("r01 += x0 * y1")
                .addStatement("r10 += x1 * y0")
                .addStatement("r11 += x1 * y1")
                .endControlFlow()
                .addStatement("$L[i * N + j] = r00", out)
                .addStatement("$L[i * N + j1] = r01", out)
                .addStatement("$L[i1 * N + j] = r10", out)
                .addStatement("$L[i1 * N + j1] = r11", out)
                .endControlFlow()
                .endControlFlow();
        c.add("$<}\n");
    }

    /**
     * The dropout mask ({@code Kernels}' scalar form, the same values bit for bit): the
     * SplitMix64 draws in {@code LongVector} lanes of the same shape as {@code SPECIES}, the 0/1
     * keep flags converted to as many lanes of the element type ({@code HSPECIES}, half the
     * width of {@code SPECIES}, for f32), scaled and stored; a scalar tail. One hash chain per
     * step: two (16 floats from two long vectors) took C2's parse of the kernel past its node
     * count for inlining ({@link #microKernel}), and so did a {@code convertShape} into the full
     * width. The converted flags are only arguments ({@link VectorExact}).
     */
    static void dropout(Kernel k, CodeBlock count, long threshold, java.util.function.Consumer<String> scalarTail) {
        ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
        ClassName LV = ClassName.get("jdk.incubator.vector", "LongVector");
        k.members.add(LSPECIES);
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
        t.addField(com.palantir.javapoet.FieldSpec.builder(vectorType(e), "HANCHOR$", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Only ever the receiver of {@code broadcast}, as {@code ANCHOR$$}, for {@code HSPECIES}.\n")
                .initializer("$T.zero(HSPECIES)", vectorType(e)).build());
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

    /** {@link VectorExact#sumLanes} as a block of statements. */
    private static CodeBlock sumLanes(Kernel k, String name, CodeBlock v) {
        CodeBlock.Builder b = CodeBlock.builder();
        VectorExact.sumLanes(k, b, name, v);
        return b.build();
    }

    /** A load of {@code array} at {@code at} that receives a call (see {@link VectorExact}). */
    private static CodeBlock loadExact(Elem e, String array, String at) {
        return VectorExact.exact(e, CodeBlock.of("$T.fromArray(SPECIES, $L, $L)", vectorType(e), array, at));
    }
}
