package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ir.Erf;
import dev.nnc.ops.Helper;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Private static helper methods that generated classes include when their kernels need them:
 * the same algorithms as the ops' own definitions ({@code dev.nnc.ops}) and {@link Erf}, written
 * with JavaPoet.
 */
final class Helpers {
    private Helpers() {}

    /** A call of helper {@code h}: narrowed to float in f32 code when the helper computes in double. */
    static CodeBlock call(Elem e, Helper h, CodeBlock... args) {
        return switch (h) {
            case SIGMOID -> e.call("sigmoid", args);
            case SOFTPLUS -> e.call("softplus", args);
            case ERF -> e.f32() ? CodeBlock.of("erff($L)", args[0]) : e.call("erf", args);
            case ELU -> e.call("elu", args);
            case SQ -> CodeBlock.of("sq($L)", args[0]);
            case TANHF -> CodeBlock.of("tanhf($L)", args[0]);
            case EXPF -> CodeBlock.of("expf($L)", args[0]);
        };
    }

    static void addTo(TypeSpec.Builder type, Set<Helper> fns, Elem elem) {
        if (elem.f32() && (fns.contains(Helper.TANHF) || fns.contains(Helper.EXPF))) type.addFields(exp2Tables());
        for (Helper f : fns) {
            MethodSpec m = switch (f) {
                case SIGMOID -> (unary("sigmoid", "The logistic function, stable for large |x|.", CodeBlock.builder()
                        .addStatement("double e = Math.exp(-Math.abs(x))")
                        .addStatement("return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e)").build()));
                case SOFTPLUS -> (unary("softplus", "{@code log(1 + exp(x))}, stable for large |x|.",
                        CodeBlock.of("return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));\n")));
                case ELU -> (MethodSpec.methodBuilder("elu")
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                        .addJavadoc("ELU: {@code x} above 0, else {@code alpha·(exp(x) − 1)}.\n")
                        .returns(TypeName.DOUBLE)
                        .addParameter(TypeName.DOUBLE, "x")
                        .addParameter(TypeName.DOUBLE, "alpha")
                        .addStatement("return x > 0 ? x : alpha * Math.expm1(x)").build());
                case SQ -> (MethodSpec.methodBuilder("sq")
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                        .returns(elem.type())
                        .addParameter(elem.type(), "x")
                        .addStatement("return x * x").build());
                case ERF -> {
                    if (elem.f32()) addErff(type); // a table and a method
                    else addErf(type); // tables and a method
                    yield null;
                }
                case TANHF -> {
                    if (elem.f32()) addTanhf(type); // f64 code calls Math.tanh
                    yield null;
                }
                case EXPF -> {
                    if (elem.f32()) addExpf(type); // f64 code calls Math.exp
                    yield null;
                }
            };
            if (m != null) type.addMethod(m);
        }
    }

    /**
     * {@code tanh} of a float, rounded to float: in double, a Taylor polynomial near 0 and
     * {@code 1 - 2 / (exp(2|x|) + 1)} elsewhere, with {@code exp} computed inline (JDK 17's
     * {@code Math.tanh} is a native call of tens of ns, and even the {@code Math.exp} intrinsic is a
     * call that costs most of a small model's inference; see {@link #exp}). Both branches are within a few double
     * ulps, so the float result is {@code (float) Math.tanh(x)}: checked for every one of the
     * 2³² floats (signed zeros, subnormals, infinities and NaNs included) against JDK 17's
     * {@code Math.tanh}.
     */
    private static void addTanhf(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("tanhf")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code (float) Math.tanh(x)}, computed without the JDK's native call.\n")
                .returns(TypeName.FLOAT)
                .addParameter(TypeName.FLOAT, "xf")
                .addStatement("double x = xf")
                .addStatement("double ax = Math.abs(x)")
                .beginControlFlow("if (ax < 0.0625)")
                .addStatement("double x2 = x * x")
                .addStatement("return (float) (x * (1 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 + x2 * (-17.0 / 315 + x2 * (62.0 / 2835))))))")
                .endControlFlow()
                .beginControlFlow("if (ax > 9.1)")
                .addComment("tanh rounds to ±1 in float from 9.01; also the infinities")
                .addStatement("return Math.copySign(1.0f, xf)")
                .endControlFlow()
                .addComment("e = exp(2|x|); NaN goes through to the result")
                .addStatement("double y = 2 * ax")
                .addCode(exp("y", "e"))
                .addStatement("return (float) Math.copySign(1 - 2 / (e + 1), x)")
                .build());
    }

    /**
     * {@code (float) erf(x)} for f32 code: {@link Erf#floatTaylor}'s polynomial around the
     * nearest of 32 centers, in double, unrolled (the double {@code erf} branches, loops and
     * calls {@code StrictMath.exp}: about 50 ns an element, most of a transformer's GELU).
     */
    private static void addErff(TypeSpec.Builder type) {
        type.addField(table("ERFF_TAYLOR", Erf.floatTaylor()));
        int last = Erf.FLOAT_DEGREE;
        MethodSpec.Builder m = MethodSpec.methodBuilder("erff")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code (float) erf(x)}: a Taylor polynomial around the nearest center k/8.\n")
                .returns(TypeName.FLOAT)
                .addParameter(TypeName.FLOAT, "xf")
                .addStatement("double y = Math.abs((double) xf)")
                .addComment("±1 in float from 3.9193; also the infinities (NaN goes on to the polynomial and gives NaN)")
                .addStatement("if (y >= $L) return Math.copySign(1.0f, xf)", Double.toString(Erf.FLOAT_ONE))
                .addStatement("int k = (int) Math.rint(y * 8)")
                .addStatement("double h = y - k * 0.125")
                .addStatement("int o = k * $L", last + 1)
                .addStatement("double p = ERFF_TAYLOR[o + $L]", last);
        for (int i = last - 1; i > 0; i--) m.addStatement("p = p * h + ERFF_TAYLOR[o + $L]", i);
        m.addStatement("p = p * h + ERFF_TAYLOR[o]");
        type.addMethod(m.addStatement("return (float) Math.copySign(p, (double) xf)").build());
    }

    /**
     * Statements that set double {@code e} to {@code exp(y)} for a double {@code y} in [−745, 709]:
     * {@code exp(y) = 2^(k/32) · e^r} with {@code k = rint(32·y/ln 2)}, {@code r = y − k·ln2/32}
     * (|r| ≤ 0.011, ln 2 split in two so that r is exact to double rounding), {@code 2^(j/32)} as
     * a hi + lo pair from the class's tables ({@link #exp2Tables}) and {@code e^r − 1} by its
     * Taylor polynomial of degree 6 (error below 4e-18), added as {@code hi + (lo + hi·(e^r − 1))}:
     * within about half a double ulp of {@code exp(y)}. NaN gives NaN.
     */
    private static CodeBlock exp(String y, String e) {
        return CodeBlock.builder()
                .addStatement("double k = Math.rint($L * $L)", y, Double.toString(32 / Math.log(2)))
                .addStatement("double r = ($L - k * $L) - k * $L", y, Double.toString(LN2_HI / 32), Double.toString(LN2_LO / 32))
                .addStatement("int ki = (int) k")
                .addStatement("double r2 = r * r")
                .addStatement("double pm1 = r + r2 * ((0.5 + r * (1.0 / 6)) + r2 * ((1.0 / 24 + r * (1.0 / 120)) + r2 * (1.0 / 720)))")
                .addStatement("double hi = $L[ki & 31]", EXP2_HI)
                .addStatement("double $L = (hi + ($L[ki & 31] + hi * pm1)) * Double.longBitsToDouble((long) ((ki >> 5) + 1023) << 52)",
                        e, EXP2_LO)
                .build();
    }

    /** The names of {@link #exp2Tables}' fields. */
    private static final String EXP2_HI = "EXP2_HI", EXP2_LO = "EXP2_LO";

    /**
     * {@code 2^(j/32)} for j = 0..31 as hi + lo (hi the double nearest, lo the nearest to the
     * rest), the tables of {@link #exp}, one pair per class: from the 32nd root of {@code 2^j} by
     * Newton's method in 40-digit decimal arithmetic.
     */
    private static List<FieldSpec> exp2Tables() {
        MathContext mc = new MathContext(40);
        double[] hi = new double[32], lo = new double[32];
        for (int j = 0; j < 32; j++) {
            BigDecimal target = BigDecimal.valueOf(2).pow(j), y = BigDecimal.valueOf(StrictMath.pow(2, j / 32.0));
            for (int it = 0; it < 4; it++) { // y ← y − (y³² − 2^j) / (32·y³¹), from a start good to 1e-16
                BigDecimal y31 = y.pow(31, mc);
                y = y.subtract(y31.multiply(y, mc).subtract(target).divide(y31.multiply(BigDecimal.valueOf(32)), mc), mc);
            }
            hi[j] = y.doubleValue();
            lo[j] = y.subtract(new BigDecimal(hi[j]), mc).doubleValue();
        }
        return List.of(table(EXP2_HI, hi), table(EXP2_LO, lo));
    }

    /**
     * ln 2 in two parts: the high one with its last 13 bits zero, so that k · LN2_HI is exact for
     * |k| < 2¹³ (k reaches ±4,800 for the exponent of every float).
     */
    private static final double LN2_HI = 0x1.62e42fefa2000p-1, LN2_LO = 0x1.9ef35793c7673p-41;

    /**
     * {@code (float) Math.exp(x)} of a float: {@link #exp} in double, so without the JDK's call
     * (an intrinsic stub, but still a call per element that C2 cannot inline or overlap). Below
     * −104 the float result is 0 and above 89 infinity, which keeps {@code k} in the table's range.
     * Equal to {@code (float) Math.exp(x)} for every float (checked once over all 2³², see {@code ExpfTest}).
     */
    private static void addExpf(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("expf")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code (float) Math.exp(x)}, computed without the JDK's call.\n")
                .returns(TypeName.FLOAT)
                .addParameter(TypeName.FLOAT, "xf")
                .addStatement("if (xf < -104f) return 0f")
                .addStatement("if (xf > 89f) return Float.POSITIVE_INFINITY")
                .addStatement("double x = xf")
                .addCode(exp("x", "e"))
                .addStatement("return (float) e")
                .build());
    }

    private static MethodSpec unary(String name, String doc, CodeBlock body) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("$L\n", doc)
                .returns(TypeName.DOUBLE)
                .addParameter(TypeName.DOUBLE, "x")
                .addCode(body).build();
    }

    private static FieldSpec table(String name, double[] values) {
        CodeBlock.Builder init = CodeBlock.builder().add("{");
        for (int i = 0; i < values.length; i++) init.add(i == 0 ? "$L" : ", $L", Double.toString(values[i]));
        return FieldSpec.builder(ArrayTypeName.of(TypeName.DOUBLE), name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer(init.add("}").build()).build();
    }

    /** The error function, exactly as {@link Erf#erf} (same constants, same operation order). */
    private static void addErf(TypeSpec.Builder type) {
        type.addField(table("ERF_AB", Erf.AB));
        type.addField(table("ERF_B", Erf.B));
        type.addField(table("ERF_C", Erf.C));
        type.addField(table("ERF_D", Erf.D));
        type.addField(table("ERF_P", Erf.P));
        type.addField(table("ERF_Q", Erf.Q));
        type.addField(table("ERF_CENTER_HI", Erf.CENTER_HI));
        type.addField(table("ERF_CENTER_LO", Erf.CENTER_LO));
        type.addField(table("ERF_CENTER_SLOPE", Erf.CENTER_SLOPE));
        CodeBlock body = CodeBlock.builder()
                .addStatement("double y = Math.abs(x)")
                .beginControlFlow("if (y <= $L)", Double.toString(Erf.THRESH))
                .addStatement("double z = y * y")
                .addStatement("double num = ERF_AB[0]")
                .addStatement("double den = 1")
                .beginControlFlow("for (int i = 0; i < 4; i++)")
                .addStatement("num = num * z + ERF_AB[i + 1]")
                .addStatement("den = den * z + ERF_B[i]")
                .endControlFlow()
                .addStatement("return x + x * (num / den)")
                .endControlFlow()
                .addStatement("double r")
                .beginControlFlow("if (y < 1.25)")
                .addStatement("int k = (int) Math.rint(y * 8)")
                .addStatement("double c = k * 0.125")
                .addStatement("double h = y - c")
                .addStatement("double p = h")
                .addStatement("double hPrev = 1")
                .addStatement("double hCur = 2 * c")
                .addStatement("double s = h")
                .beginControlFlow("for (int n = 1; n < $L; n++)", Erf.TERMS)
                .addStatement("p = p * -h / (n + 1)")
                .addStatement("s += hCur * p")
                .addStatement("double hNext = 2 * c * hCur - 2 * n * hPrev")
                .addStatement("hPrev = hCur")
                .addStatement("hCur = hNext")
                .endControlFlow()
                .addStatement("r = ERF_CENTER_HI[k - 4] + (ERF_CENTER_LO[k - 4] + ERF_CENTER_SLOPE[k - 4] * s)")
                .nextControlFlow("else if (y >= 6)")
                .addStatement("r = 1")
                .nextControlFlow("else")
                .addStatement("double e")
                .beginControlFlow("if (y <= 4)")
                .addStatement("double num = ERF_C[8] * y")
                .addStatement("double den = y")
                .beginControlFlow("for (int i = 0; i < 7; i++)")
                .addStatement("num = (num + ERF_C[i]) * y")
                .addStatement("den = (den + ERF_D[i]) * y")
                .endControlFlow()
                .addStatement("e = (num + ERF_C[7]) / (den + ERF_D[7])")
                .nextControlFlow("else")
                .addStatement("double z = 1 / (y * y)")
                .addStatement("double num = ERF_P[5] * z")
                .addStatement("double den = z")
                .beginControlFlow("for (int i = 0; i < 4; i++)")
                .addStatement("num = (num + ERF_P[i]) * z")
                .addStatement("den = (den + ERF_Q[i]) * z")
                .endControlFlow()
                .addStatement("e = z * (num + ERF_P[4]) / (den + ERF_Q[4])")
                .addStatement("e = ($L - e) / y", Double.toString(Erf.ONE_OVER_SQRT_PI))
                .endControlFlow()
                .addStatement("double s = (double) (long) (y * 16) / 16")
                .addStatement("double del = (y - s) * (y + s)")
                .addStatement("r = 1 - StrictMath.exp(-s * s) * StrictMath.exp(-del) * e")
                .endControlFlow()
                .addStatement("return x < 0 ? -r : r")
                .build();
        type.addMethod(unary("erf", "The error function to double precision (nnc's Erf algorithm; the JDK has none).", body));
    }
}
