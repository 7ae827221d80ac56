package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ops.Windows;
import dev.nnc.ops.Windows.Plane;

/**
 * The vector backend's weight gradient of a stride-1 convolution with few output channels per
 * group (at most {@value #MAX_CHANNELS}, LeNet's first convolution has 6), with the output
 * positions along the lanes instead of the channels (which would leave most lanes empty):
 * {@code dw[o, (ci, ky, kx)] = Σ_images Σ_q' xp[ci, ky·dh·Wp + kx·dw + q'] · dyp[o, q']}, where
 * {@code xp} is one image and group of the input, zero-padded (planes of {@code Hp × Wp}), and
 * {@code dyp} is dy with its positions counted along the padded rows, {@code q' = oy·Wp + ox},
 * zero at {@code ox ≥ ow} (the positions that wrap around a padded row) and up to a whole
 * number of vectors. Both are contiguous in {@code q'}, so every term is one vector load: a
 * register block ({@link ConvBlocks#lanes}, {@code wq$RxC}) of {@code R} output channels × {@code C} kernel columns
 * {@code kx} keeps {@code R·C} vectors of partial sums, one lane per residue of {@code q'}, in
 * the tile across the images; each sum's lanes are added in lane order at the end. An element's
 * sum does not depend on the block it is in, so a split over output channels (threads) gives the
 * same bits. The zero columns add zeros for finite inputs.
 */
final class ConvLanes {
    private ConvLanes() {}

    /** Output channels per group up to which the weight gradient takes this path. */
    static final int MAX_CHANNELS = 8;

    /** Rows (output channels) and columns (kernel columns) of the register blocks. */
    static final int ROWS = 1, COLS = 5;

    /** Whether the weight gradient of {@code g} (which pays as a product) takes this path. */
    static boolean applies(Plane g) {
        return ConvPadded.applies(g) && g.og() <= MAX_CHANNELS;
    }

    /** The most lanes of a vector of floats (2048 bits), bounding how far a last partial vector of positions reaches. */
    private static final int MAX_LANES = 64;

    /** {@code out = dw} for {@code (x, dy)}: rows {@code r0..r1} are output channels, taken group by group. */
    static void weightGrad(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        String x = k.array(plan.base(n.input(0))), dy = k.array(plan.base(n.input(1)));
        int hp = g.h() + 2 * g.ph(), wp = g.w() + 2 * g.pw(), plane = hp * wp, q = g.oh() * wp;
        // past the last plane: the kernel's last column and the last vector's lanes beyond q
        int reach = g.cg() * plane + (g.kw() - 1) * g.dw() + MAX_LANES;
        k.runAsStep();
        k.scratch(ConvVector.tile((g.og() * g.k() + VectorKernels.COLS - 1) / VectorKernels.COLS));
        k.scratch(Scratch.flat("scratch$padded", "xp", Size.constant(reach),
                "Scratch for convolutions with a stride of 1: one image and group of the input, zero-padded."));
        k.scratch(Scratch.flat("scratch$lanes$dy", "dq", Size.constant((long) g.og() * (q + MAX_LANES)),
                "Scratch for convolutions' weight gradients: dy along the padded rows, zeros between."));
        for (int rows : ROWS == 1 ? new int[] {1} : new int[] {ROWS, 1}) {
            k.members.add(ConvBlocks.LANES + rows + "x" + Math.min(COLS, g.kw()));
            if (g.kw() > COLS && g.kw() % COLS != 0) k.members.add(ConvBlocks.LANES + rows + "x" + g.kw() % COLS);
        }
        k.splitRows(Size.constant(g.outChannels()), Size.of(n.input(0).shape().get(0)).times((long) g.k() * g.p()));
        CodeBlock zero = k.elem.lit(0);
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), images = $L, n = ($L + L - 1) / L, N = n * L",
                        WindowKernels.batch(k, n.input(0)), q)
                .beginControlFlow("for (int g = r0 / $L; g * $L < r1; g++)", g.og(), g.og())
                .addStatement("final int o0 = Math.max(r0, g * $L), on = Math.min(r1, (g + 1) * $L) - o0", g.og(), g.og())
                .addStatement("$T.fill(tl, 0, on * $L * L, $L)", java.util.Arrays.class, g.k(), zero)
                .add("// the padding of xp and the zeros of dq stay: only their interiors are written per image\n")
                .addStatement("$T.fill(xp, 0, $L, $L)", java.util.Arrays.class, reach, zero)
                .addStatement("$T.fill(dq, 0, on * N, $L)", java.util.Arrays.class, zero)
                .beginControlFlow("for (int img = 0; img < images; img++)")
                .addStatement("final int xo = (img * $L + g * $L) * $L, yo = (img * $L + o0) * $L",
                        g.channels(), g.cg(), g.hw(), g.outChannels(), g.p())
                .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                .beginControlFlow("for (int iy = 0; iy < $L; iy++)", g.h())
                .addStatement("System.arraycopy($L, xo + (ci * $L + iy) * $L, xp, ci * $L + (iy + $L) * $L + $L, $L)",
                        x, g.h(), g.w(), plane, g.ph(), wp, g.pw(), g.w())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (int o = 0; o < on; o++)")
                .beginControlFlow("for (int oy = 0; oy < $L; oy++)", g.oh())
                .addStatement("System.arraycopy($L, yo + o * $L + oy * $L, dq, o * N + oy * $L, $L)", dy, g.p(), g.ow(), wp, g.ow())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg())
                .beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kh())
                .addStatement("final int a = ci * $L + ky * $L, p = (ci * $L + ky) * $L", plane, g.dh() * wp, g.kh(), g.kw())
                .beginControlFlow("for (int kx = 0; kx < $L; kx += $L)", g.kw(), COLS)
                .addStatement("final int cols = Math.min($L, $L - kx), b = a + kx * $L", COLS, g.kw(), g.dw())
                .addStatement("int o = 0");
        for (int rows : ROWS == 1 ? new int[] {1} : new int[] {ROWS, 1}) {
            c.beginControlFlow("for (; o + $L <= on; o += $L)", rows, rows);
            String call = "wq$$" + rows + "x$L(tl, (o * $L + p + kx) * L, $L * L, dq, o * N, N, xp, b, $L, n)";
            if (g.kw() % COLS == 0 || g.kw() < COLS) {
                c.addStatement(call, Math.min(COLS, g.kw()), g.k(), g.k(), g.dw());
            } else {
                c.addStatement("if (cols == $L) " + call, COLS, COLS, g.k(), g.k(), g.dw())
                        .addStatement("else " + call, g.kw() % COLS, g.k(), g.k(), g.dw());
            }
            c.endControlFlow();
        }
        c.endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .add("// each sum's lanes in lane order\n")
                .beginControlFlow("for (int o = 0; o < on; o++)")
                .beginControlFlow("for (int p = 0; p < $L; p++)", g.k())
                .addStatement("final int s = (o * $L + p) * L", g.k())
                .addStatement("$T v = 0", k.elem.type())
                .addStatement("for (int l = 0; l < L; l++) v += tl[s + l]")
                .addStatement("out[(o0 + o) * $L + p] = v", g.k())
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }
}
