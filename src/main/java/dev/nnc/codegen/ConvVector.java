package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ops.Windows;
import dev.nnc.ops.Windows.Plane;

/**
 * The convolutions of the vector backend as matrix products over the class's register blocks
 * ({@link VectorKernels#microKernel}), per image and group, with the unfolded input (im2col)
 * made panel by panel in the panel scratch, never whole:
 * <ul>
 *   <li>forward: {@code out[o, q] = Σ_p w[o, p] · unfold(x)[p, q]}, blocks of
 *       {@value VectorKernels#KB} kernel elements × {@value VectorKernels#COLS} vectors of
 *       output positions, unfolded straight into the panel;</li>
 *   <li>input gradient: {@code cols[p, q] = Σ_o w[o, p] · dy[o, q]} for a panel of output
 *       positions, then folded back (col2im) into {@code dx};</li>
 *   <li>weight gradient: {@code dwᵀ[p, o] = Σ_images Σ_q unfold(x)[p, q] · dy[o, q]}, dy's
 *       transpose packed into the panel, the sums kept in scratch, transposed into {@code dw}
 *       at the end.</li>
 * </ul>
 * A panel narrower than {@value VectorKernels#COLS} vectors (the last one) is computed whole
 * into a tile and its valid columns copied out. Rows split over threads ({@code setThreads}):
 * output rows for the forward, images for the input gradient, kernel elements for the weight
 * gradient; each element is computed the same way on any thread.
 */
final class ConvVector {
    private ConvVector() {}

    /** A tile of {@code rows} × {@value VectorKernels#COLS} vectors, for a partial panel's result or the weight gradient's sums. */
    static Scratch tile(int rows) {
        return new Scratch("scratch$tile", "tl", null, Size.constant((long) rows * VectorKernels.COLS), true,
                "Scratch for convolutions: the result of a panel of output positions, or the weight gradient's sums.");
    }

    /** Unfolded input rows of the weight gradient: kernel elements × a block of output positions. */
    static Scratch unfolded(int k) {
        return Scratch.flat("scratch$unfold", "uf", Size.constant((long) k * VectorKernels.KB),
                "Scratch for convolution weight gradients: a block of the unfolded input.");
    }

    /**
     * Register blocks over {@code rows} rows of a product {@code c[co + r·cs + v·L] (+)= Σ_p a[ao + r·as + p·ap] ·
     * b[bo + p·bs + v·L]}: blocks of {@value VectorKernels#TALL} rows (512-bit vectors),
     * {@value VectorKernels#ROWS}, then 1. The row variable is {@code r}.
     */
    private static void rowBlocks(Kernel k, Object rows, String c, String co, String cs, String a, String ao, String as, String ap,
                                  String b, String n, String first) {
        int[] heights = {VectorKernels.TALL, VectorKernels.ROWS, 1};
        for (int h : heights) k.members.add(VectorKernels.MICRO + h + "x" + VectorKernels.COLS);
        CodeBlock.Builder body = k.body;
        body.addStatement("int r = 0");
        for (int h : heights) {
            if (h == VectorKernels.TALL) body.beginControlFlow("if (SPECIES.vectorBitSize() >= 512)");
            body.beginControlFlow("for (; r + $L <= $L; r += $L)", h, rows, h)
                    .addStatement("mk$$$Lx$L($L, $L + r * $L, $L, $L, $L + r * $L, $L, $L, $L, 0, W, $L, $L)", h, VectorKernels.COLS,
                            c, co, cs, cs, a, ao, as, as, ap, b, n, first)
                    .endControlFlow();
            if (h == VectorKernels.TALL) body.endControlFlow();
        }
    }

    /** {@code out = conv(x, w)}; rows {@code r0..r1} are (image, output row) pairs. */
    static void forward(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String x = k.array(plan.base(n.input(0))), w = k.array(plan.base(n.input(1)));
        k.scratch(VectorKernels.PACK);
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
                .beginControlFlow("for (int p0 = 0; p0 < $L; p0 += $L)", g.k(), VectorKernels.KB)
                .addStatement("final int p1 = Math.min($L, p0 + $L)", g.k(), VectorKernels.KB)
                .addStatement("unfold$$($L, xo, $L, p0, p1, j, jn, pk, 0, W)", x, ConvMembers.geometry(g));
        rowBlocks(k, g.og(), "c", "co", "cs", w, "wo + p0", String.valueOf(g.k()), "1", "pk", "p1 - p0", "p0 == 0");
        c.endControlFlow()
                .beginControlFlow("if (jn < W)")
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
        k.scratch(VectorKernels.PACK);
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
                .beginControlFlow("for (int o0 = 0; o0 < $L; o0 += $L)", g.og(), VectorKernels.KB)
                .addStatement("final int o1 = Math.min($L, o0 + $L)", g.og(), VectorKernels.KB)
                .addStatement("for (int o = o0; o < o1; o++) System.arraycopy($L, yo + o * $L + j, pk, (o - o0) * W, jn)", dy, g.p());
        rowBlocks(k, g.k(), "tl", "0", "W", w, "wo + o0 * " + g.k(), "1", String.valueOf(g.k()), "pk", "o1 - o0", "o0 == 0");
        c.endControlFlow()
                .addStatement("fold$$(out, xo, $L, 0, $L, j, jn, tl, 0, W)", ConvMembers.geometry(g), g.k())
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }

    /**
     * {@code out = dw} for {@code (x, dy)}: rows {@code r0..r1} are kernel elements (rows of
     * {@code dwᵀ}). Per panel of output channels, the sums {@code dwᵀ[p, o]} over every image and
     * output position stay in the tile; blocks of {@value VectorKernels#KB} output positions of
     * the unfolded input go to the unfold scratch, and dy's transpose for them to the panel.
     */
    static void weightGrad(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String x = k.array(plan.base(n.input(0))), dy = k.array(plan.base(n.input(1)));
        k.scratch(VectorKernels.PACK);
        k.scratch(tile(g.k()));
        k.scratch(unfolded(g.k()));
        k.members.add(ConvMembers.UNFOLD);
        CodeBlock images = WindowKernels.batch(k, n.input(0));
        k.splitRows(Size.constant(g.k()), Size.of(n.input(0).shape().get(0)).times((long) g.outChannels() * g.p()));
        int kb = VectorKernels.KB;
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), W = $L * L, images = $L, rows = r1 - r0", VectorKernels.COLS, images)
                .beginControlFlow("for (int g = 0; g < $L; g++)", g.groups())
                .beginControlFlow("for (int oj = 0; oj < $L; oj += W)", g.og())
                .addStatement("final int on = Math.min(W, $L - oj)", g.og())
                .addStatement("boolean first = true")
                .beginControlFlow("for (int img = 0; img < images; img++)")
                .addStatement("final int xo = (img * $L + g * $L) * $L, yo = (img * $L + g * $L + oj) * $L",
                        g.channels(), g.cg(), g.hw(), g.outChannels(), g.og(), g.p())
                .beginControlFlow("for (int q0 = 0; q0 < $L; q0 += $L)", g.p(), kb)
                .addStatement("final int qn = Math.min($L, $L - q0)", kb, g.p())
                .addStatement("unfold$$($L, xo, $L, r0, r1, q0, qn, uf, 0, $L)", x, ConvMembers.geometry(g), kb)
                .add("// dy's block transposed: pk[q][o] = dy[o][q0 + q]\n")
                .beginControlFlow("for (int o = 0; o < on; o++)")
                .addStatement("final int src = yo + o * $L + q0", g.p())
                .addStatement("for (int q = 0; q < qn; q++) pk[q * W + o] = $L[src + q]", dy)
                .endControlFlow();
        rowBlocks(k, "rows", "tl", "0", "W", "uf", "0", String.valueOf(kb), "1", "pk", "qn", "first");
        c.addStatement("first = false")
                .endControlFlow()
                .endControlFlow()
                .add("// dw[g's o][p] = the sums dwᵀ[p][o]\n")
                .beginControlFlow("for (int o = 0; o < on; o++)")
                .addStatement("final int dst = (g * $L + oj + o) * $L", g.og(), g.k())
                .addStatement("for (int p = r0; p < r1; p++) out[dst + p] = tl[(p - r0) * W + o]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }
}
