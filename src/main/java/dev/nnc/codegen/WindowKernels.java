package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ops.Windows;
import dev.nnc.ops.Windows.Plane;

/**
 * Window kernels written as plain loops, the same on both backends: max pooling and its
 * gradient, and the direct form of the convolutions (every output a sum over its window), which
 * {@link ConvKernels} uses where a product would not pay: few outputs per window, or a
 * depthwise convolution such as an average pool.
 */
final class WindowKernels {
    private WindowKernels() {}

    /** The batch size of window op {@code n}'s NCHW operand {@code x}. */
    static CodeBlock batch(Kernel k, Node x) {
        return k.size(Size.of(x.shape().get(0)));
    }

    /**
     * Opens the loops over one window: {@code ky}, {@code kx} with {@code iy}, {@code ix} the
     * input position of output {@code (oy, ox)}, skipping the padding.
     */
    private static void openWindow(CodeBlock.Builder c, Plane g) {
        c.beginControlFlow("for (int ky = 0; ky < $L; ky++)", g.kh())
                .addStatement("final int iy = oy * $L - $L + ky * $L", g.sh(), g.ph(), g.dh())
                .addStatement("if (iy < 0 || iy >= $L) continue", g.h())
                .beginControlFlow("for (int kx = 0; kx < $L; kx++)", g.kw())
                .addStatement("final int ix = ox * $L - $L + kx * $L", g.sw(), g.pw(), g.dw())
                .addStatement("if (ix < 0 || ix >= $L) continue", g.w());
    }

    private static void closeWindow(CodeBlock.Builder c) {
        c.endControlFlow().endControlFlow();
    }

    /**
     * The direct convolution kernels: a loop over images, output channels and output positions,
     * and inside it the window: {@code forward} sums each output in a local; otherwise the
     * result is cleared and {@code term} (over the offsets {@code oi} of the output element,
     * {@code wi} of the weight element and {@code xi} of the input element) accumulates into it.
     */
    static void direct(Kernel k, Plane g, CodeBlock images, boolean forward, String term, Object... args) {
        CodeBlock.Builder c = k.body;
        if (!forward) c.addStatement("$T.fill(out, $L)", java.util.Arrays.class, k.elem.lit(0));
        c.beginControlFlow("for (int b = 0; b < $L; b++)", images)
                .beginControlFlow("for (int o = 0; o < $L; o++)", g.outChannels())
                .addStatement("final int c0 = o / $L * $L", g.og(), g.cg())
                .beginControlFlow("for (int oy = 0; oy < $L; oy++)", g.oh())
                .beginControlFlow("for (int ox = 0; ox < $L; ox++)", g.ow())
                .addStatement("final int oi = ((b * $L + o) * $L + oy) * $L + ox", g.outChannels(), g.oh(), g.ow());
        if (forward) c.addStatement("$T s = $L", k.elem.type(), k.elem.lit(0));
        c.beginControlFlow("for (int ci = 0; ci < $L; ci++)", g.cg());
        openWindow(c, g);
        c.addStatement("final int wi = ((o * $L + ci) * $L + ky) * $L + kx", g.cg(), g.kh(), g.kw())
                .addStatement("final int xi = ((b * $L + c0 + ci) * $L + iy) * $L + ix", g.channels(), g.h(), g.w())
                .addStatement(term, args);
        closeWindow(c);
        c.endControlFlow();
        if (forward) c.addStatement("out[oi] = s");
        c.endControlFlow().endControlFlow().endControlFlow().endControlFlow();
    }

    /**
     * Max pooling ({@code MAX_POOL(keys, values)}) or its gradient ({@code MAX_UNPOOL(keys, v)}):
     * for each window, the first maximum of {@code keys} in row-major order (the first NaN if
     * there is one, as the interpreter), then the value at it, or {@code v} added at it. Windows
     * that tile the input take {@link PoolTiles}.
     */
    static void maxPool(Plan plan, Kernel k, Node n, boolean gradient) {
        Plane g = Windows.plane(n);
        if (PoolTiles.applies(g)) {
            PoolTiles.emit(plan, k, n, gradient);
            return;
        }
        String keys = k.array(plan.base(n.input(0)));
        String v = k.array(plan.base(n.input(1)));
        CodeBlock.Builder c = k.body;
        if (gradient) c.addStatement("$T.fill(out, $L)", java.util.Arrays.class, k.elem.lit(0));
        c.beginControlFlow("for (int pl = 0; pl < $L * $L; pl++)", batch(k, n.input(0)), g.channels())
                .addStatement("final int in0 = pl * $L, out0 = pl * $L", g.hw(), g.p())
                .beginControlFlow("for (int oy = 0; oy < $L; oy++)", g.oh())
                .beginControlFlow("for (int ox = 0; ox < $L; ox++)", g.ow())
                .addStatement("int best = -1")
                .addStatement("$T bv = $L", k.elem.type(), k.elem.lit(0));
        openWindow(c, g);
        c.addStatement("final int i = in0 + iy * $L + ix", g.w())
                .addStatement("final $T e = $L[i]", k.elem.type(), keys)
                .beginControlFlow("if (best < 0 || e > bv || (e != e && bv == bv))")
                .addStatement("best = i")
                .addStatement("bv = e")
                .endControlFlow();
        closeWindow(c);
        if (gradient) c.addStatement("out[best] += $L[out0 + oy * $L + ox]", v, g.ow());
        else c.addStatement("out[out0 + oy * $L + ox] = $L[best]", g.ow(), v);
        c.endControlFlow().endControlFlow().endControlFlow();
    }
}
