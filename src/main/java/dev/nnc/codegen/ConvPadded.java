package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ops.Windows;
import dev.nnc.ops.Windows.Plane;

/**
 * The vector backend's forward convolution with a stride of 1, as a product over the zero-padded
 * input (implicit im2col): per image and group the input is copied once into {@code xp}, planes
 * of {@code Hp × Wp} with the padding in place, and output positions are counted along its padded
 * rows, {@code q' = oy·Wp + ox}. The unfolded input's row for kernel element {@code (c, ky, kx)}
 * is then the contiguous run {@code xp[c·Hp·Wp + ky·dh·Wp + kx·dw + q']}, so a panel of
 * {@value VectorKernels#COLS} vectors of positions needs no copy at all: the register blocks
 * {@code mw$RxC} ({@link ConvBlocks#product}) read its rows in place (the general unfold,
 * {@link ConvVector#forward}, copies a run per output row and kernel element and fills the
 * padding, which cost more than the product itself in LeNet's first convolutions; a block copy
 * per kernel element into the panel scratch took 1.10 times as long for W4's training step and
 * 1.15 times for W5's inference as reading in place, BuildsAB on JDK 17). Only the last panel, which would read past the
 * padded input, is still copied, one block per kernel element, and taken by the products' blocks.
 * The columns with {@code ox ≥ ow} (the {@code (kw - 1)·dw} positions that wrap around a padded
 * row) are computed and dropped when the tile's valid runs are copied out.
 *
 * <p>The input gradient runs the same way backwards ({@link #inputGrad}): a panel of {@code dy}'s
 * columns laid out along the padded rows (zeros at {@code ox ≥ ow}), its product {@code wᵀ · dy}
 * into the tile, and each tile row added to the padded input gradient as one contiguous run from
 * its kernel element's offset on, a vector at a time (the general fold adds a run per output row and kernel element,
 * ten elements long in LeNet's second convolution). The zero columns add zeros (for finite weights).
 *
 * <p>The weight gradient ({@link #weightGrad}, for kernels at least {@value VectorKernels#ROWS}
 * wide and at most {@value #NARROW} output channels per group) needs no unfolded copy at all:
 * {@code dwᵀ[(ci, ky, kx)][o] = Σ_images Σ_(oy, ox) xp[ci, oy + ky, ox + kx] · dy[o, oy, ox]}, with
 * dy transposed into a panel of one vector per output position (its channels along the lanes) and
 * the kernel elements {@code (ci, ky, kx…kx + 4)} as the rows of a register block
 * ({@code wk$RxS}, {@link ConvBlocks#window}; {@code ws$R}, {@link ConvBlocks#slide}, two output
 * positions a step where that applies), read in place from the (padded) input one output row at a time.
 * Narrower convolutions (at most {@value ConvLanes#MAX_CHANNELS} output channels per group) take
 * {@link ConvLanes} instead.
 */
final class ConvPadded {
    private ConvPadded() {}

    /** Output channels per group up to which the weight gradient takes this path: one 512-bit vector of floats. */
    static final int NARROW = 16;

    /** Kernel columns and input channels per register block of the weight gradient ({@link ConvBlocks#window}). */
    static final int WIDE = 5, PAIR = 1;

    /** Whether forward convolution {@code g} and its input gradient take this path: a stride of 1 on both axes. */
    static boolean applies(Plane g) {
        return g.sh() == 1 && g.sw() == 1;
    }

    /** Whether the weight gradient of {@code g} takes this path. */
    static boolean appliesToWeightGrad(Plane g) {
        return applies(g) && g.kw() >= VectorKernels.ROWS && g.og() <= NARROW;
    }

    /**
     * Whether the weight gradient of {@code g} takes the blocks of two output positions a step
     * ({@code ws$R}, {@link ConvBlocks#slide}): no dilation along the rows, and rows of an even
     * number of output positions, so that a pair never spans two rows.
     */
    static boolean slides(Plane g) {
        return g.dw() == 1 && g.ow() % 2 == 0;
    }

    /**
     * Register blocks {@code mw$RxC} ({@link ConvBlocks#product}) over {@code rows} output channels
     * of a whole panel, {@code tl[r·W + v·L] = Σ_p w[wo + r·k + p] · src[b + off(p) + v·L]}, the
     * panel's rows read in place ({@code off(ci, ky, kx) = ci·plane + ky·dh·wp + kx·dw}): blocks of
     * {@value VectorKernels#TALL} rows (512-bit vectors), {@value VectorKernels#ROWS}, then 1, as
     * {@link ConvVector#rowBlocks}. The same sums in the same order as the product over the copied panel.
     */
    private static void windowBlocks(Kernel k, Plane g, String w, String src, String b, int plane, int wp) {
        int rows = g.og();
        int[] heights = {VectorKernels.TALL, VectorKernels.ROWS, 1};
        CodeBlock.Builder body = k.body;
        body.addStatement("int r = 0");
        for (int h : heights) {
            k.members.add(ConvBlocks.PRODUCT + h + "x" + VectorKernels.COLS);
            if (h == VectorKernels.TALL) body.beginControlFlow("if (SPECIES.vectorBitSize() >= 512)");
            body.beginControlFlow("for (; r + $L <= $L; r += $L)", h, rows, h)
                    .addStatement("mw$$$Lx$L(tl, r * W, W, $L, wo + r * $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", h, VectorKernels.COLS, w, g.k(),
                            g.k(), src, b, plane, g.dh() * wp, g.dw(), g.kh(), g.kw(), g.k())
                    .endControlFlow();
            if (h == VectorKernels.TALL) body.endControlFlow();
        }
    }

    /** The scratch of one image and group of the input, zero-padded, for a convolution with {@code plane} elements per padded channel. */
    private static Scratch padded(Plane g, int plane) {
        return Scratch.flat("scratch$padded", "xp", Size.constant((long) g.cg() * plane),
                "Scratch for convolutions with a stride of 1: one image and group of the input, zero-padded.");
    }

    /** {@code out = conv(x, w)}; rows {@code r0..r1} count {@link Threads#CHUNK_ROWS} per image. */
    static void forward(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String x = k.array(plan.base(n.input(0))), w = k.array(plan.base(n.input(1)));
        int hp = g.h() + 2 * g.ph(), wp = g.w() + 2 * g.pw(), plane = hp * wp;
        // the padded rows' positions up to the last valid one
        int q = (g.oh() - 1) * wp + g.ow();
        k.runAsStep();
        k.scratch(VectorKernels.pack(Size.constant(g.k())));
        k.scratch(ConvVector.tile(g.og()));
        boolean padded = g.ph() > 0 || g.pw() > 0;
        // without padding the input itself is the padded input: its rows are read in place
        String src = padded ? "xp" : x, at = padded ? "" : "xo + ";
        if (padded) {
            k.scratch(padded(g, plane));
        }
        k.splitRows(Size.of(n.shape().get(0)).times(Threads.CHUNK_ROWS),
                Size.constant((long) g.outChannels() * g.k() * g.p() / Threads.CHUNK_ROWS));
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), W = $L * L", VectorKernels.COLS)
                .beginControlFlow("for (int img = r0 / $L; img < r1 / $L; img++)", Threads.CHUNK_ROWS, Threads.CHUNK_ROWS)
                .beginControlFlow("for (int g = 0; g < $L; g++)", g.groups())
                .addStatement("final int xo = (img * $L + g * $L) * $L, oo = (img * $L + g * $L) * $L, wo = g * $L",
                        g.channels(), g.cg(), g.hw(), g.outChannels(), g.og(), g.p(), g.og() * g.k());
        if (padded) {
            c.addStatement("$T.fill(xp, 0, $L, $L)", java.util.Arrays.class, g.cg() * plane, k.elem.lit(0))
                    .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                    .beginControlFlow("for (int iy = 0; iy < $L; iy++)", g.h())
                    .addStatement("System.arraycopy($L, xo + (ci * $L + iy) * $L, xp, ci * $L + (iy + $L) * $L + $L, $L)",
                            x, g.h(), g.w(), plane, g.ph(), wp, g.pw(), g.w())
                    .endControlFlow()
                    .endControlFlow();
        }
        c.beginControlFlow("for (int j = 0; j < $L; j += W)", q)
                .addStatement("final int jn = Math.min(W, $L - j)", q)
                .beginControlFlow("if (jn == W)")
                .add("// a whole panel: its rows read in place, from each kernel element's offset on\n");
        windowBlocks(k, g, w, src, at + "j", plane, wp);
        c.nextControlFlow("else")
                .add("// the last panel, which would read past the padded input: row p = (ci, ky, kx) copied from the kernel\n")
                .add("// element's offset on\n")
                .addStatement("int p = 0")
                .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                .beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kh())
                .beginControlFlow("for (int kx = 0; kx < $L; kx++, p++)", g.kw())
                .addStatement("System.arraycopy($L, $Lci * $L + ky * $L + kx * $L + j, pk, p * W, jn)", src, at, plane, g.dh() * wp, g.dw())
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
        ConvVector.rowBlocks(k, g.og(), "tl", "0", "W", w, "wo", String.valueOf(g.k()), "1", String.valueOf(g.k()));
        c.endControlFlow();
        c.add("// the valid runs of the panel (ox < ow along each padded row) to out\n")
                .beginControlFlow("for (int t = 0; t < jn; )")
                .addStatement("final int qq = j + t, oy = qq / $L, ox = qq - oy * $L, len = Math.min(jn - t, $L - ox)", wp, wp, wp)
                .beginControlFlow("if (ox < $L)", g.ow())
                .addStatement("final int m = Math.min(len, $L - ox), d = oo + oy * $L + ox", g.ow(), g.ow())
                .addStatement("for (int o = 0; o < $L; o++) System.arraycopy(tl, o * W + t, out, d + o * $L, m)", g.og(), g.p())
                .endControlFlow()
                .addStatement("t += len")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }
    /**
     * {@code out = dx} for {@code (dy, w)} with a stride of 1: per image (rows {@code r0..r1} count
     * {@link Threads#CHUNK_ROWS} per image) and group, each panel of padded positions' columns
     * {@code wᵀ · dy} computed into the tile and added to the (padded) input gradient row by row.
     */
    static void inputGrad(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String dy = k.array(plan.base(n.input(0))), w = k.array(plan.base(n.input(1)));
        int hp = g.h() + 2 * g.ph(), wp = g.w() + 2 * g.pw(), plane = hp * wp;
        int q = (g.oh() - 1) * wp + g.ow();
        k.runAsStep();
        k.scratch(VectorKernels.pack(Size.constant(g.og())));
        // tile rows of W + S, S ≥ (kw - 1)·dw + L zeros between them (and before the first): at most
        // (k + 1)·(4 + (kw - 1)·dw)·L elements
        int reach = (g.kw() - 1) * g.dw();
        k.scratch(ConvVector.tile(((g.k() + 1) * (4 + reach) + VectorKernels.COLS - 1) / VectorKernels.COLS));
        boolean padded = g.ph() > 0 || g.pw() > 0;
        // without padding the input gradient itself is the padded one: its rows are added to in place
        String dst = padded ? "xp" : "out", at = padded ? "" : "xo + ";
        if (padded) k.scratch(padded(g, plane));
        k.splitRows(Size.of(n.shape().get(0)).times(Threads.CHUNK_ROWS),
                Size.constant((long) g.outChannels() * g.k() * g.p() / Threads.CHUNK_ROWS));
        CodeBlock zero = k.elem.lit(0);
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), W = $L * L, S = L * (1 + ($L + L - 1) / L), P = W + S", VectorKernels.COLS, reach)
                .add("// the tile's gaps stay zero: the products write W columns of each row\n")
                .addStatement("$T.fill(tl, 0, $L * P + S, $L)", java.util.Arrays.class, g.k(), zero)
                .beginControlFlow("for (int img = r0 / $L; img < r1 / $L; img++)", Threads.CHUNK_ROWS, Threads.CHUNK_ROWS)
                .addStatement("$T.fill(out, img * $L, (img + 1) * $L, $L)", java.util.Arrays.class, g.channels() * g.hw(),
                        g.channels() * g.hw(), zero)
                .beginControlFlow("for (int g = 0; g < $L; g++)", g.groups())
                .addStatement("final int xo = (img * $L + g * $L) * $L, yo = (img * $L + g * $L) * $L, wo = g * $L",
                        g.channels(), g.cg(), g.hw(), g.outChannels(), g.og(), g.p(), g.og() * g.k());
        if (padded) c.addStatement("$T.fill(xp, 0, $L, $L)", java.util.Arrays.class, g.cg() * plane, zero);
        c.beginControlFlow("for (int j = 0; j < $L; j += W)", q)
                .addStatement("final int jn = Math.min(W, $L - j)", q)
                .add("// the panel: dy's columns along the padded rows, zeros where a row wraps (ox ≥ ow)\n")
                .addStatement("$T.fill(pk, 0, $L * W, $L)", java.util.Arrays.class, g.og(), zero)
                .beginControlFlow("for (int t = 0; t < jn; )")
                .addStatement("final int qq = j + t, oy = qq / $L, ox = qq - oy * $L, len = Math.min(jn - t, $L - ox)", wp, wp, wp)
                .beginControlFlow("if (ox < $L)", g.ow())
                .addStatement("final int m = Math.min(len, $L - ox), s = yo + oy * $L + ox", g.ow(), g.ow())
                .addStatement("for (int o = 0; o < $L; o++) System.arraycopy($L, s + o * $L, pk, o * W + t, m)", g.og(), dy, g.p())
                .endControlFlow()
                .addStatement("t += len")
                .endControlFlow();
        ConvVector.rowBlocks(k, g.k(), "tl", "S", "P", w, "wo", "1", String.valueOf(g.k()), String.valueOf(g.og()));
        // rows (ci, ky, 0…kw-1) of the tile onto the padded input gradient: element u of the span from (ci, ky)'s offset on
        // gets row kx's column u - kx·dw, in the order of kx (the zeros around a row add nothing)
        CodeBlock.Builder sum = CodeBlock.builder().add("$L", VectorExact.exact(k.elem, CodeBlock.of("$T.fromArray(SPECIES, $L, d + u)",
                VectorKernels.vectorType(k.elem), dst)));
        for (int kx = 0; kx < g.kw(); kx++) {
            sum.add(".add($T.fromArray(SPECIES, tl, s + $L * P + u - $L))", VectorKernels.vectorType(k.elem), kx, kx * g.dw());
        }
        c.add("// rows (ci, ky, kx) of the tile onto the padded input gradient: element u of the span from (ci, ky)'s offset on\n")
                .add("// gets row kx's column u - kx·dw for each kx in order, the old adds in their order (the zeros around a row add\n")
                .add("// nothing); one store per vector, where adding row by row reloaded each vector a column off its last store\n")
                .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                .beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kh())
                .addStatement("final int d = $Lci * $L + ky * $L + j, s = S + (ci * $L + ky) * $L * P, m = jn + $L", at, plane, g.dh() * wp,
                        g.kh(), g.kw(), reach)
                .addStatement("int u = 0")
                .addStatement("for (; u + L <= m; u += L) $L.intoArray($L, d + u)", sum.build(), dst)
                .beginControlFlow("for (; u < m; u++)")
                .beginControlFlow("for (int kx = 0; kx < $L; kx++)", g.kw())
                .addStatement("final int t = u - kx * $L", g.dw())
                .addStatement("if (t >= 0 && t < jn) $L[d + u] += tl[s + kx * P + t]", dst)
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
        if (padded) {
            c.add("// the padded gradient's interior is the input gradient of this image and group\n")
                    .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                    .beginControlFlow("for (int iy = 0; iy < $L; iy++)", g.h())
                    .addStatement("System.arraycopy(xp, ci * $L + (iy + $L) * $L + $L, out, xo + (ci * $L + iy) * $L, $L)",
                            plane, g.ph(), wp, g.pw(), g.h(), g.w(), g.w())
                    .endControlFlow()
                    .endControlFlow();
        }
        c.endControlFlow().endControlFlow();
    }
    /**
     * {@code out = dw} for {@code (x, dy)}: rows {@code r0..r1} are output channels (rows of
     * {@code dw}), taken group by group and {@code L} at a time; the sums over images and output
     * positions accumulate in the tile, one vector per kernel element, and go transposed to out.
     */
    static void weightGrad(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String x = k.array(plan.base(n.input(0))), dy = k.array(plan.base(n.input(1)));
        int hp = g.h() + 2 * g.ph(), wp = g.w() + 2 * g.pw(), plane = hp * wp, cols = VectorKernels.COLS;
        k.runAsStep();
        k.scratch(VectorKernels.pack(Size.constant((g.p() + cols - 1) / cols)));
        k.scratch(ConvVector.tile((g.k() + cols - 1) / cols));
        boolean padded = g.ph() > 0 || g.pw() > 0;
        String src = padded ? "xp" : x, at = padded ? "" : "xo + ";
        if (padded) k.scratch(padded(g, plane));
        k.splitRows(Size.constant(g.outChannels()), Size.of(n.input(0).shape().get(0)).times((long) g.k() * g.p()));
        CodeBlock zero = k.elem.lit(0);
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), images = $L", WindowKernels.batch(k, n.input(0)))
                .beginControlFlow("for (int g = r0 / $L; g * $L < r1; g++)", g.og(), g.og())
                .addStatement("final int o1 = Math.min(r1, (g + 1) * $L)", g.og())
                .beginControlFlow("for (int o0 = Math.max(r0, g * $L); o0 < o1; o0 += L)", g.og())
                .addStatement("final int on = Math.min(L, o1 - o0)")
                .addStatement("$T.fill(tl, 0, $L * L, $L)", java.util.Arrays.class, g.k(), zero)
                .addStatement("$T.fill(pk, 0, $L * L, $L)", java.util.Arrays.class, g.p(), zero)
                .beginControlFlow("for (int img = 0; img < images; img++)")
                .addStatement("final int xo = (img * $L + g * $L) * $L, yo = (img * $L + o0) * $L",
                        g.channels(), g.cg(), g.hw(), g.outChannels(), g.p());
        if (padded) {
            c.addStatement("$T.fill(xp, 0, $L, $L)", java.util.Arrays.class, g.cg() * plane, zero)
                    .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                    .beginControlFlow("for (int iy = 0; iy < $L; iy++)", g.h())
                    .addStatement("System.arraycopy($L, xo + (ci * $L + iy) * $L, xp, ci * $L + (iy + $L) * $L + $L, $L)",
                            x, g.h(), g.w(), plane, g.ph(), wp, g.pw(), g.w())
                    .endControlFlow()
                    .endControlFlow();
        }
        c.add("// dy's channels o0.. transposed: one vector per output position, the channels along its lanes\n")
                .add("// (position by position: each vector of the panel written whole, the channels read as parallel runs)\n")
                .beginControlFlow("for (int q = 0; q < $L; q++)", g.p())
                .addStatement("final int d = q * L, s = yo + q")
                .addStatement("for (int o = 0; o < on; o++) pk[d + o] = $L[s + o * $L]", dy, g.p())
                .endControlFlow()
                .add("// blocks of kernel columns kx, kx + 1, … of one (ci, ky): kernel elements read in place, one run per\n")
                .add("// output row\n")
                .beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kh());
        for (int s = PAIR; s >= 1; s--) {
            int from = s == PAIR ? 0 : g.cg() / PAIR * PAIR, to = s == PAIR ? from + g.cg() / PAIR * PAIR : g.cg();
            if (from == to) continue;
            c.beginControlFlow("for (int ci = $L; ci < $L; ci += $L)", from, to, s)
                    .addStatement("final int a = $Lci * $L + ky * $L, p = (ci * $L + ky) * $L", at, plane, g.dh() * wp, g.kh(), g.kw());
            for (int kx = 0; kx < g.kw(); kx += WIDE) {
                int r = Math.min(WIDE, g.kw() - kx);
                if (s == 1 && slides(g)) {
                    k.members.add(ConvBlocks.SLIDE + r);
                    c.addStatement("ws$$$L(tl, (p + $L) * L, L, $L, a + $L, $L, pk, 0, $L, $L)", r, kx, src, kx, wp, g.oh(), g.ow());
                    continue;
                }
                k.members.add(ConvBlocks.WINDOW + r + "x" + s);
                c.addStatement("wk$$$Lx$L(tl, (p + $L) * L, L, $L * L, $L, a + $L, $L, $L, $L, pk, 0, $L, $L)",
                        r, s, kx, g.kh() * g.kw(), src, kx * g.dw(), g.dw(), plane, wp, g.oh(), g.ow());
            }
            c.endControlFlow();
        }
        c.endControlFlow()
                .endControlFlow()
                .add("// the tile's lanes are output channels, its rows kernel elements\n")
                .beginControlFlow("for (int o = 0; o < on; o++)")
                .addStatement("final int d = (o0 + o) * $L", g.k())
                .addStatement("for (int p = 0; p < $L; p++) out[d + p] = tl[p * L + o]", g.k())
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }
}
