package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ir.Shape;
import dev.nnc.ops.Leaf;

/** Kernels that copy or generate elements: transposes, concatenations, slices, one-hot rows, ranges, dropout masks. */
final class CopyKernels {
    private CopyKernels() {}

    /** Swaps the last two dims: {@code out[b, j, i] = x[b, i, j]}. */
    static void transpose(Plan plan, Kernel k, Node n) {
        Node x = n.input(0);
        Shape s = x.shape();
        String X = k.array(plan.base(x));
        CodeBlock rows = k.size(Size.of(s.last(2)));
        CodeBlock cols = k.size(Size.of(s.last(1)));
        CodeBlock batches = k.size((new Shape(s.dims().subList(0, s.rank() - 2))).numel());
        k.body.beginControlFlow("for (int b = 0; b < $L; b++)", batches)
                .addStatement("int base = b * ($L) * ($L)", rows, cols)
                .beginControlFlow("for (int i = 0; i < $L; i++)", rows)
                .beginControlFlow("for (int j = 0; j < $L; j++)", cols)
                .addStatement("out[base + j * ($L) + i] = $L[base + i * ($L) + j]", rows, X, cols)
                .endControlFlow().endControlFlow().endControlFlow();
    }

    /** Block copies: each part's rows land side by side along the axis. */
    static void concat(Plan plan, Kernel k, Node n) {
        int axis = n.attr(Attr.Axis.class).axis();
        Shape s = n.shape();
        CodeBlock outer = k.size((new Shape(s.dims().subList(0, axis))).numel());
        Size inner = (new Shape(s.dims().subList(axis + 1, s.rank()))).numel();
        Size total = inner.times(Size.of(s.get(axis)));
        long offset = 0;
        k.body.beginControlFlow("for (int o = 0; o < $L; o++)", outer);
        for (Node part : n.inputs()) {
            int len = part.shape().get(axis).size();
            Size block = inner.times(Size.of(Dim.of(len)));
            k.body.addStatement("System.arraycopy($L, o * ($L), out, o * ($L) + $L * ($L), $L)",
                    k.array(plan.base(part)), k.size(block), k.size(total), offset, k.size(inner), k.size(block));
            offset += len;
        }
        k.body.endControlFlow();
    }

    /** Copies {@code [start, end)} along the axis. */
    static void slice(Plan plan, Kernel k, Node n) {
        Attr.Slice sl = n.attr(Attr.Slice.class);
        Node x = n.input(0);
        Shape s = x.shape();
        CodeBlock outer = k.size((new Shape(s.dims().subList(0, sl.axis()))).numel());
        Size inner = (new Shape(s.dims().subList(sl.axis() + 1, s.rank()))).numel();
        Size full = inner.times(Size.of(s.get(sl.axis())));
        Size block = inner.times(Size.of(Dim.of(sl.end() - sl.start())));
        k.body.beginControlFlow("for (int o = 0; o < $L; o++)", outer)
                .addStatement("System.arraycopy($L, o * ($L) + $L * ($L), out, o * ($L), $L)",
                        k.array(plan.base(x)), k.size(full), sl.start(), k.size(inner), k.size(block), k.size(block))
                .endControlFlow();
    }

    /** One row of zeros with a single one per label; labels out of range are rejected, naming their input. */
    static void oneHot(Plan plan, Kernel k, Node n) {
        int classes = n.attr(Attr.Count.class).n();
        Node labels = n.input(0);
        Node base = plan.base(labels);
        String L = k.array(base);
        String what = base.op() == Leaf.INPUT ? "input " + base.leafName() + ": class label " : "class label ";
        CodeBlock count = k.size(labels.shape().numel());
        k.body.addStatement("$T.fill(out, 0, ($L) * $L, $L)", java.util.Arrays.class, count, classes, k.elem.lit(0))
                .beginControlFlow("for (int i = 0; i < $L; i++)", count)
                .addStatement("int c = $L[i]", L)
                .beginControlFlow("if (c < 0 || c >= $L)", classes)
                .addStatement("throw new $T($S + c + $S + i + $S)", IllegalArgumentException.class, what, " at position ",
                        " is outside [0, " + classes + ")")
                .endControlFlow()
                .addStatement("out[i * $L + c] = $L", classes, k.elem.lit(1))
                .endControlFlow();
    }

    /** The numbers 0, 1, …, n − 1. */
    static void arange(Kernel k, Node n) {
        k.body.beginControlFlow("for (int i = 0; i < $L; i++)", k.size(n.shape().numel()))
                .addStatement("out[i] = i")
                .endControlFlow();
    }

    /**
     * An inverted-dropout mask for this training step, exactly as the interpreter draws it:
     * SplitMix64 seeded with {@code mix(seed, step, site)}, one uniform per element, kept iff
     * {@code u >= p}.
     */
    static void dropout(Kernel k, Node n) {
        Attr.Dropout d = n.attr(Attr.Dropout.class);
        k.random();
        CodeBlock count = k.size(n.shape().numel());
        long threshold = (long) Math.ceil(d.p() * 0x1p53); // u >= p  <=>  (bits >>> 11) >= ceil(p * 2^53), exactly
        k.body.addStatement("final long s0 = mix(mix(seed, step), $LL)", d.site())
                .addStatement("final $T keep = $L", k.elem.type(), k.elem.lit(1.0 / (1.0 - d.p())));
        if (k.vector) VectorDropout.dropout(k, count, threshold, from -> dropoutLoop(k, count, threshold, from));
        else dropoutLoop(k, count, threshold, "0");
    }

    /** The mask's elements from index {@code from} on, one SplitMix64 draw each. */
    static void dropoutLoop(Kernel k, CodeBlock count, long threshold, String from) {
        k.body.beginControlFlow("for (int i = $L; i < $L; i++)", from, count)
                .add("// SplitMix64 draw number i + 1 of the stream, without a loop-carried state\n")
                .addStatement("long z = s0 + (i + 1) * 0x9E3779B97F4A7C15L")
                .addStatement("z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L")
                .addStatement("z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL")
                .addStatement("z = z ^ (z >>> 31)")
                .add("// keep iff u = (z >>> 11) * 2^-53 >= p, branch-free\n")
                .addStatement("out[i] = keep * (1 - (((z >>> 11) - $LL) >>> 63))", threshold)
                .endControlFlow();
    }

}
