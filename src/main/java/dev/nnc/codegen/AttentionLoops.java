package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;

/**
 * The inner loops of the attention kernels ({@link AttentionKernels}) on the kernel's backend:
 * a dot product, {@code out += c · x} and {@code out *= c} along a row. Scalar code computes in
 * double on both precisions (the interpreter computes the op in double and rounds its result
 * once; in float, {@code D = rowsum(dO ∘ O)} nearly cancels {@code dO·v} and would amplify the
 * rounding of float sums past the f32 agreement tolerance). On the vector backend
 * each runs along whole vectors, then the remaining elements one by one; a dot product adds its
 * lanes in lane order ({@link VectorExact#sumLanes}) and every vector that receives a call is
 * exact ({@link VectorExact}), so the kernel runs as a step of its own ({@link Kernel#runAsStep}).
 */
final class AttentionLoops {
    private final Kernel k;
    private final ClassName vector;

    AttentionLoops(Kernel k) {
        this.k = k;
        this.vector = VectorKernels.vectorType(k.elem);
        if (k.vector) k.runAsStep();
    }

    private CodeBlock load(String array, String offset) {
        return CodeBlock.of("$T.fromArray(SPECIES, $L, $L + t)", vector, array, offset);
    }

    /** Declares {@code name = Σ_t a[ao + t] · b[bo + t]} for {@code t < len}. */
    void dot(CodeBlock.Builder c, String name, String a, String ao, String b, String bo, String len) {
        if (!k.vector) {
            c.addStatement("double $L = 0", name)
                    .addStatement("for (int t = 0; t < $L; t++) $L += (double) $L[$L + t] * $L[$L + t]", len, name, a, ao, b, bo);
            return;
        }
        c.addStatement("double $L", name)
                .add("{\n$>")
                .addStatement("$T acc = $L", vector, VectorExact.zero(k.elem))
                .addStatement("int t = 0")
                .addStatement("for (; t + SPECIES.length() <= $L; t += SPECIES.length()) acc = $L.mul($L).add(acc)", len,
                        VectorExact.exact(k.elem, load(a, ao)), load(b, bo));
        VectorExact.sumLanes(k, c, "lanes", VectorExact.exact(k.elem, CodeBlock.of("acc")));
        c.addStatement("for (; t < $L; t++) lanes += $L[$L + t] * $L[$L + t]", len, a, ao, b, bo)
                .addStatement("$L = lanes", name)
                .add("$<}\n");
    }

    /**
     * {@code out[o] = (elem) (out[o] + value)}: a compound assignment spelled out, as in f32 code
     * {@code value} is a double (javac's lossy-conversions lint, an error with -Werror, rejects
     * {@code +=} and {@code *=} that narrow implicitly).
     */
    private CodeBlock update(String o, String op, CodeBlock value) {
        return k.elem.f32() ? CodeBlock.of("out[$L] = (float) (out[$L] $L $L)", o, o, op, value)
                : CodeBlock.of("out[$L] $L= $L", o, op, value);
    }

    /** {@code out[oo + t] += coef · x[xo + t]} for {@code t < len}. */
    void addScaled(CodeBlock.Builder c, String oo, String coef, String x, String xo, String len) {
        CodeBlock tail = update(oo + " + t", "+", CodeBlock.of("$L * $L[$L + t]", coef, x, xo));
        if (!k.vector) {
            c.addStatement("for (int t = 0; t < $L; t++) $L", len, tail);
            return;
        }
        c.add("{\n$>")
                .addStatement("int t = 0")
                .addStatement("for (; t + SPECIES.length() <= $L; t += SPECIES.length()) $L.mul($L).add($L).intoArray(out, $L + t)", len,
                        VectorExact.broadcast(CodeBlock.of("($T) $L", k.elem.type(), coef)), load(x, xo), load("out", oo), oo)
                .addStatement("for (; t < $L; t++) $L", len, tail)
                .add("$<}\n");
    }

    /** {@code out[oo + t] *= coef} for {@code t < len}. */
    void scale(CodeBlock.Builder c, String oo, String coef, String len) {
        CodeBlock tail = update(oo + " + t", "*", CodeBlock.of("$L", coef));
        if (!k.vector) {
            c.addStatement("for (int t = 0; t < $L; t++) $L", len, tail);
            return;
        }
        c.add("{\n$>")
                .addStatement("int t = 0")
                .addStatement("for (; t + SPECIES.length() <= $L; t += SPECIES.length()) $L.mul($L).intoArray(out, $L + t)", len,
                        VectorExact.broadcast(CodeBlock.of("($T) $L", k.elem.type(), coef)), load("out", oo), oo)
                .addStatement("for (; t < $L; t++) $L", len, tail)
                .add("$<}\n");
    }
}
