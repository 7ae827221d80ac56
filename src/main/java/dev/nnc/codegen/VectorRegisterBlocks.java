package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import javax.lang.model.element.Modifier;

/**
 * The register blocks of the vector backend's products ({@link VectorKernels}): class methods
 * {@code mk$RxC}, added once per class for each shape a kernel asks for ({@link Kernel#members}),
 * with their strides as arguments; and for large products whose strides the generator knows,
 * {@code mk$RxC$cs$as$ap} with them as literals ({@link #fixedKey}, {@code VectorPanels.fixedStrides}).
 */
final class VectorRegisterBlocks {
    private VectorRegisterBlocks() {}

    /**
     * The register block {@code mk$RxC} ({@code name} is "RxC"): R rows × C vectors of the result
     * at {@code c[co + r * cs + v * L]} set to the sum over {@code p < n} of
     * {@code a[ao + r * as + p * ap] · b[bo + p * bs + v * L …]}; or, for a {@link #fixedKey}, the
     * same with {@code cs}, {@code as} and {@code ap} the key's literals and {@code bs = C·L} (a
     * packed panel), which are then not arguments. A method of its own, with its
     * vectors all local, so C2 compiles it on its own profile and never boxes them (the same loop
     * inlined into a large kernel sometimes compiled to boxed vectors, 25× slower).
     *
     * <p>Its shape keeps C2's parse of it below the node count (18,000) past which C2 delays the
     * inlining of the Vector API's methods, whose results then no longer have exact classes
     * ({@link VectorExact}): the sums start at zero in registers (no load of the old result, so no
     * second pass over the shared dimension either) and the loop is a plain {@code for}, which C2
     * parses once (it parses the body of a {@code do}-{@code while} twice, the first pass for the
     * first iteration).
     */
    static MethodSpec microKernel(Elem e, String name) {
        String[] f = name.split(":");
        int rows = Integer.parseInt(f[0].substring(0, f[0].indexOf('x')));
        int cols = Integer.parseInt(f[0].substring(f[0].indexOf('x') + 1));
        boolean fixed = f.length == 4;
        // the strides: parameters, or (fixed) the literals of the key and a panel of cols vectors
        String cs = fixed ? f[1] : "cs", as = fixed ? f[2] : "as", ap = fixed ? f[3] : "ap", bs = fixed ? cols + " * L" : "bs";
        ClassName V = VectorKernels.vectorType(e);
        MethodSpec.Builder m = MethodSpec.methodBuilder(methodName(name))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        if (fixed) {
            m.addJavadoc("Register block of the products: $L row(s) × $L vector(s) of columns, "
                    + "{@code c[co + r·$L + v·L] = Σ_p a[ao + r·$L + p·$L] · b[bo + p·$L·L + v·L]}: strides known when generated.\n",
                    rows, cols, cs, as, ap, cols);
        } else {
            m.addJavadoc("Register block of the products: $L row(s) × $L vector(s) of columns, "
                    + "{@code c[co + r·cs + v·L] = Σ_p a[ao + r·as + p·ap] · b[bo + p·bs + v·L]}.\n", rows, cols);
        }
        if (fixed) {
            arrayParams(m, e, "c", "co");
            arrayParams(m, e, "a", "ao");
            arrayParams(m, e, "b", "bo", "n");
        } else {
            arrayParams(m, e, "c", "co", "cs");
            arrayParams(m, e, "a", "ao", "as", "ap");
            arrayParams(m, e, "b", "bo", "bs", "n");
        }
        CodeBlock.Builder c = CodeBlock.builder();
        c.addStatement("final int L = SPECIES.length()");
        c.addStatement("final $T z = $L", V, VectorExact.zero(e));
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < cols; v++) c.addStatement("$T c$L$L = z", V, r, v);
        }
        c.beginControlFlow("for (int p = 0; p < n; p++)");
        c.addStatement("final int bb = bo + p * $L", times(bs));
        c.addStatement("final int aa = ao + p * $L", times(ap));
        for (int v = 0; v < cols; v++) c.addStatement("$T vb$L = $T.fromArray(SPECIES, b, bb + $L * L)", V, v, V, v);
        for (int r = 0; r < rows; r++) {
            c.addStatement("$T ua$L = $L", V, r, VectorExact.broadcast(CodeBlock.of("a[aa + $L * $L]", r, times(as))));
            for (int v = 0; v < cols; v++) c.addStatement("c$L$L = ua$L.fma(vb$L, c$L$L)", r, v, r, v, r, v);
        }
        c.endControlFlow();
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < cols; v++) c.addStatement("c$L$L.intoArray(c, co + $L * $L + $L * L)", r, v, r, times(cs), v);
        }
        return m.addCode(c.build()).build();
    }

    /**
     * Adds to {@code m} an array parameter of {@code e}'s element type and the int parameters
     * after it (its offset, strides, sizes): the register blocks' parameter lists ({@code ConvBlocks} too).
     */
    static MethodSpec.Builder arrayParams(MethodSpec.Builder m, Elem e, String array, String... ints) {
        m.addParameter(e.array(), array);
        for (String i : ints) m.addParameter(TypeName.INT, i);
        return m;
    }

    /** A stride as a factor: a product in parentheses. */
    private static String times(String stride) {
        return stride.contains(" ") ? "(" + stride + ")" : stride;
    }

    /**
     * The key of a register block whose strides are known when the code is generated: {@code rows}
     * × {@code cols} vectors, the result's row stride {@code cs}, A's row and step strides
     * {@code as}, {@code ap}, and B a packed panel of {@code cols} vectors per row.
     */
    static String fixedKey(int rows, int cols, long cs, long as, long ap) {
        return rows + "x" + cols + ":" + cs + ":" + as + ":" + ap;
    }

    /** The method name of register block {@code key} ("RxC", or {@link #fixedKey}). */
    static String methodName(String key) {
        return "mk$" + key.replace(':', '$');
    }
}
