package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ops.Leaf;

/**
 * Kernels indexed by an int tensor of ids: the gather of {@code embedding} (rows of a table,
 * block copies) and its gradient, the scatter-add into the table. Both reject an id outside
 * {@code [0, V)} with an {@link IllegalArgumentException} naming the input the ids came from, in
 * the interpreter's words.
 */
final class IndexKernels {
    private IndexKernels() {}

    /** {@code out[i, :] = table[ids[i], :]}. */
    static void gather(Plan plan, Kernel k, Node n) {
        Node table = n.input(0), ids = n.input(1);
        String T = k.array(plan.base(table));
        String I = k.array(plan.base(ids));
        k.body.addStatement("final int D = $L, V = $L", k.size(Size.of(table.shape().last(1))), k.size(Size.of(table.shape().get(0))))
                .beginControlFlow("for (int i = 0; i < $L; i++)", k.size(ids.shape().numel()));
        readId(k, I, plan.base(ids));
        k.body.addStatement("System.arraycopy($L, id * D, out, i * D, D)", T)
                .endControlFlow();
    }

    /** {@code out = 0; out[ids[i], :] += values[i, :]} for i in order, so repeated ids accumulate. */
    static void scatterAdd(Plan plan, Kernel k, Node n) {
        Node values = n.input(0), ids = n.input(1);
        String X = k.array(plan.base(values));
        String I = k.array(plan.base(ids));
        k.body.addStatement("final int D = $L, V = $L", k.size(Size.of(n.shape().get(1))), k.size(Size.of(n.shape().get(0))))
                .addStatement("$T.fill(out, 0, V * D, $L)", java.util.Arrays.class, k.elem.lit(0))
                .beginControlFlow("for (int i = 0; i < $L; i++)", k.size(ids.shape().numel()));
        readId(k, I, plan.base(ids));
        k.body.addStatement("final int o = id * D, s = i * D")
                .addStatement("int j = 0");
        if (k.vector) {
            // loads are only arguments (VectorExact): -0 + out + values, the same lanes as out + values
            k.runAsStep();
            ClassName V = VectorKernels.vectorType(k.elem);
            k.body.beginControlFlow("for (; j + SPECIES.length() <= D; j += SPECIES.length())")
                    .addStatement("$L.add($T.fromArray(SPECIES, $L, s + j)).intoArray(out, o + j)",
                            VectorExact.exact(k.elem, CodeBlock.of("$T.fromArray(SPECIES, out, o + j)", V)), V, X)
                    .endControlFlow();
        }
        k.body.addStatement("for (; j < D; j++) out[o + j] += $L[s + j]", X)
                .endControlFlow();
    }

    /** Declares {@code id}, the i-th id, after checking it against {@code V}. */
    private static void readId(Kernel k, String ids, Node base) {
        String what = (base.op() == Leaf.INPUT ? "input " + base.leafName() : "ids") + ": id ";
        k.body.addStatement("final int id = $L[i]", ids)
                .beginControlFlow("if (id < 0 || id >= V)")
                .addStatement("throw new $T($S + id + $S + i + $S + V + $S)", IllegalArgumentException.class, what, " at position ",
                        " is outside [0, ", ")")
                .endControlFlow();
    }
}
