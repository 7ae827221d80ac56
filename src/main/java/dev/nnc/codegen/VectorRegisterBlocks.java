package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import javax.lang.model.element.Modifier;

/**
 * The register blocks of the vector backend's products ({@link VectorKernels}): class methods
 * {@code mk$RxC}, added once per class for each shape a kernel asks for ({@link Kernel#members}).
 */
final class VectorRegisterBlocks {
    private VectorRegisterBlocks() {}

    /**
     * The register block {@code mk$RxC} ({@code name} is "RxC"): R rows × C vectors of the result
     * at {@code c[co + r * cs + v * L]} set to the sum over {@code p < n} of
     * {@code a[ao + r * as + p * ap] · b[bo + p * bs + v * L …]}. A method of its own, with its
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
        int rows = Integer.parseInt(name.substring(0, name.indexOf('x')));
        int cols = Integer.parseInt(name.substring(name.indexOf('x') + 1));
        ClassName V = VectorKernels.vectorType(e);
        MethodSpec.Builder m = MethodSpec.methodBuilder("mk$" + name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Register block of the products: $L row(s) × $L vector(s) of columns, "
                        + "{@code c[co + r·cs + v·L] = Σ_p a[ao + r·as + p·ap] · b[bo + p·bs + v·L]}.\n", rows, cols)
                .addParameter(e.array(), "c").addParameter(TypeName.INT, "co").addParameter(TypeName.INT, "cs")
                .addParameter(e.array(), "a").addParameter(TypeName.INT, "ao").addParameter(TypeName.INT, "as")
                .addParameter(TypeName.INT, "ap")
                .addParameter(e.array(), "b").addParameter(TypeName.INT, "bo").addParameter(TypeName.INT, "bs")
                .addParameter(TypeName.INT, "n");
        CodeBlock.Builder c = CodeBlock.builder();
        c.addStatement("final int L = SPECIES.length()");
        c.addStatement("final $T z = $L", V, VectorExact.zero(e));
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < cols; v++) c.addStatement("$T c$L$L = z", V, r, v);
        }
        c.beginControlFlow("for (int p = 0; p < n; p++)");
        c.addStatement("final int bb = bo + p * bs");
        c.addStatement("final int aa = ao + p * ap");
        for (int v = 0; v < cols; v++) c.addStatement("$T vb$L = $T.fromArray(SPECIES, b, bb + $L * L)", V, v, V, v);
        for (int r = 0; r < rows; r++) {
            c.addStatement("$T ua$L = $L", V, r, VectorExact.broadcast(CodeBlock.of("a[aa + $L * as]", r)));
            for (int v = 0; v < cols; v++) c.addStatement("c$L$L = ua$L.fma(vb$L, c$L$L)", r, v, r, v, r, v);
        }
        c.endControlFlow();
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < cols; v++) c.addStatement("c$L$L.intoArray(c, co + $L * cs + $L * L)", r, v, r, v);
        }
        return m.addCode(c.build()).build();
    }
}
