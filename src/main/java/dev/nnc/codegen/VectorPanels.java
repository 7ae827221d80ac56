package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Size;

/**
 * The loops around the vector backend's register blocks ({@link VectorRegisterBlocks}): the
 * products {@code A·B}, {@code Aᵀ·B} (A stored as [K, M]) and {@code A·Bᵀ} (B stored as [N, K]).
 * Column panels of {@value VectorKernels#COLS} vectors are the outer loop, so a panel of the
 * right operand {@code Bop} (A·B's B, or A·Bᵀ's Bᵀ), every row of it, serves every block of rows
 * of A, each block a pass over the whole shared dimension with the panel streamed in order from
 * L1 or L2. The panel is copied to the panel scratch {@code pk}, contiguous, when there are at
 * least {@value VectorKernels#PACK_MIN_ROWS} rows (rows of B a power-of-two apart otherwise map
 * to the same few sets of the L1 cache), and always for {@code A·Bᵀ}, whose panel is a
 * transposing copy of {@value VectorKernels#COLS} vectors of rows of B (N·K copies against
 * M·N·K multiply-adds). With fewer rows than a block, {@code A·B} streams each row of the result
 * through B ({@link #streamRows}) and {@code A·Bᵀ} takes dot products ({@link
 * VectorKernels#dotKernel}), which need no copy.
 */
final class VectorPanels {
    private VectorPanels() {}

    /**
     * Rows below which {@code A·Bᵀ} takes dot products of rows of A and B in place rather than
     * packing Bᵀ's panels: the transposing copy of B (N·K elements, about 1 ns each) costs about
     * as much as the product's multiply-adds for a few rows. Measured on f32 [M, 512]·[128, 512]ᵀ
     * (AVX-512, shared machine): dot products won at 16 rows (63-82 µs against 86-111), the
     * panels at 32 (173 against 212 µs); with a shared dimension of 128 (where a dot product's
     * lane sum costs more than its multiply-adds) the panels won from 8 rows.
     */
    static final int DOT_MAX_ROWS = 32;

    /**
     * Elements of B (N times K, or N times M for Aᵀ; times the batches of a batched product) from
     * which a product's tall blocks have literal strides ({@link #fixedStrides}).
     */
    static final long FIXED_MIN = 16384;

    /**
     * {@code x.out = x.a·x.b} (or {@code Aᵀ·B} when {@code ta}: A stored as [K, M]), rows
     * {@code x.lo} to {@code x.hi}. In a block of its own, so that its locals do not clash with
     * the code around it.
     */
    static void product(Kernel k, VectorKernels.Names x, boolean ta, Size shared) {
        declare(k, shared);
        CodeBlock.Builder c = k.body;
        c.add("{\n$>");
        c.beginControlFlow("if ($L - $L < $L)", x.hi(), x.lo(), VectorKernels.ROWS);
        streamRows(k, x, ta);
        c.nextControlFlow("else");
        panels(k, x, ta, false);
        c.endControlFlow();
        c.add("$<}\n");
    }

    /**
     * {@code x.out = x.a·x.bᵀ}, B stored as [N, K], rows {@code x.lo} to {@code x.hi}: when the
     * product has fewer than {@link #DOT_MAX_ROWS} rows, dot products of contiguous rows; else the register
     * blocks over panels of Bᵀ, packed from B's rows. In a block of its own.
     */
    static void transposed(Kernel k, VectorKernels.Names x, Size shared) {
        declare(k, shared);
        CodeBlock.Builder c = k.body;
        c.add("{\n$>");
        // by the product's rows, not the rows of this call: a row's sums must not depend on how the rows split over threads
        c.beginControlFlow("if ($L < $L)", x.m(), DOT_MAX_ROWS);
        VectorKernels.dotKernel(k, x);
        c.nextControlFlow("else");
        panels(k, x, false, true);
        c.endControlFlow();
        c.add("$<}\n");
    }

    /** The panel scratch and the register blocks {@link #panels} calls. */
    private static void declare(Kernel k, Size shared) {
        k.scratch(VectorKernels.pack(shared));
        for (int cols : new int[] {VectorKernels.WIDE, VectorKernels.COLS, 2, 1}) {
            for (int rows : new int[] {VectorKernels.TALL, VectorKernels.FIVE, VectorKernels.ROWS, 1}) {
                k.members.add(VectorKernels.MICRO + rows + "x" + cols);
            }
        }
    }

    /**
     * Fewer rows than a block ({@code A·B}, {@code Aᵀ·B}): each row of the result is one pass over
     * B, streamed in order, with up to {@code STREAM_WIDTHS[0]} vectors of columns in registers,
     * then narrower blocks for what is left (one vector at a time would wait for each fma's
     * result: K steps of its latency).
     */
    private static void streamRows(Kernel k, VectorKernels.Names x, boolean ta) {
        Product.Arrays ar = x.x();
        CodeBlock.Builder c = k.body;
        String as = ta ? "1" : x.k(), ap = ta ? x.m() : "1";
        c.addStatement("int j = 0");
        for (int w : VectorKernels.STREAM_WIDTHS) {
            k.members.add(VectorKernels.MICRO + "1x" + w);
            c.beginControlFlow("for (; j + $L * L <= $L; j += $L * L)", w, x.n(), w)
                    .addStatement("for (int i = $L; i < $L; i++) mk$$1x$L($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)",
                            x.lo(), x.hi(), w, x.out(), cAt(x), x.n(), x.a(), aAt(x, ta), as, ap, x.b(), ar.bAt("j"), x.n(), x.k())
                    .endControlFlow();
        }
        scalarColumns(k, x, ta, false, "");
    }

    /**
     * Blocks of rows over panels of {@code Bop} ({@code tb}: Bᵀ, B stored as [N, K]): whole
     * panels of {@value VectorKernels#WIDE} vectors of columns where there are 32 vector registers
     * (else {@value VectorKernels#COLS}), then a panel of three or two, then of one, then the last
     * columns one at a time.
     */
    private static void panels(Kernel k, VectorKernels.Names x, boolean ta, boolean tb) {
        Product.Arrays ar = x.x();
        CodeBlock.Builder c = k.body;
        c.addStatement("final int JV = $L - $L % L", x.n(), x.n());
        // whole panels of WIDE vectors where there are 32 vector registers, else of COLS; then 3, 2 and 1.
        // A single vector left over goes with the last whole panel as 3 + 2 (or 2 + 2): a one-vector
        // block has too few sums in flight per load
        c.addStatement("final boolean wide = SPECIES.vectorBitSize() >= 512");
        c.addStatement("final int pw = wide ? $L : $L", VectorKernels.WIDE, VectorKernels.COLS);
        c.addStatement("int np = JV / L / pw, r = JV / L % pw");
        c.beginControlFlow("if (r == 1 && np > 0)").addStatement("np--").addStatement("r += pw").endControlFlow();
        c.addStatement("final int J4 = wide ? np * $L * L : 0", VectorKernels.WIDE);
        c.addStatement("final int JB = J4 + (wide ? (r >= 3 ? 1 : 0) : np) * $L * L", VectorKernels.COLS);
        c.addStatement("final int J2 = JB + (JV - JB) / (2 * L) * (2 * L)");
        if (!tb) c.addStatement("final boolean packed = $L - $L >= $L", x.hi(), x.lo(), VectorKernels.PACK_MIN_ROWS);
        long[] fixed = fixedStrides(x, ta);
        String[][] widths = {{"0", "J4", VectorKernels.WIDE + " * L"}, {"J4", "JB", VectorKernels.COLS + " * L"}, {"JB", "J2", "2 * L"}, {"J2", "JV", "L"}};
        int[] colsOf = {VectorKernels.WIDE, VectorKernels.COLS, 2, 1};
        for (int wi = 0; wi < widths.length; wi++) {
            String[] w = widths[wi];
            int cols = colsOf[wi];
            c.beginControlFlow("for (int j = $L; j < $L; j += $L)", w[0], w[1], w[2]);
            if (tb) {
                packTransposed(c, x, w[2]);
                rowBlocks(k, x, ta, cols, "pk", "0", w[2], fixed);
                c.endControlFlow();
                continue;
            }
            // the panel: all rows of B, columns j..j+width, copied to pk when packed
            CodeBlock copy = CodeBlock.of("for (int p = 0; p < $L; p++) System.arraycopy($L, $L, pk, p * $L, $L)", x.k(), x.b(),
                    ar.bAt(CodeBlock.of("p * $L + j", x.n())), w[2], w[2]);
            if (fixed != null) {
                // packed panels go to register blocks whose strides are literals; the others take them as arguments
                c.beginControlFlow("if (packed)").addStatement(copy);
                rowBlocks(k, x, ta, cols, "pk", "0", w[2], fixed);
                c.nextControlFlow("else");
                rowBlocks(k, x, ta, cols, x.b(), ar.bAt("j").toString(), x.n(), null);
                c.endControlFlow();
                c.endControlFlow();
                continue;
            }
            // row p of the panel starts at bp[bo + p * bs]
            c.addStatement("final $T bp", k.elem.array());
            c.addStatement("final int bs, bo");
            c.beginControlFlow("if (packed)")
                    .addStatement(copy)
                    .addStatement("bp = pk")
                    .addStatement("bs = $L", w[2])
                    .addStatement("bo = 0")
                    .nextControlFlow("else")
                    .addStatement("bp = $L", x.b())
                    .addStatement("bs = $L", x.n())
                    .addStatement("bo = $L", ar.bAt("j"))
                    .endControlFlow();
            rowBlocks(k, x, ta, cols, "bp", "bo", "bs", null);
            c.endControlFlow();
        }
        scalarColumns(k, x, ta, tb, "int j = JV");
    }

    /**
     * Copies columns {@code j} to {@code j + width} of Bᵀ (rows of B, stored as [N, K]) into
     * {@code pk} as a panel of {@code width} columns: {@code pk[p·width + q] = B[(j + q)·K + p]}.
     * In tiles of one vector's length of the shared dimension: each tile reads one cache line or
     * two of each of the {@code width} rows of B, whole, and writes a few kB of {@code pk}, all in
     * L1. (Running along the panel's rows instead, the rows of B stay open side by side: when K is
     * a power of two they map to the same few sets of the L1 cache and every read missed it, 1.5 ns
     * per element for K = 512.)
     */
    private static void packTransposed(CodeBlock.Builder c, VectorKernels.Names x, String width) {
        Product.Arrays ar = x.x();
        c.addStatement("final int bj = $L", ar.bAt(CodeBlock.of("j * $L", x.k())))
                .beginControlFlow("for (int p0 = 0; p0 < $L; p0 += L)", x.k())
                .addStatement("final int pe = Math.min(p0 + L, $L)", x.k())
                .beginControlFlow("for (int q = 0; q < $L; q++)", width)
                .addStatement("final int bq = bj + q * $L", x.k())
                .addStatement("for (int p = p0; p < pe; p++) pk[p * $L + q] = $L[bq + p]", width, x.b())
                .endControlFlow()
                .endControlFlow();
    }

    /**
     * Rows {@code x.lo} to {@code x.hi} of the result's {@code cols} vectors of columns from
     * {@code j}, in register blocks: where there are 32 vector registers (AVX-512), blocks of
     * {@value VectorKernels#TALL} rows, then of {@value VectorKernels#FIVE} for what they leave
     * (a last 9 or 10 rows go as 5 + 4 or 5 + 5); then {@value VectorKernels#ROWS}, then single
     * rows. Row p of the panel starts at {@code bArray[bOff + p * bStride]}; with {@code fixed}
     * (the panel is packed, {@code cols} vectors per row, and the strides are known when
     * generating: {@link #fixedStrides}), the tall blocks are register blocks with those strides
     * as literals. Each row's sums are the same operations in the same order in every block, so the
     * plan does not change a bit.
     */
    private static void rowBlocks(Kernel k, VectorKernels.Names x, boolean ta, int cols, String bArray, String bOff, String bStride,
                                  long[] fixed) {
        CodeBlock.Builder c = k.body;
        String as = ta ? "1" : x.k(), ap = ta ? x.m() : "1";
        CodeBlock args = CodeBlock.of("$L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L", x.out(), cAt(x), x.n(), x.a(), aAt(x, ta), as, ap,
                bArray, bOff, bStride, x.k());
        CodeBlock fixedArgs = CodeBlock.of("$L, $L, $L, $L, $L, $L, $L", x.out(), cAt(x), x.a(), aAt(x, ta), bArray, bOff, x.k());
        c.addStatement("int i = $L", x.lo());
        c.beginControlFlow("if (SPECIES.vectorBitSize() >= 512)")
                .addStatement("int tall = ($L - i) / $L", x.hi(), VectorKernels.TALL)
                .addStatement("final int left = ($L - i) % $L", x.hi(), VectorKernels.TALL)
                .addStatement("if ((left == 3 || left == 4) && tall > 0) tall--")
                .beginControlFlow("for (; tall > 0; tall--, i += $L)", VectorKernels.TALL)
                .addStatement(block(k, VectorKernels.TALL, cols, fixed, args, fixedArgs))
                .endControlFlow()
                .beginControlFlow("for (; i + $L <= $L; i += $L)", VectorKernels.FIVE, x.hi(), VectorKernels.FIVE)
                .addStatement(block(k, VectorKernels.FIVE, cols, fixed, args, fixedArgs))
                .endControlFlow()
                .endControlFlow();
        c.beginControlFlow("for (; i + $L <= $L; i += $L)", VectorKernels.ROWS, x.hi(), VectorKernels.ROWS)
                .addStatement(block(k, VectorKernels.ROWS, cols, fixed, args, fixedArgs))
                .endControlFlow();
        c.beginControlFlow("for (; i < $L; i++)", x.hi())
                .addStatement("mk$$1x$L($L)", cols, args)
                .endControlFlow();
    }

    /** The call of a register block of {@code rows} × {@code cols}: with strides {@code fixed}, a block of its own for them. */
    private static CodeBlock block(Kernel k, int rows, int cols, long[] fixed, CodeBlock args, CodeBlock fixedArgs) {
        // only the widest panels' tall blocks, which do nearly all of a large product's work: each
        // such block is a method per product shape (about 5 kB of source)
        if (fixed == null || cols != VectorKernels.WIDE || rows < VectorKernels.FIVE) return CodeBlock.of("mk$$$Lx$L($L)", rows, cols, args);
        String key = VectorRegisterBlocks.fixedKey(rows, cols, fixed[0], fixed[1], fixed[2]);
        k.members.add(VectorKernels.MICRO + key);
        return CodeBlock.of("$L($L)", VectorRegisterBlocks.methodName(key), fixedArgs);
    }

    /**
     * The strides of a product's register blocks when the code generator knows them all: the
     * result's row stride (N), and A's row and step strides (K and 1, or 1 and M for Aᵀ); else
     * null. Literal strides let C2 compile the block's loop without the index arithmetic of
     * stride arguments: W1's forward blocks ran 5–16% faster (a standalone copy of {@code mk$6x4},
     * [60, 331]·[331, 256], f32, JDK 17 and 25).
     */
    private static long[] fixedStrides(VectorKernels.Names x, boolean ta) {
        if (x.nSize() == null || !x.nSize().isStatic()) return null;
        Size rowStride = ta ? Size.ONE : x.kSize(), step = ta ? x.mSize() : Size.ONE;
        if (!rowStride.isStatic() || !step.isStatic()) return null;
        // only for large products: N times A's static dim (K, or M for Aᵀ), times the batches of a batched product, of at
        // least FIXED_MIN
        long runs = x.runs().isStatic() ? x.runs().value() : 1;
        if (x.nSize().value() * Math.max(rowStride.value(), step.value()) * runs < FIXED_MIN) return null;
        return new long[] {x.nSize().value(), rowStride.value(), step.value()};
    }

    /** The last columns, from {@code j} (declared by {@code init}, or else already) to N, one at a time: a sum of products per element. */
    private static void scalarColumns(Kernel k, VectorKernels.Names x, boolean ta, boolean tb, String init) {
        Product.Arrays ar = x.x();
        CodeBlock a = ta ? ar.a(CodeBlock.of("p * $L + i", x.m())) : ar.a(CodeBlock.of("i * $L + p", x.k()));
        CodeBlock b = tb ? ar.b(CodeBlock.of("j * $L + p", x.k())) : ar.b(CodeBlock.of("p * $L + j", x.n()));
        k.body.beginControlFlow("for ($L; j < $L; j++)", init, x.n())
                .beginControlFlow("for (int i = $L; i < $L; i++)", x.lo(), x.hi())
                .addStatement("$T s = 0", k.elem.type())
                .addStatement("for (int p = 0; p < $L; p++) s += $L * $L", x.k(), a, b)
                .addStatement("$L = s", ar.c(CodeBlock.of("i * $L + j", x.n())))
                .endControlFlow()
                .endControlFlow();
    }

    /** The offset of element (i, 0) of A, and of element (i, j) of the result. */
    private static CodeBlock aAt(VectorKernels.Names x, boolean ta) {
        return x.x().aAt(ta ? CodeBlock.of("i") : CodeBlock.of("i * $L", x.k()));
    }

    private static CodeBlock cAt(VectorKernels.Names x) {
        return x.x().cAt(CodeBlock.of("i * $L + j", x.n()));
    }
}
