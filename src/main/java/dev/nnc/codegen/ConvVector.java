package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ops.Windows;
import dev.nnc.ops.Windows.Plane;

/**
 * The convolutions of the vector backend as matrix products over the class's register blocks
 * ({@link VectorRegisterBlocks#microKernel}, which set their block of the result to a sum), per image
 * and group, with the unfolded input (im2col) made panel by panel in the panel scratch
 * {@code pk}, never whole:
 * <ul>
 *   <li>forward: {@code out[o, q] = Σ_p w[o, p] · unfold(x)[p, q]}: a panel of
 *       {@value VectorKernels#COLS} vectors of output positions unfolded over every kernel
 *       element {@code p}, then every output channel's row of it;</li>
 *   <li>input gradient: {@code cols[p, q] = Σ_o w[o, p] · dy[o, q]} for a panel of output
 *       positions (dy's panel packed), into the tile, then folded back (col2im) into {@code dx};</li>
 *   <li>weight gradient: {@code dw[o, p] = Σ_images Σ_q dy[o, q] · unfold(x)[p, q]}, a panel of
 *       kernel elements at a time: blocks of {@value #QB} output positions unfolded transposed
 *       into the panel, each block's product into the tile and added to {@code dw}.</li>
 * </ul>
 * With a stride of 1, {@link ConvPadded} takes the forward and the input gradient, and the weight
 * gradient of narrow convolutions, over the zero-padded input instead.
 * A panel narrower than {@value VectorKernels#COLS} vectors (the last one) is computed whole
 * into the tile and its valid columns copied out. Rows split over threads ({@code setThreads}):
 * (image, output row) pairs for the forward, images for the input gradient, output channels for
 * the weight gradient; each element is computed the same way on any thread.
 */
final class ConvVector {
    private ConvVector() {}

    /** Output positions per block of the weight gradient: the panel holds this many rows. */
    static final int QB = 128;

    /**
     * Whether convolution {@code g} is worth a product: at least a register block
     * ({@value VectorKernels#ROWS}) of output channels per group. A depthwise convolution (an
     * average pool) has one, and its direct loops do no more work than the unfolding would.
     */
    static boolean pays(Plane g) {
        return g.og() >= VectorKernels.ROWS;
    }

    /** A tile of {@code rows} × {@value VectorKernels#COLS} vectors, for a panel's result. */
    static Scratch tile(int rows) {
        return new Scratch("scratch$tile", "tl", null, Size.constant((long) rows * VectorKernels.COLS), true,
                "Scratch for convolutions: the result of a panel.");
    }

    /**
     * Register blocks over {@code rows} rows of a product {@code c[co + r·cs + v·L] = Σ_p a[ao + r·as + p·ap] ·
     * pk[p·W + v·L]} for {@code p < n}: blocks of {@value VectorKernels#TALL} rows (512-bit vectors),
     * {@value VectorKernels#ROWS}, then 1. The row variable is {@code r}.
     */
    static void rowBlocks(Kernel k, Object rows, String c, String co, String cs, String a, String ao, String as, String ap, String n) {
        int[] heights = {VectorKernels.TALL, VectorKernels.ROWS, 1};
        for (int h : heights) k.members.add(VectorKernels.MICRO + h + "x" + VectorKernels.COLS);
        CodeBlock.Builder body = k.body;
        body.addStatement("int r = 0");
        for (int h : heights) {
            if (h == VectorKernels.TALL) body.beginControlFlow("if (SPECIES.vectorBitSize() >= 512)");
            body.beginControlFlow("for (; r + $L <= $L; r += $L)", h, rows, h)
                    .addStatement("mk$$$Lx$L($L, $L + r * $L, $L, $L, $L + r * $L, $L, $L, pk, 0, W, $L)", h, VectorKernels.COLS,
                            c, co, cs, cs, a, ao, as, as, ap, n)
                    .endControlFlow();
            if (h == VectorKernels.TALL) body.endControlFlow();
        }
    }

    /**
     * {@code out = conv(x, w)} with a stride above 1 ({@link ConvPadded} takes the others); rows
     * {@code r0..r1} are (image, output row) pairs.
     */
    static void forward(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String x = k.array(plan.base(n.input(0))), w = k.array(plan.base(n.input(1)));
        k.runAsStep();
        k.scratch(VectorKernels.pack(Size.constant(g.k())));
        k.scratch(tile(g.og()));
        k.members.add(ConvMembers.UNFOLD);
        Size rows = Size.of(n.shape().get(0)).times(g.oh());
        k.splitRows(rows, Size.constant((long) g.outChannels() * g.k() * g.ow()));
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), W = $L * L", VectorKernels.COLS)
                .beginControlFlow("for (int rr = r0; rr < r1; )")
                .addStatement("final int img = rr / $L, y0 = rr - img * $L, y1 = Math.min($L, y0 + r1 - rr)", g.oh(), g.oh(), g.oh())
                .beginControlFlow("for (int g = 0; g < $L; g++)", g.groups())
                .addStatement("final int xo = (img * $L + g * $L) * $L, oo = (img * $L + g * $L) * $L, wo = g * $L",
                        g.channels(), g.cg(), g.hw(), g.outChannels(), g.og(), g.p(), g.og() * g.k())
                .beginControlFlow("for (int j = y0 * $L; j < y1 * $L; j += W)", g.ow(), g.ow())
                .addStatement("final int jn = Math.min(W, y1 * $L - j)", g.ow())
                .add("// a whole panel of output positions goes straight to out, a partial one through the tile\n")
                .addStatement("final $T[] c = jn == W ? out : tl", k.elem.type())
                .addStatement("final int co = jn == W ? oo + j : 0, cs = jn == W ? $L : W", g.p())
                .addStatement("unfold$$($L, xo, $L, 0, $L, j, jn, pk, 0, W, 1)", x, ConvMembers.geometry(g), g.k());
        rowBlocks(k, g.og(), "c", "co", "cs", w, "wo", String.valueOf(g.k()), "1", String.valueOf(g.k()));
        c.beginControlFlow("if (jn < W)")
                .addStatement("for (int o = 0; o < $L; o++) System.arraycopy(tl, o * W, out, oo + o * $L + j, jn)", g.og(), g.p())
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .addStatement("rr += y1 - y0")
                .endControlFlow();
    }

    /**
     * {@code out = dx} for {@code (dy, w)}: per image (rows {@code r0..r1} count
     * {@link Threads#CHUNK_ROWS} per image, so that thread chunks hold whole images) and group,
     * each panel of output positions' columns {@code wᵀ · dy} computed into the tile and folded back.
     */
    static void inputGrad(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String dy = k.array(plan.base(n.input(0))), w = k.array(plan.base(n.input(1)));
        k.runAsStep();
        k.scratch(VectorKernels.pack(Size.constant(g.og())));
        k.scratch(tile(g.k()));
        k.members.add(ConvMembers.FOLD);
        k.splitRows(Size.of(n.shape().get(0)).times(Threads.CHUNK_ROWS),
                Size.constant((long) g.outChannels() * g.k() * g.p() / Threads.CHUNK_ROWS));
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), W = $L * L", VectorKernels.COLS)
                .beginControlFlow("for (int img = r0 / $L; img < r1 / $L; img++)", Threads.CHUNK_ROWS, Threads.CHUNK_ROWS)
                .addStatement("$T.fill(out, img * $L, (img + 1) * $L, $L)", java.util.Arrays.class, g.channels() * g.hw(),
                        g.channels() * g.hw(), k.elem.lit(0))
                .beginControlFlow("for (int g = 0; g < $L; g++)", g.groups())
                .addStatement("final int xo = (img * $L + g * $L) * $L, yo = (img * $L + g * $L) * $L, wo = g * $L",
                        g.channels(), g.cg(), g.hw(), g.outChannels(), g.og(), g.p(), g.og() * g.k())
                .beginControlFlow("for (int j = 0; j < $L; j += W)", g.p())
                .addStatement("final int jn = Math.min(W, $L - j)", g.p())
                .addStatement("for (int o = 0; o < $L; o++) System.arraycopy($L, yo + o * $L + j, pk, o * W, jn)", g.og(), dy, g.p());
        rowBlocks(k, g.k(), "tl", "0", "W", w, "wo", "1", String.valueOf(g.k()), String.valueOf(g.og()));
        c.addStatement("fold$$(out, xo, $L, 0, $L, j, jn, tl, 0, W)", ConvMembers.geometry(g), g.k())
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }

    /**
     * {@code out = dw} for {@code (x, dy)}: rows {@code r0..r1} are output channels (rows of
     * {@code dw}), taken group by group. Per panel of kernel elements, blocks of {@value #QB}
     * output positions of the unfolded input go transposed into the panel, and each block's
     * product with dy's rows goes through the tile into the sums in {@code out}.
     */
    static void weightGrad(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String x = k.array(plan.base(n.input(0))), dy = k.array(plan.base(n.input(1)));
        k.runAsStep();
        k.scratch(VectorKernels.pack(Size.constant(QB)));
        k.scratch(tile(g.og()));
        k.members.add(ConvMembers.UNFOLD);
        CodeBlock images = WindowKernels.batch(k, n.input(0));
        k.splitRows(Size.constant(g.outChannels()), Size.of(n.input(0).shape().get(0)).times((long) g.k() * g.p()));
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), W = $L * L, images = $L", VectorKernels.COLS, images)
                .addStatement("$T.fill(out, r0 * $L, r1 * $L, $L)", java.util.Arrays.class, g.k(), g.k(), k.elem.lit(0))
                .beginControlFlow("for (int g = r0 / $L; g * $L < r1; g++)", g.og(), g.og())
                .addStatement("final int o0 = Math.max(r0, g * $L), rows = Math.min(r1, (g + 1) * $L) - o0", g.og(), g.og())
                .beginControlFlow("for (int p0 = 0; p0 < $L; p0 += W)", g.k())
                .addStatement("final int pn = Math.min(W, $L - p0)", g.k())
                .beginControlFlow("for (int img = 0; img < images; img++)")
                .addStatement("final int xo = (img * $L + g * $L) * $L, yo = (img * $L + o0) * $L",
                        g.channels(), g.cg(), g.hw(), g.outChannels(), g.p())
                .beginControlFlow("for (int q0 = 0; q0 < $L; q0 += $L)", g.p(), QB)
                .addStatement("final int qn = Math.min($L, $L - q0)", QB, g.p())
                .add("// the block of the unfolded input transposed: pk[q][p] = unfold(x)[p0 + p][q0 + q]\n")
                .addStatement("unfold$$($L, xo, $L, p0, p0 + pn, q0, qn, pk, 0, 1, W)", x, ConvMembers.geometry(g));
        rowBlocks(k, "rows", "tl", "0", "W", dy, "yo + q0", String.valueOf(g.p()), "1", "qn");
        c.beginControlFlow("for (int o = 0; o < rows; o++)")
                .addStatement("final int d = (o0 + o) * $L + p0, s = o * W", g.k())
                .addStatement("for (int t = 0; t < pn; t++) out[d + t] += tl[s + t]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }
}
