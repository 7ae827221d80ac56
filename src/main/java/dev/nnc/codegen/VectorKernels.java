package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;

/**
 * Matrix products for the vector backend ({@code jdk.incubator.vector}): register-blocked
 * kernels whose accumulators are local vector variables inside one method (so C2 keeps them in
 * registers and never boxes them), with scalar loops for the edges.
 * <ul>
 *   <li>{@code A·B}, {@code Aᵀ·B} and {@code A·Bᵀ}: blocks of up to {@value #TALL} rows ×
 *       {@value #WIDE} vectors of columns ({@value #COLS} without 32 vector registers) ({@link VectorRegisterBlocks}); each step broadcasts one
 *       element of A per row and multiplies a row of B (or of Bᵀ), over the whole shared dimension
 *       (each block's sums start at zero in registers and are stored once). The loops around
 *       them, and the copies of B's panels to the panel scratch, are {@link VectorPanels}. An
 *       {@code A·Bᵀ} of a few rows takes dot products instead ({@link #dotKernel}).</li>
 *   <li>Products with one column, a shared dimension of one, or narrow ones:
 *       {@link VectorThinProducts}.</li>
 * </ul>
 * A batched product ({@link Product}) runs these kernels once per batch, every array read and
 * written at the batch's offset ({@link Product.Arrays}). Every vector that receives a call is of
 * an exactly known class ({@link VectorExact}). The dropout mask is {@link VectorDropout}.
 */
final class VectorKernels {
    static final int ROWS = 4;
    /**
     * Vectors of columns per register block without 32 vector registers, and of the convolutions'
     * panels ({@link ConvVector}, {@link ConvPadded}). A 6 × 4 block once went past the node count
     * past which C2 delays inlining ({@link VectorRegisterBlocks#microKernel}); in today's shape (sums
     * from zero, a plain {@code for}) it compiles like the 6 × 3 one, to 0 B per call on JDK 17 and 25.
     */
    static final int COLS = 3;

    /**
     * Vectors of columns of the products' panels where there are 32 vector registers: 6 × 4 sums,
     * 4 loads and a broadcast in registers, 24 multiply-adds per 10 loads against 18 per 9 (W1 infer
     * 68.3 → 64.1 µs against 6 × 3 on a quiet machine, the test sources' {@code dev.nnc.bench.BuildsAB}).
     */
    static final int WIDE = 4;
    /** Rows per register block where there are 32 vector registers: up to 6 × 4 accumulators. */
    static final int TALL = 6;
    /**
     * Rows per register block for the rows that blocks of {@value #TALL} leave over (32 vector
     * registers): 5, 9 = 5 + 4 and 10 = 5 + 5 rows instead of 4 + 1, 3 × 1 and 4 rows after the
     * last block of {@value #TALL}. A 4-row block has 16 sums for 8 loads per step, and in W1's
     * forward product (64 = 6 · 10 + 4 rows) took 10% of the samples for 6% of the rows.
     */
    static final int FIVE = 5;
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
    /**
     * Products with at least this many rows copy the panels of B ({@link VectorPanels}), and
     * narrow products transpose.
     */
    static final int PACK_MIN_ROWS = 8;

    /**
     * Elements up to which a kernel whose arrays all have static shapes is scalar code on the
     * vector backend ({@link #tiny}).
     */
    static final long TINY = 256;

    private VectorKernels() {}

    /**
     * Whether the kernel of {@code n}, reading {@code arrays}, is scalar code on the vector backend:
     * its output and every array it reads have static shapes of at most {@value #TINY} elements
     * (batch norm's statistics, a bias's update). There, 16 vectors of work or fewer, vector code
     * gains next to nothing, and it would cost allocation: such a kernel runs once or twice per
     * call, so C2 compiles it only after about 5,000 calls (C2's invocation threshold; its loop
     * is too short to count), and until then C1's code boxes every vector it computes (W5's
     * training step, 86 ms per call: 5 such kernels were still C1 code after 600 calls).
     */
    static boolean tiny(Node n, java.util.List<Node> arrays) {
        if (!small(n)) return false;
        for (Node a : arrays) {
            if (!small(a)) return false;
        }
        return true;
    }

    private static boolean small(Node n) {
        Size s = n.shape().numel();
        return s.isStatic() && s.value() <= TINY;
    }

    /**
     * The panel scratch for products whose panels of B have {@code rows} rows: {@value #COLS}
     * vectors per row, where products copy a panel of their right operand to be contiguous.
     */
    static Scratch pack(Size rows) {
        return new Scratch("scratch$pack", "pk", null, rows.times(WIDE), true,
                "Scratch for matrix products: a panel of the right operand, copied to be contiguous.");
    }

    /** A temporary of {@code elements}: a transposed operand or result of a narrow product. */
    static Scratch temp(Size elements) {
        return Scratch.flat("scratch$temp", "tk", elements, "Scratch for matrix products: a transposed operand or result.");
    }

    /**
     * Class members the kernels ask for ({@link Kernel#members}): a register block "micro:RxC" or
     * "window:R", the long species, the int species of {@link VectorExp}, and the max pool's
     * shuffles ({@link PoolVector#MEMBER}).
     */
    static final String MICRO = "micro:";
    static final String LSPECIES = "LSPECIES";

    /** Adds class member {@code key} (one of {@link Kernel#members}) to the class. */
    static void addMember(com.palantir.javapoet.TypeSpec.Builder t, Elem e, String key) {
        if (key.equals(LSPECIES)) VectorDropout.randomHelpers(t, e);
        else if (key.equals(VectorExp.ISPECIES)) VectorExp.addIntSpecies(t);
        else if (key.equals(VectorExp.METHOD)) VectorExp.addMethod(t, e);
        else if (key.equals(VectorErf.METHOD)) t.addMethods(VectorErf.methods(e));
        else if (key.equals(VectorExp.ATTENTION_METHOD)) VectorExp.addAttentionMethod(t, e);
        else if (AttentionMembers.owns(key)) t.addMethod(AttentionMembers.of(e, key));
        else if (key.startsWith(MICRO)) t.addMethod(VectorRegisterBlocks.microKernel(e, key.substring(MICRO.length())));
        else if (key.equals(PoolVector.MEMBER)) PoolVector.addConstants(t, e);
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
     * The names of one product's arrays (with their offsets, {@link Product.Arrays}) and sizes in
     * the generated code: {@code C = A·B}, [m, k]·[k, n], computing rows {@code lo} to {@code hi}
     * of the result; {@code runs}: how many times one call of the kernel runs it (its batches),
     * when known.
     */
    record Names(Product.Arrays x, String m, String n, String k, String lo, String hi, Size mSize, Size nSize, Size kSize, Size runs) {
        /** All rows, sizes not known. */
        Names(Product.Arrays x, String m, String n, String k) {
            this(x, m, n, k, "0", m, null, null, null, Size.ONE);
        }

        /** The same product with its sizes {@code m}, {@code n} and {@code k}, for strides known when the code is generated. */
        Names sizes(Size m, Size n, Size k) {
            return new Names(x, this.m, this.n, this.k, lo, hi, m, n, k, runs);
        }

        /** The same product, rows {@code lo} to {@code hi}. */
        Names rows(String lo, String hi) {
            return new Names(x, m, n, k, lo, hi, mSize, nSize, kSize, runs);
        }

        /** The same product, run {@code runs} times per call (once per batch). */
        Names runs(Size runs) {
            return new Names(x, m, n, k, lo, hi, mSize, nSize, kSize, runs);
        }

        String out() {
            return x.c();
        }

        String a() {
            return x.a();
        }

        String b() {
            return x.b();
        }
    }

    /**
     * Emits the product {@code n} (a MATMUL whose operands may be transposes read in place): one
     * 2-D product, or one per batch of a {@link Product} that does not fold its batches (the
     * batches are then the rows that may split over threads).
     */
    static void matmul(Plan plan, Kernel k, Node n) {
        k.runAsStep();
        Product p = Product.of(plan, n);
        boolean ta = p.ta, tb = p.tb;
        Product.Arrays arrays = p.arrays(k);
        CodeBlock.Builder c = k.body;
        c.addStatement("final int M = $L, N = $L, K = $L", k.size(p.m), k.size(p.n), k.size(p.k));
        c.addStatement("final int L = SPECIES.length()");
        boolean oneColumn = p.n.isOne();
        boolean rankOne = p.k.isOne();
        boolean narrowN = p.n.isStatic() && p.n.value() < narrow(k.elem);
        boolean narrowK = p.k.isStatic() && p.k.value() < narrow(k.elem);
        if (p.batched()) {
            // batches r0..r1: the caller may split them over threads (setThreads)
            k.splitRows(p.batchCount(), p.batchWork());
            p.open(k, "r0", "r1");
        }
        Names x = new Names(arrays, "M", "N", "K").sizes(p.m, p.n, p.k).runs(p.products());
        if (oneColumn && !ta && !tb) {
            VectorThinProducts.matVec(k, x);
        } else if (oneColumn && ta && !tb) {
            VectorThinProducts.matTVec(k, x);
        } else if (rankOne && !ta && tb) {
            VectorThinProducts.outer(k, x);
        } else if (tb && !ta && narrowK) {
            VectorThinProducts.narrowShared(k, p, x);
        } else if (!tb && narrowN) {
            VectorThinProducts.narrowColumns(k, p, x, ta);
        } else if (!(ta && tb)) {
            // A·B, Aᵀ·B, A·Bᵀ: the register blocks over panels of the right operand
            if (!p.batched()) {
                // rows r0..r1: the caller may split them over threads (setThreads)
                k.splitRows(p.m, p.n.times(p.k));
                x = x.rows("r0", "r1");
            }
            if (tb) VectorPanels.transposed(k, x, p.k);
            else VectorPanels.product(k, x, ta, p.k);
        } else {
            // Aᵀ·Bᵀ: rare (no gradient rule produces it); plain loops
            c.beginControlFlow("for (int i = 0; i < M; i++)")
                    .beginControlFlow("for (int j = 0; j < N; j++)")
                    .addStatement("$T s = 0", k.elem.type())
                    .addStatement("for (int p = 0; p < K; p++) s += $L * $L", arrays.a("p * M + i"), arrays.b("j * K + p"))
                    .addStatement("$L = s", arrays.c("i * N + j"))
                    .endControlFlow().endControlFlow();
        }
        p.close(k);
    }

    /**
     * {@code C = A·Bᵀ}, B stored as [N, K], rows {@code lo} to {@code hi}: dot products of
     * contiguous rows, in blocks of 2 × 2 outputs that accumulate vectors along the shared
     * dimension, then reduce the lanes. In a block of its own.
     */
    static void dotKernel(Kernel k, Names names) {
        Product.Arrays x = names.x();
        ClassName V = vectorType(k.elem);
        String A = x.a(), B = x.b();
        CodeBlock.Builder c = k.body;
        c.add("{\n$>");
        c.addStatement("final int KV = K - K % L");
        c.beginControlFlow("for (int i = $L; i < $L; i += 2)", names.lo(), names.hi())
                .addStatement("int i1 = Math.min(i + 1, $L - 1)", names.hi())
                .beginControlFlow("for (int j = 0; j < N; j += 2)")
                .addStatement("int j1 = Math.min(j + 1, N - 1)")
                .addStatement("$T s00 = $L, s01 = s00, s10 = s00, s11 = s00", V, VectorExact.zero(k.elem))
                .addStatement("int p = 0")
                .beginControlFlow("for (; p < KV; p += L)")
                .addStatement("$T ra0 = $L", V, loadExact(k.elem, A, x.aAt("i * K + p")))
                .addStatement("$T ra1 = $L", V, loadExact(k.elem, A, x.aAt("i1 * K + p")))
                .addStatement("$T rb0 = $T.fromArray(SPECIES, $L, $L)", V, V, B, x.bAt("j * K + p"))
                .addStatement("$T rb1 = $T.fromArray(SPECIES, $L, $L)", V, V, B, x.bAt("j1 * K + p"))
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
                .addStatement("$T x0 = $L, x1 = $L, y0 = $L, y1 = $L",
                        k.elem.type(), x.a("i * K + p"), x.a("i1 * K + p"), x.b("j * K + p"), x.b("j1 * K + p"))
                .addStatement("r00 += x0 * y0")
                .addStatement("r01 += x0 * y1")
                .addStatement("r10 += x1 * y0")
                .addStatement("r11 += x1 * y1")
                .endControlFlow()
                .addStatement("$L = r00", x.c("i * N + j"))
                .addStatement("$L = r01", x.c("i * N + j1"))
                .addStatement("$L = r10", x.c("i1 * N + j"))
                .addStatement("$L = r11", x.c("i1 * N + j1"))
                .endControlFlow()
                .endControlFlow();
        c.add("$<}\n");
    }

    /** {@link VectorExact#sumLanes} as a block of statements. */
    static CodeBlock sumLanes(Kernel k, String name, CodeBlock v) {
        CodeBlock.Builder b = CodeBlock.builder();
        VectorExact.sumLanes(k, b, name, v);
        return b.build();
    }

    /** A load of {@code array} at {@code at} that receives a call (see {@link VectorExact}). */
    static CodeBlock loadExact(Elem e, String array, Object at) {
        return VectorExact.exact(e, CodeBlock.of("$T.fromArray(SPECIES, $L, $L)", vectorType(e), array, at));
    }
}
