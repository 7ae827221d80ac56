package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import javax.lang.model.element.Modifier;

/**
 * The register blocks of the stride-1 convolutions' forwards and weight gradients, methods of {@code Simd$}
 * (class members {@code conv:…}, {@link ConvMembers}). Each keeps its block of sums in vectors
 * across one call: the first term takes the old sums from the tile {@code c} as its addend (so
 * every sum is the result of an operation on an exact vector, {@link VectorExact}, without an
 * extra {@code -0 + c} per sum) and the last are written back. At most 5 sums and few
 * {@code add}s per block: a block of 3 × 5 (about 75 Vector API calls) stayed at C1 tier 2 in
 * VectorJitTest's polluted W4 JVM and allocated 7 MB per call; blocks of 2 × 5 and 5 × 2 with an
 * {@code add} per sum reached C2 there but still allocated (17 KB per call), as C2 sums the
 * class-check traps of every inlined {@code add}.
 * <ul>
 *   <li>{@code wk$RxS} ({@link ConvPadded#weightGrad}, output channels along the lanes): R kernel
 *       columns × S input channels, {@code c[co + r·cs + s·cs2 …] += Σ_y Σ_x a[ao + r·as + s·as2 +
 *       y·ar + x] · b[bo + (y·len + x)·L …]}: the rows of {@code a} are kernel elements read in
 *       place from the (padded) input, one run of {@code len} per output row, and {@code b} holds
 *       one vector per output position. R·S sums cover the FMA latency that a block of 4 (and a
 *       last kernel column alone) did not, for one load of b.</li>
 *   <li>{@code ws$R} ({@link ConvPadded#weightGrad} without dilation along the rows and with an
 *       even number of output positions per row, {@link ConvPadded#slides}): {@code wk$Rx1}'s sums
 *       two output positions a step, {@code c[co + r·cs …] += Σ_y Σ_x a[ao + r + y·ar + x] · b[bo +
 *       (y·len + x)·L …]}. Position x + 1's kernel column r is position x's column r + 1, so a step
 *       takes R + 1 broadcasts and 2 loads of b for 2·R multiply-adds where {@code wk$Rx1} took R
 *       and 1 for R (fewer instructions per multiply-add, with the same 5 sums);
 *       the terms are added in the same order. In LeNet's second convolution this made
 *       W4's training step 6.5% faster on JDK 17 (BuildsAB A/B, loaded machine).</li>
 *   <li>{@code mw$RxC} ({@link ConvPadded#forward}): R output channels × C vectors of padded
 *       positions, {@code c[co + r·cs + v·L] = Σ_(ci, ky, kx) a[ao + r·as + (ci·kh + ky)·kw + kx] ·
 *       b[bo + ci·bc + ky·by + kx·bx + v·L]}, the products' {@code mk$RxC} over a panel whose rows are
 *       read in place from the padded input: the sums start at zero in registers (no old sums, as
 *       {@code mk$RxC}) and b's offset moves by {@code bx} a kernel element, at the end of each
 *       kernel row and input channel by the rest of {@code by} and {@code bc}.</li>
 *   <li>{@code wq$RxC} ({@link ConvLanes#weightGrad}, output positions along the lanes): R output
 *       channels × C kernel columns, {@code c[co + r·cr + s·L …] += Σ_t a[ao + r·as + t·L …] ·
 *       b[bo + s·bs + t·L …]} over {@code t < n}, lane by lane.</li>
 * </ul>
 */
final class ConvBlocks {
    private ConvBlocks() {}

    /** The member key prefix of the blocks {@code wq$RxC}. */
    static final String LANES = "conv:lanes";
    /** The member key prefix of the blocks {@code wk$RxS}. */
    static final String WINDOW = "conv:window";

    /** The member key prefix of the blocks {@code ws$R}. */
    static final String SLIDE = "conv:slide";

    /** The member key prefix of the blocks {@code mw$RxC}. */
    static final String PRODUCT = "conv:product";

    /** Whether {@code key} names one of these blocks. */
    static boolean owns(String key) {
        return key.startsWith(LANES) || key.startsWith(WINDOW) || key.startsWith(SLIDE) || key.startsWith(PRODUCT);
    }

    /** The block of member {@code key}. */
    static MethodSpec of(Elem e, String key) {
        if (key.startsWith(SLIDE)) return slide(e, Integer.parseInt(key.substring(SLIDE.length())));
        if (key.startsWith(PRODUCT)) {
            String[] rc = key.substring(PRODUCT.length()).split("x");
            return product(e, Integer.parseInt(rc[0]), Integer.parseInt(rc[1]));
        }
        boolean lanes = key.startsWith(LANES);
        String[] rc = key.substring(lanes ? LANES.length() : WINDOW.length()).split("x");
        int rows = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
        return lanes ? lanes(e, rows, cols) : window(e, rows, cols);
    }

    private static void storeSums(CodeBlock.Builder c, int rows, int cols, String at) {
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < cols; s++) c.addStatement("c$L$L.intoArray(c, " + at + ")", r, s, r, s);
        }
    }

    private static CodeBlock.Builder start() {
        return CodeBlock.builder().addStatement("final int L = SPECIES.length()");
    }

    /** {@code wq$RxC}. */
    static MethodSpec lanes(Elem e, int rows, int cols) {
        ClassName v = VectorKernels.vectorType(e);
        MethodSpec.Builder m = MethodSpec.methodBuilder("wq$" + rows + "x" + cols)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Register block of the weight gradients with positions along the lanes: $L row(s) × $L column(s),\n"
                        + "{@code c[co + r·cr + s·L …] += Σ_t a[ao + r·as + t·L …] · b[bo + s·bs + t·L …]} over {@code t < n}, lane by lane.\n",
                        rows, cols);
        VectorRegisterBlocks.arrayParams(m, e, "c", "co", "cr");
        VectorRegisterBlocks.arrayParams(m, e, "a", "ao", "as");
        VectorRegisterBlocks.arrayParams(m, e, "b", "bo", "bs", "n");
        String at = "co + $L * cr + $L * L";
        CodeBlock.Builder c = start();
        c.add("// the first term with the old sums as its addend (t = 0), so that every sum is an exact vector\n");
        lanesTerm(c, e, v, rows, cols, true);
        c.beginControlFlow("for (int t = 1, q = L; t < n; t++, q += L)");
        lanesTerm(c, e, v, rows, cols, false);
        c.endControlFlow();
        storeSums(c, rows, cols, at);
        return m.addCode(c.build()).build();
    }

    private static void lanesTerm(CodeBlock.Builder c, Elem e, ClassName v, int rows, int cols, boolean first) {
        // the first term's vectors are named apart from the loop's (Java forbids shadowing a local)
        String q = first ? "0" : "q", x = first ? "y" : "x", d = first ? "e" : "d";
        for (int s = 0; s < cols; s++) c.addStatement("final $T $L$L = $T.fromArray(SPECIES, b, bo + $L * bs + $L)", v, x, s, v, s, q);
        for (int r = 0; r < rows; r++) {
            c.addStatement("final $T $L$L = $L", v, d, r, VectorExact.exact(e, CodeBlock.of("$T.fromArray(SPECIES, a, ao + $L * as + $L)", v, r, q)));
            for (int s = 0; s < cols; s++) {
                if (first) c.addStatement("$T c$L$L = $L$L.fma($L$L, $T.fromArray(SPECIES, c, co + $L * cr + $L * L))", v, r, s, d, r, x, s, v, r, s);
                else c.addStatement("c$L$L = $L$L.fma($L$L, c$L$L)", r, s, d, r, x, s, r, s);
            }
        }
    }

    /** {@code wk$RxS}. */
    static MethodSpec window(Elem e, int rows, int cols) {
        ClassName v = VectorKernels.vectorType(e);
        MethodSpec.Builder m = MethodSpec.methodBuilder("wk$" + rows + "x" + cols)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Register block of the convolutions' weight gradients: $L kernel column(s) × $L input channel(s) × 1 vector,\n"
                        + "{@code c[co + r·cs + s·cs2 …] += Σ_y Σ_x a[ao + r·as + s·as2 + y·ar + x] · b[bo + (y·len + x)·L …]}.\n", rows, cols);
        VectorRegisterBlocks.arrayParams(m, e, "c", "co", "cs", "cs2");
        VectorRegisterBlocks.arrayParams(m, e, "a", "ao", "as", "as2", "ar");
        VectorRegisterBlocks.arrayParams(m, e, "b", "bo", "runs", "len");
        String at = "co + $L * cs + $L * cs2";
        CodeBlock.Builder c = start();
        c.add("// the first term with the old sums as its addend, so that every sum is an exact vector\n")
                .addStatement("final $T v0 = $T.fromArray(SPECIES, b, bo)", v, v);
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < cols; s++) {
                c.addStatement("$T c$L$L = $L.fma(v0, $T.fromArray(SPECIES, c, " + at + "))", v, r, s,
                        VectorExact.broadcast(CodeBlock.of("a[ao + $L * as + $L * as2]", r, s)), v, r, s);
            }
        }
        c.add("// one loop over the runs' elements (nested loops made C2 allocate the sums), the run's start moved at its end\n")
                .addStatement("int ay = ao, x = 1")
                .beginControlFlow("if (x == len)").addStatement("x = 0").addStatement("ay += ar").endControlFlow()
                .beginControlFlow("for (int t = 1; t < runs * len; t++)")
                .addStatement("$T vb = $T.fromArray(SPECIES, b, bo + t * L)", v, v);
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < cols; s++) {
                c.addStatement("c$L$L = $L.fma(vb, c$L$L)", r, s, VectorExact.broadcast(CodeBlock.of("a[ay + $L * as + $L * as2 + x]", r, s)), r, s);
            }
        }
        c.beginControlFlow("if (++x == len)").addStatement("x = 0").addStatement("ay += ar").endControlFlow();
        c.endControlFlow();
        storeSums(c, rows, cols, at);
        return m.addCode(c.build()).build();
    }

    /** {@code mw$RxC}. */
    static MethodSpec product(Elem e, int rows, int cols) {
        ClassName v = VectorKernels.vectorType(e);
        MethodSpec.Builder m = MethodSpec.methodBuilder("mw$" + rows + "x" + cols)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Register block of the forward convolutions: $L row(s) × $L vector(s) of columns, {@code c[co + r·cs + v·L] =\n"
                        + "Σ_(ci, ky, kx) a[ao + r·as + (ci·kh + ky)·kw + kx] · b[bo + ci·bc + ky·by + kx·bx + v·L]} over {@code ci < n / (kh·kw)}.\n",
                        rows, cols);
        VectorRegisterBlocks.arrayParams(m, e, "c", "co", "cs");
        VectorRegisterBlocks.arrayParams(m, e, "a", "ao", "as");
        VectorRegisterBlocks.arrayParams(m, e, "b", "bo", "bc", "by", "bx", "kh", "kw", "n");
        CodeBlock.Builder c = start();
        c.addStatement("final $T z = $L", v, VectorExact.zero(e));
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < cols; s++) c.addStatement("$T c$L$L = z", v, r, s);
        }
        c.add("// one loop over the kernel elements (nested loops made C2 allocate the sums), b's offset moved at the end of\n")
                .add("// each kernel row and input channel\n")
                .addStatement("int bb = bo, x = 0, y = 0")
                .beginControlFlow("for (int p = 0; p < n; p++)")
                .addStatement("final int aa = ao + p");
        for (int s = 0; s < cols; s++) c.addStatement("final $T vb$L = $T.fromArray(SPECIES, b, bb + $L * L)", v, s, v, s);
        for (int r = 0; r < rows; r++) {
            c.addStatement("final $T ua$L = $L", v, r, VectorExact.broadcast(CodeBlock.of("a[aa + $L * as]", r)));
            for (int s = 0; s < cols; s++) c.addStatement("c$L$L = ua$L.fma(vb$L, c$L$L)", r, s, r, s, r, s);
        }
        c.addStatement("bb += bx")
                .beginControlFlow("if (++x == kw)")
                .addStatement("x = 0")
                .addStatement("bb += by - kw * bx")
                .beginControlFlow("if (++y == kh)").addStatement("y = 0").addStatement("bb += bc - kh * by").endControlFlow()
                .endControlFlow()
                .endControlFlow();
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < cols; s++) c.addStatement("c$L$L.intoArray(c, co + $L * cs + $L * L)", r, s, r, s);
        }
        return m.addCode(c.build()).build();
    }

    /** {@code ws$R}. */
    static MethodSpec slide(Elem e, int rows) {
        ClassName v = VectorKernels.vectorType(e);
        MethodSpec.Builder m = MethodSpec.methodBuilder("ws$" + rows)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Register block of the convolutions' weight gradients without dilation, two output positions a step: $L kernel column(s) × 1 vector,\n"
                        + "{@code c[co + r·cs …] += Σ_y Σ_x a[ao + r + y·ar + x] · b[bo + (y·len + x)·L …]} for an even {@code len}.\n", rows);
        VectorRegisterBlocks.arrayParams(m, e, "c", "co", "cs");
        VectorRegisterBlocks.arrayParams(m, e, "a", "ao", "ar");
        VectorRegisterBlocks.arrayParams(m, e, "b", "bo", "runs", "len");
        CodeBlock.Builder c = start();
        c.add("// the first two terms, the first with the old sums as its addend, so that every sum is an exact vector\n")
                .addStatement("final $T v0 = $T.fromArray(SPECIES, b, bo), v1 = $T.fromArray(SPECIES, b, bo + L)", v, v, v);
        for (int r = 0; r <= rows; r++) {
            c.addStatement("final $T e$L = $L", v, r, VectorExact.broadcast(CodeBlock.of("a[ao + $L]", r)));
        }
        for (int r = 0; r < rows; r++) {
            c.addStatement("$T c$L = e$L.fma(v0, $T.fromArray(SPECIES, c, co + $L * cs))", v, r, r, v, r)
                    .addStatement("c$L = e$L.fma(v1, c$L)", r, r + 1, r);
        }
        c.add("// one loop over pairs of a run's elements (nested loops made C2 allocate the sums): element x + 1's\n")
                .add("// kernel column r is element x's column r + 1, so R + 1 broadcasts serve 2·R terms\n")
                .addStatement("int ay = ao, x = 2")
                .beginControlFlow("if (x == len)").addStatement("x = 0").addStatement("ay += ar").endControlFlow()
                .beginControlFlow("for (int t = 2; t < runs * len; t += 2)")
                .addStatement("final $T vb = $T.fromArray(SPECIES, b, bo + t * L), vc = $T.fromArray(SPECIES, b, bo + t * L + L)", v, v, v)
                .addStatement("final int i = ay + x");
        for (int r = 0; r <= rows; r++) {
            c.addStatement("final $T g$L = $L", v, r, VectorExact.broadcast(CodeBlock.of("a[i + $L]", r)));
        }
        for (int r = 0; r < rows; r++) {
            c.addStatement("c$L = g$L.fma(vb, c$L)", r, r, r).addStatement("c$L = g$L.fma(vc, c$L)", r, r + 1, r);
        }
        c.addStatement("x += 2");
        c.beginControlFlow("if (x == len)").addStatement("x = 0").addStatement("ay += ar").endControlFlow();
        c.endControlFlow();
        for (int r = 0; r < rows; r++) c.addStatement("c$L.intoArray(c, co + $L * cs)", r, r);
        return m.addCode(c.build()).build();
    }
}
