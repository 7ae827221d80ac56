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
 * {@value VectorKernels#COLS} vectors of positions is one block copy per kernel element (the
 * general unfold, {@link ConvVector#forward}, copies a run per output row and kernel element and
 * fills the padding, which cost more than the product itself in LeNet's first convolutions).
 * The columns with {@code ox ≥ ow} (the {@code (kw - 1)·dw} positions that wrap around a padded
 * row) are computed and dropped when the tile's valid runs are copied out.
 *
 * <p>The input gradient runs the same way backwards ({@link #inputGrad}): a panel of {@code dy}'s
 * columns laid out along the padded rows (zeros at {@code ox ≥ ow}), its product {@code wᵀ · dy}
 * into the tile, and each tile row added to the padded input gradient as one contiguous run from
 * its kernel element's offset on (the general fold adds a run per output row and kernel element,
 * ten elements long in LeNet's second convolution). The zero columns add zeros (for finite weights).
 */
final class ConvPadded {
    private ConvPadded() {}

    /** Whether forward convolution {@code g} takes this path: a stride of 1 on both axes. */
    static boolean applies(Plane g) {
        return g.sh() == 1 && g.sw() == 1;
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
                .add("// row p = (ci, ky, kx) of the panel: the padded input from the kernel element's offset on\n")
                .addStatement("int p = 0")
                .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                .beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kh())
                .beginControlFlow("for (int kx = 0; kx < $L; kx++, p++)", g.kw())
                .addStatement("System.arraycopy($L, $Lci * $L + ky * $L + kx * $L + j, pk, p * W, jn)", src, at, plane, g.dh() * wp, g.dw())
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
        ConvVector.rowBlocks(k, g.og(), "tl", "0", "W", w, "wo", String.valueOf(g.k()), "1", String.valueOf(g.k()));
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
        k.scratch(ConvVector.tile(g.k()));
        boolean padded = g.ph() > 0 || g.pw() > 0;
        // without padding the input gradient itself is the padded one: its rows are added to in place
        String dst = padded ? "xp" : "out", at = padded ? "" : "xo + ";
        if (padded) k.scratch(padded(g, plane));
        k.splitRows(Size.of(n.shape().get(0)).times(Threads.CHUNK_ROWS),
                Size.constant((long) g.outChannels() * g.k() * g.p() / Threads.CHUNK_ROWS));
        CodeBlock zero = k.elem.lit(0);
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), W = $L * L", VectorKernels.COLS)
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
        ConvVector.rowBlocks(k, g.k(), "tl", "0", "W", w, "wo", "1", String.valueOf(g.k()), String.valueOf(g.og()));
        c.add("// row p = (ci, ky, kx) of the tile onto the padded input gradient from the kernel element's offset on\n")
                .addStatement("int p = 0")
                .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                .beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kh())
                .beginControlFlow("for (int kx = 0; kx < $L; kx++, p++)", g.kw())
                .addStatement("final int d = $Lci * $L + ky * $L + kx * $L + j, s = p * W", at, plane, g.dh() * wp, g.dw())
                .addStatement("for (int t = 0; t < jn; t++) $L[d + t] += tl[s + t]", dst)
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
}
