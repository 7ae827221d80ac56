package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ops.Windows;
import dev.nnc.ops.Windows.Plane;

/**
 * Max pooling and its gradient where the windows tile the input: stride equal to the kernel, no
 * padding or dilation, and the input exactly {@code oh·kh × ow·kw} (LeNet's 2 × 2 pools). Every
 * input element is then in exactly one window, so the gradient writes each element once (the
 * output gradient at the window's first maximum, 0 elsewhere) instead of clearing the whole
 * input gradient and adding into it, and neither needs bounds checks.
 *
 * <p>The input is a sequence of tile rows (groups of {@code kh} input rows, one output row each,
 * over every image and channel), {@code kh·w} elements apart; the output rows are {@code ow} apart.
 * Each window is searched in row-major order with the interpreter's comparison, so the first
 * maximum (or the first NaN) wins as in PyTorch. The vector backend takes 2 × 2 windows a vector
 * of columns at a time ({@link PoolVector}) and leaves the last tile rows to these loops.
 */
final class PoolTiles {
    private PoolTiles() {}

    /** Windows of at most this many elements are unrolled; larger ones take {@link WindowKernels}' loops. */
    static final int MAX_UNROLLED = 16;

    /** Whether the windows of max pool {@code g} tile its input. */
    static boolean applies(Plane g) {
        return g.sh() == g.kh() && g.sw() == g.kw() && g.ph() == 0 && g.pw() == 0 && g.dh() == 1 && g.dw() == 1
                && g.oh() * g.kh() == g.h() && g.ow() * g.kw() == g.w() && g.kh() * g.kw() <= MAX_UNROLLED;
    }

    /**
     * {@code MAX_POOL(keys, values)} ({@code gradient} false) or {@code MAX_UNPOOL(keys, v)} over
     * tiles: the vector loop where it applies, then these loops for the remaining tile rows.
     */
    static void emit(Plan plan, Kernel k, Node n, boolean gradient) {
        Plane g = Windows.plane(n);
        String keys = k.array(plan.base(n.input(0)));
        String v = k.array(plan.base(n.input(1)));
        CodeBlock.Builder c = k.body;
        c.addStatement("final int rows = $L * $L", WindowKernels.batch(k, n.input(0)), g.channels() * g.oh());
        c.addStatement("int r = 0");
        if (k.vector && PoolVector.applies(g)) PoolVector.emit(k, g, keys, v, gradient);
        c.beginControlFlow("for (; r < rows; r++)")
                .addStatement("final int i0 = r * $L, o0 = r * $L", g.kh() * g.w(), g.ow())
                .beginControlFlow("for (int ox = 0; ox < $L; ox++)", g.ow())
                .addStatement("final int i = i0 + ox * $L", g.kw())
                .addStatement("int best = 0")
                .addStatement("$T bv = $L[i]", k.elem.type(), keys)
                .addStatement("$T e", k.elem.type());
        for (int q = 1; q < g.kh() * g.kw(); q++) {
            int off = q / g.kw() * g.w() + q % g.kw();
            c.addStatement("e = $L[i + $L]", keys, off)
                    .beginControlFlow("if (!(e <= bv) && bv == bv)")
                    .addStatement("best = $L", off)
                    .addStatement("bv = e")
                    .endControlFlow();
        }
        if (gradient) {
            // 0 + g as the clear-and-add it replaces: a −0 gradient lands as +0
            c.addStatement("final $T gv = $L + $L[o0 + ox]", k.elem.type(), k.elem.lit(0), v);
            for (int q = 0; q < g.kh() * g.kw(); q++) {
                int off = q / g.kw() * g.w() + q % g.kw();
                c.addStatement("out[$L] = best == $L ? gv : $L", off == 0 ? "i" : "i + " + off, off, k.elem.lit(0));
            }
        } else if (keys.equals(v)) {
            c.addStatement("out[o0 + ox] = bv");
        } else {
            c.addStatement("out[o0 + ox] = $L[i + best]", v);
        }
        c.endControlFlow().endControlFlow();
    }
}
