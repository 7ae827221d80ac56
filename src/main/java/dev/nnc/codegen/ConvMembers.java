package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ops.Windows.Plane;
import javax.lang.model.element.Modifier;

/**
 * The class-level helpers of the convolution kernels ({@link Kernel#members}), methods of the
 * vector backend's {@code Simd$}: {@code unfold$} copies a block of the unfolded input (im2col:
 * one row per kernel element {@code (c, ky, kx)}, one column per output position
 * {@code (oy, ox)}) into a panel, row by row or transposed, and {@code fold$} adds a block of
 * such columns back into an input gradient (col2im). Both take the plane's geometry as
 * arguments, so every convolution of a class shares them; with a stride of 1 the elements under
 * one output row are contiguous in the input, and they move as block copies (unfold) or a
 * plain loop of adds (fold). Neither has Vector API code. The weight gradients' register blocks
 * ({@link ConvBlocks}) are members of this kind too.
 */
final class ConvMembers {
    private ConvMembers() {}

    static final String UNFOLD = "conv:unfold";
    static final String FOLD = "conv:fold";

    /** True for the member keys this class adds. */
    static boolean owns(String key) {
        return key.startsWith("conv:");
    }

    static void add(TypeSpec.Builder t, Elem e, String key) {
        if (ConvBlocks.owns(key)) {
            t.addMethod(ConvBlocks.of(e, key));
            return;
        }
        switch (key) {
            case UNFOLD -> t.addMethod(unfold(e));
            case FOLD -> t.addMethod(fold(e));
            default -> throw new IllegalArgumentException("no class member " + key);
        }
    }

    /** The geometry arguments of a call: {@code h, w, kh, kw, sh, sw, ph, pw, dh, dw, ow}. */
    static CodeBlock geometry(Plane g) {
        return CodeBlock.of("$L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L", g.h(), g.w(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(),
                g.dh(), g.dw(), g.ow());
    }

    private static MethodSpec.Builder withGeometry(String name, Elem e, String doc) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC).addJavadoc("$L", doc);
        m.addParameter(e.array(), "x").addParameter(TypeName.INT, "xo");
        for (String p : new String[] {"h", "w", "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw", "ow"}) m.addParameter(TypeName.INT, p);
        return m.addParameter(TypeName.INT, "p0").addParameter(TypeName.INT, "p1").addParameter(TypeName.INT, "q0").addParameter(TypeName.INT, "qn")
                .addParameter(e.array(), "b").addParameter(TypeName.INT, "bo").addParameter(TypeName.INT, "bs");
    }

    /**
     * The loops shared by unfold and fold: for each row {@code p} of the block, its kernel element
     * {@code (c, ky, kx)}; for each run of columns under one output row, {@code len} columns from
     * column {@code q} of the block, the input row {@code iy} and the input column {@code ix0} of
     * the first; then {@code segment} (which sees {@code xr}, the offset of input row iy, and
     * {@code d}, the block's offset of the run's first element, {@code column} columns on).
     */
    private static CodeBlock runs(CodeBlock outside, CodeBlock segment, String column) {
        return CodeBlock.builder()
                .addStatement("final int kk = kh * kw")
                .beginControlFlow("for (int p = p0; p < p1; p++)")
                .addStatement("final int c = p / kk, r = p - c * kk, ky = r / kw, kx = r - ky * kw")
                .addStatement("final int xc = xo + c * h * w, row = bo + (p - p0) * bs")
                .addStatement("int oy = q0 / ow, ox = q0 - oy * ow")
                .beginControlFlow("for (int q = 0; q < qn; oy++, ox = 0)")
                .addStatement("final int len = Math.min(qn - q, ow - ox), d = row + $L", column)
                .addStatement("final int iy = oy * sh - ph + ky * dh, ix0 = ox * sw - pw + kx * dw")
                .beginControlFlow("if (iy < 0 || iy >= h)")
                .add(outside)
                .nextControlFlow("else")
                .addStatement("final int xr = xc + iy * w")
                .add(segment)
                .endControlFlow()
                .addStatement("q += len")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * {@code unfold$}: rows {@code p0..p1}, columns {@code q0..q0+qn} of the unfolded input to
     * {@code b[bo + (p - p0)·bs + (q - q0)·bq]} ({@code bq} 1: a block of rows; {@code bs} 1: its transpose).
     */
    private static MethodSpec unfold(Elem e) {
        CodeBlock zero = e.lit(0);
        CodeBlock segment = CodeBlock.builder()
                .beginControlFlow("if (sw == 1)")
                .add("// the run's input elements are contiguous: zeros where it hangs over the padding, a copy between\n")
                .addStatement("final int lo = Math.min(len, Math.max(0, -ix0)), hi = Math.max(lo, Math.min(len, w - ix0))")
                .beginControlFlow("if (bq == 1)")
                .addStatement("if (lo > 0) $T.fill(b, d, d + lo, $L)", java.util.Arrays.class, zero)
                .addStatement("System.arraycopy(x, xr + ix0 + lo, b, d + lo, hi - lo)")
                .addStatement("if (hi < len) $T.fill(b, d + hi, d + len, $L)", java.util.Arrays.class, zero)
                .nextControlFlow("else")
                .addStatement("for (int t = 0; t < lo; t++) b[d + t * bq] = $L", zero)
                .addStatement("final int s = xr + ix0")
                .addStatement("for (int t = lo; t < hi; t++) b[d + t * bq] = x[s + t]")
                .addStatement("for (int t = hi; t < len; t++) b[d + t * bq] = $L", zero)
                .endControlFlow()
                .nextControlFlow("else")
                .beginControlFlow("for (int t = 0; t < len; t++)")
                .addStatement("final int ix = ix0 + t * sw")
                .addStatement("b[d + t * bq] = ix >= 0 && ix < w ? x[xr + ix] : $L", zero)
                .endControlFlow()
                .endControlFlow()
                .build();
        CodeBlock outside = CodeBlock.of("for (int t = 0; t < len; t++) b[d + t * bq] = $L;\n", zero);
        return withGeometry("unfold$", e, "Rows {@code p0..p1} (kernel elements {@code (c, ky, kx)}) and columns {@code q0..q0+qn} (output\n"
                + "positions {@code (oy, ox)}) of the unfolded input {@code x[xo…]} (one image and group, planes {@code h × w}):\n"
                + "element {@code (p, q)} is the input under kernel element p at output q, 0 in the padding, written to\n"
                + "{@code b[bo + (p - p0) * bs + (q - q0) * bq]}.\n")
                .addParameter(TypeName.INT, "bq")
                .addCode(runs(outside, segment, "q * bq")).build();
    }

    /**
     * {@code fold$}: the transpose of unfold, accumulating: each element of the block
     * {@code b[bo + (p - p0)·bs + …]} is added to the input element under it (none in the padding).
     */
    private static MethodSpec fold(Elem e) {
        CodeBlock segment = CodeBlock.builder()
                .beginControlFlow("if (sw == 1)")
                .addStatement("final int lo = Math.min(len, Math.max(0, -ix0)), hi = Math.max(lo, Math.min(len, w - ix0))")
                .addStatement("final int a = xr + ix0")
                .addStatement("for (int t = lo; t < hi; t++) x[a + t] += b[d + t]")
                .nextControlFlow("else")
                .beginControlFlow("for (int t = 0; t < len; t++)")
                .addStatement("final int ix = ix0 + t * sw")
                .addStatement("if (ix >= 0 && ix < w) x[xr + ix] += b[d + t]")
                .endControlFlow()
                .endControlFlow()
                .build();
        return withGeometry("fold$", e, "The transpose of {@code unfold$}, accumulating: element {@code (p, q)} of the block\n"
                + "{@code b[bo + (p - p0) * bs + q - q0]} is added to the input element {@code x[xo…]} under kernel element p at\n"
                + "output q (nothing for the padding).\n")
                .addCode(runs(CodeBlock.of(""), segment, "q")).build();
    }
}
