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
 * order; on the vector backend each sum runs along vectors, then adds the lanes in lane order
 * ({@link VectorExact#sumLanes}), and every vector that receives a call is exact
 * ({@link VectorExact}: {@code x - m} is written {@code (-m) + x}, the same bits).
 */
final class NormKernels {
    private NormKernels() {}

    /** {@code out = (x − mean) · rstd} per row, {@code rstd = 1/√(var + eps)}. */
    static void layerNorm(Plan plan, Kernel k, Node n) {
        String X = k.array(plan.base(n.input(0)));
        Row r = open(k, n);
        statistics(k, r, X, eps(n));
        r.each(CodeBlock.of("out[o + j] = ($L[o + j] - mean) * rstd", X),
                CodeBlock.of("$L.intoArray(out, o + j)", normalized(r, X)));
        k.body.endControlFlow();
    }

    /** {@code out = rstd · (g − mean(g) − h · mean(g·h))} per row, {@code h = (x − mean) · rstd}. */
    static void layerNormGrad(Plan plan, Kernel k, Node n) {
        String X = k.array(plan.base(n.input(0)));
        String G = k.array(plan.base(n.input(1)));
        Row r = open(k, n);
        statistics(k, r, X, eps(n));
        r.sum("sg", j -> CodeBlock.of("$L[o + $L]", G, j), VectorExact.exact(k.elem, r.load(G)));
        r.sum("sgh", j -> CodeBlock.of("$L[o + $L] * (($L[o + $L] - mean) * rstd)", G, j, X, j),
                CodeBlock.of("$L.mul($L)", normalized(r, X), r.load(G)));
        k.body.addStatement("final $T mg = sg / D, mgh = sgh / D", k.elem.type());
        CodeBlock centredG = CodeBlock.of("$L.add($L)", VectorExact.broadcast(CodeBlock.of("-mg")), r.load(G));
        r.each(CodeBlock.of("out[o + j] = rstd * ($L[o + j] - mg - ($L[o + j] - mean) * rstd * mgh)", G, X),
                CodeBlock.of("$L.mul($L.sub($L.mul($L))).intoArray(out, o + j)", VectorExact.broadcast(CodeBlock.of("rstd")), centredG,
                        normalized(r, X), VectorExact.broadcast(CodeBlock.of("mgh"))));
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
        if (k.vector) k.runAsStep();
        k.body.addStatement("final int D = $L", k.size(d))
                .beginControlFlow("for (int r = r0; r < r1; r++)")
                .addStatement("final int o = r * D");
        return new Row(k, VectorKernels.vectorType(k.elem));
    }

    /** Declares {@code mean} and {@code rstd} of row {@code o} of {@code X}. */
    private static void statistics(Kernel k, Row r, String X, double eps) {
        r.sum("s", j -> CodeBlock.of("$L[o + $L]", X, j), VectorExact.exact(k.elem, r.load(X)));
        k.body.addStatement("final $T mean = s / D", k.elem.type());
        r.sum("q", j -> CodeBlock.of("($L[o + $L] - mean) * ($L[o + $L] - mean)", X, j, X, j),
                CodeBlock.of("$L.mul($L)", centred(r, X), centred(r, X)));
        k.body.addStatement("final $T rstd = 1 / $L", k.elem.type(), k.elem.call("Math.sqrt", CodeBlock.of("q / D + $L", k.elem.lit(eps))));
    }

    /** The vector {@code x − mean} at {@code j}, written {@code (−mean) + x} (an exact receiver, the same lanes). */
    private static CodeBlock centred(Row r, String X) {
        return CodeBlock.of("$L.add($L)", VectorExact.broadcast(CodeBlock.of("-mean")), r.load(X));
    }

    /** The vector {@code (x − mean) · rstd} at {@code j}. */
    private static CodeBlock normalized(Row r, String X) {
        return CodeBlock.of("$L.mul($L)", centred(r, X), VectorExact.broadcast(CodeBlock.of("rstd")));
    }

    /** Loops over the elements of one row, on the kernel's backend. */
    private record Row(Kernel k, ClassName vector) {
        /** The vector of {@code array} at row element {@code j} (only ever an argument). */
        CodeBlock load(String array) {
            return CodeBlock.of("$T.fromArray(SPECIES, $L, o + j)", vector, array);
        }

        /**
         * Declares {@code name}, the sum over the row of the scalar term at index {@code j} (vector:
         * {@code lanes}, an exact vector at {@code j}, summed along vectors, then in lane order).
         */
        void sum(String name, Function<String, CodeBlock> scalar, CodeBlock lanes) {
            CodeBlock.Builder c = k.body;
            if (!k.vector) {
                c.addStatement("$T $L = 0", k.elem.type(), name)
                        .addStatement("for (int j = 0; j < D; j++) $L += $L", name, scalar.apply("j"));
                return;
            }
            c.addStatement("$T $L", k.elem.type(), name)
                    .add("{\n$>")
                    .addStatement("$T acc = $L", vector, VectorExact.zero(k.elem))
                    .addStatement("int j = 0")
                    .addStatement("for (; j + SPECIES.length() <= D; j += SPECIES.length()) acc = $L.add(acc)", lanes);
            VectorExact.sumLanes(k, c, "t", VectorExact.exact(k.elem, CodeBlock.of("acc")));
            c.addStatement("for (; j < D; j++) t += $L", scalar.apply("j"))
                    .addStatement("$L = t", name)
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
