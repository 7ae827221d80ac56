package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Size;
import java.util.function.Function;

/**
 * The fused kernels of layer normalization over the last axis, forward
 * ({@link dev.nnc.ops.Structured#LAYER_NORM}) and backward ({@code LAYER_NORM_GRAD}): one pass
 * over the rows, each row's mean and biased variance computed from the row while it is in cache
 * (two sums, the variance from the centred values), then its result. The backward pass
 * recomputes the statistics instead of storing them. The interpreter's arithmetic in the same
 * order; on the vector backend each sum runs along vectors, then reduces the lanes.
 */
final class NormKernels {
    private NormKernels() {}

    /** {@code out = (x − mean) · rstd} per row, {@code rstd = 1/√(var + eps)}. */
    static void layerNorm(Plan plan, Kernel k, Node n) {
        String X = k.array(plan.base(n.input(0)));
        Row r = open(k, n);
        statistics(k, r, X, eps(n));
        r.each(CodeBlock.of("out[o + j] = ($L[o + j] - mean) * rstd", X),
                CodeBlock.of("$T.fromArray(SPECIES, $L, o + j).sub(vmean).mul(vrstd).intoArray(out, o + j)", r.vector, X));
        k.body.endControlFlow();
    }

    /** {@code out = rstd · (g − mean(g) − h · mean(g·h))} per row, {@code h = (x − mean) · rstd}. */
    static void layerNormGrad(Plan plan, Kernel k, Node n) {
        String X = k.array(plan.base(n.input(0)));
        String G = k.array(plan.base(n.input(1)));
        Row r = open(k, n);
        statistics(k, r, X, eps(n));
        ClassName V = r.vector;
        r.sum("sg", j -> CodeBlock.of("$L[o + $L]", G, j), CodeBlock.of("$T.fromArray(SPECIES, $L, o + j)", V, G));
        r.sum("sgh", j -> CodeBlock.of("$L[o + $L] * (($L[o + $L] - mean) * rstd)", G, j, X, j),
                CodeBlock.of("$T.fromArray(SPECIES, $L, o + j).mul($T.fromArray(SPECIES, $L, o + j).sub(vmean).mul(vrstd))", V, G, V, X));
        k.body.addStatement("final $T mg = sg / D, mgh = sgh / D", k.elem.type());
        if (k.vector) k.body.addStatement("final $T vmg = $T.broadcast(SPECIES, mg), vmgh = $T.broadcast(SPECIES, mgh)", V, V, V);
        r.each(CodeBlock.of("out[o + j] = rstd * ($L[o + j] - mg - ($L[o + j] - mean) * rstd * mgh)", G, X),
                CodeBlock.of("vrstd.mul($T.fromArray(SPECIES, $L, o + j).sub(vmg).sub($T.fromArray(SPECIES, $L, o + j).sub(vmean).mul(vrstd).mul(vmgh)))"
                        + ".intoArray(out, o + j)", V, G, V, X));
        k.body.endControlFlow();
    }

    private static double eps(Node n) {
        return n.attr(Attr.Const.class).value();
    }

    /** Opens the loop over rows {@code r0} to {@code r1} (which may split over threads), declaring {@code D} and the row's offset {@code o}. */
    private static Row open(Kernel k, Node n) {
        Shape s = n.shape();
        Size d = Size.of(s.last(1));
        k.splitRows(new Shape(s.dims().subList(0, s.rank() - 1)).numel(), d);
        k.body.addStatement("final int D = $L", k.size(d))
                .beginControlFlow("for (int r = r0; r < r1; r++)")
                .addStatement("final int o = r * D");
        return new Row(k, VectorKernels.vectorType(k.elem));
    }

    /** Declares {@code mean} and {@code rstd} of row {@code o} of {@code X} (and their vectors {@code vmean}, {@code vrstd}). */
    private static void statistics(Kernel k, Row r, String X, double eps) {
        ClassName V = r.vector;
        r.sum("s", j -> CodeBlock.of("$L[o + $L]", X, j), CodeBlock.of("$T.fromArray(SPECIES, $L, o + j)", V, X));
        k.body.addStatement("final $T mean = s / D", k.elem.type());
        if (k.vector) k.body.addStatement("final $T vmean = $T.broadcast(SPECIES, mean)", V, V);
        r.sum("q", j -> CodeBlock.of("($L[o + $L] - mean) * ($L[o + $L] - mean)", X, j, X, j),
                CodeBlock.of("$T.fromArray(SPECIES, $L, o + j).sub(vmean).mul($T.fromArray(SPECIES, $L, o + j).sub(vmean))", V, X, V, X));
        k.body.addStatement("final $T rstd = 1 / $L", k.elem.type(), k.elem.call("Math.sqrt", CodeBlock.of("q / D + $L", k.elem.lit(eps))));
        if (k.vector) k.body.addStatement("final $T vrstd = $T.broadcast(SPECIES, rstd)", V, V);
    }

    /** Loops over the elements of one row, on the kernel's backend. */
    private record Row(Kernel k, ClassName vector) {
        /** Declares {@code name}, the sum over the row of the scalar term at index {@code j} (vector: its vector form at {@code j}). */
        void sum(String name, Function<String, CodeBlock> scalar, CodeBlock lanes) {
            CodeBlock.Builder c = k.body;
            if (!k.vector) {
                c.addStatement("$T $L = 0", k.elem.type(), name)
                        .addStatement("for (int j = 0; j < D; j++) $L += $L", name, scalar.apply("j"));
                return;
            }
            ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
            c.addStatement("$T $L", k.elem.type(), name)
                    .add("{\n$>")
                    .addStatement("$T acc = $T.zero(SPECIES)", vector, vector)
                    .addStatement("int j = 0")
                    .addStatement("for (; j + SPECIES.length() <= D; j += SPECIES.length()) acc = acc.add($L)", lanes)
                    .addStatement("$L = acc.reduceLanes($T.ADD)", name, ops)
                    .addStatement("for (; j < D; j++) $L += $L", name, scalar.apply("j"))
                    .add("$<}\n");
        }

        /** The statement {@code scalar} (index {@code j}) for each element of the row (vector: {@code lanes} for whole vectors first). */
        void each(CodeBlock scalar, CodeBlock lanes) {
            CodeBlock.Builder c = k.body;
            if (!k.vector) {
                c.addStatement("for (int j = 0; j < D; j++) $L", scalar);
                return;
            }
            c.add("{\n$>")
                    .addStatement("int j = 0")
                    .addStatement("for (; j + SPECIES.length() <= D; j += SPECIES.length()) $L", lanes)
                    .addStatement("for (; j < D; j++) $L", scalar)
                    .add("$<}\n");
        }
    }
}
