package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ir.Erf;
import java.lang.reflect.Method;
import java.util.function.DoubleUnaryOperator;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The f32 vector code's lane-wise functions, as generated: {@link VectorErf} (GELU's erf) and
 * {@link VectorExp} in its wide form (f32 elementwise exp, GELU's gradient) against {@code Erf.erf} and {@code Math.exp} in
 * double, in ulps of the float result, on every 61st float of their polynomial's range (both
 * signs) and on the edges: the special values, the split between erf's two polynomials, the
 * exponential's clamps, overflow to infinity, subnormal results. (Over all 2³² floats,
 * measured once outside the suite: see docs/architecture.md.)
 */
class VectorFunctionsTest {
    private static Method erf, exp;
    private static int lanes;

    /** A class with the generated {@code Simd$} methods, and {@code erf(float[] x, float[] y)} and {@code exp(…)} calling them on whole vectors of x. */
    @BeforeAll
    static void generate() throws Exception {
        Elem e = new Elem(true);
        ClassName fv = VectorKernels.vectorType(e), species = ClassName.get("jdk.incubator.vector", "VectorSpecies");
        TypeSpec.Builder t = TypeSpec.classBuilder("Functions").addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addField(FieldSpec.builder(ParameterizedTypeName.get(species, ClassName.get(Float.class)), "SPECIES",
                        Modifier.STATIC, Modifier.FINAL).initializer("$T.SPECIES_PREFERRED", fv).build());
        VectorExact.addAnchor(t, e);
        t.addMethod(MethodSpec.methodBuilder("lanes").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(int.class)
                .addStatement("return SPECIES.length()").build());
        VectorExp.addIntSpecies(t);
        VectorExp.addMethod(t, e);
        t.addMethods(VectorErf.methods(e));
        for (String f : new String[] {"erf", "exp"}) {
            CodeBlock.Builder c = CodeBlock.builder().beginControlFlow("for (int i = 0; i < x.length; i += SPECIES.length())");
            CodeBlock x = VectorExact.exact(e, CodeBlock.of("$T.fromArray(SPECIES, x, i)", fv));
            c.addStatement("$L($L).intoArray(y, i)", f.equals("erf") ? VectorErf.METHOD : VectorExp.METHOD, x).endControlFlow();
            t.addMethod(MethodSpec.methodBuilder(f).addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                    .addParameter(float[].class, "x").addParameter(float[].class, "y").addCode(c.build()).build());
        }
        String source = JavaFile.builder("vf", t.build()).build().toString();
        Class<?> cls = InMemoryJavac.compile("vf.Functions", source).load("vf.Functions");
        erf = cls.getMethod("erf", float[].class, float[].class);
        exp = cls.getMethod("exp", float[].class, float[].class);
        lanes = (int) cls.getMethod("lanes").invoke(null);
    }

    @Test
    void erfIsWithinTwoUlps() throws Exception {
        float top = 4.2f;
        int n = Float.floatToIntBits(top) / 61;
        float[] x = new float[2 * n + 64];
        for (int i = 0; i < n; i++) {
            x[2 * i] = Float.intBitsToFloat(61 * i);
            x[2 * i + 1] = -x[2 * i];
        }
        float[] edges = {Math.nextDown(1f), 1f, Math.nextUp(1f), -1f, 3.9193f, 4f, Math.nextUp(4f), 6f, Float.MIN_VALUE, Float.MIN_NORMAL};
        System.arraycopy(edges, 0, x, 2 * n, edges.length);
        double worst = worstUlps(erf, x, Erf::erf);
        assertTrue(worst <= 2, "erf: worst error " + worst + " ulps");
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE, -100f};
        float[] y = run(erf, special);
        float[] want = {0f, -0f, 1f, -1f, Float.NaN, 1f, -1f, -1f};
        for (int i = 0; i < special.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(y[i]), "erf(" + special[i] + ") = " + y[i]);
        }
    }

    @Test
    void expIsWithinOneUlp() throws Exception {
        // every 61st float from −104 (below, exp rounds to 0) to the largest x whose exp is finite, subnormal results included
        float top = 88.72283f;
        int pos = Float.floatToIntBits(top) / 61, neg = Float.floatToIntBits(104f) / 61;
        float[] x = new float[pos + neg + 64];
        for (int i = 0; i < pos; i++) x[i] = Float.intBitsToFloat(61 * i);
        for (int i = 0; i < neg; i++) x[pos + i] = -Float.intBitsToFloat(61 * i);
        float[] edges = {top, 88f, -87.33f, -87.34f, -100f, -103.9f, 0.3465736f, -0.3465736f, 1f, -1f, 10f};
        System.arraycopy(edges, 0, x, pos + neg, edges.length);
        double worst = worstUlps(exp, x, Math::exp);
        assertTrue(worst <= 1, "exp: worst error " + worst + " ulps");
        float[] special = {Float.NEGATIVE_INFINITY, -1000f, -104.5f, Float.NaN, 0f, -0f, Math.nextUp(top), 89f, 100f, Float.POSITIVE_INFINITY};
        float[] y = run(exp, special);
        for (int i = 0; i < special.length; i++) {
            float want = (float) Math.exp(special[i]);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(y[i]), "exp(" + special[i] + ") = " + y[i]);
        }
    }

    /** The largest |f(x) − exact| over x, in ulps of the float nearest to the exact value. */
    private static double worstUlps(Method f, float[] x, DoubleUnaryOperator exact) throws Exception {
        float[] y = run(f, x);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double want = exact.applyAsDouble(x[i]);
            double ulps = Math.abs(y[i] - want) / Math.ulp((float) want);
            worst = Math.max(worst, ulps);
        }
        return worst;
    }

    private static float[] run(Method f, float[] x) throws Exception {
        float[] in = java.util.Arrays.copyOf(x, (x.length + lanes - 1) / lanes * lanes), out = new float[in.length];
        f.invoke(null, in, out);
        return java.util.Arrays.copyOf(out, x.length);
    }
}
