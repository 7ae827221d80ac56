package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.ir.Erf;
import java.lang.reflect.Method;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The f32 code's error function (the generated {@code erff} helper, a Taylor polynomial around
 * the nearest of 32 centers) is {@code (float) Erf.erf(x)} bit for bit: on every 997th float of
 * the 2³² (all exponents, both signs, NaNs included), on every 61st float of the polynomial's
 * range (|x| below 3.9375, both signs: dense enough to catch a polynomial one degree short),
 * and on the edges of its branches. (The whole range was checked once outside the suite.)
 */
class ErffTest {
    static final String SOURCE = """
            model ErfF {
                dim n
                input x : [n]
                output y = gelu(x)
            }
            """;

    @ParameterizedTest
    @EnumSource(JavaEmitter.Backend.class)
    void equalsErfRoundedToFloat(JavaEmitter.Backend backend) throws Exception {
        Compiler.Result r = Compiler.compile("erff.nn", SOURCE);
        assertTrue(r.ok(), r::render);
        LoadedModel m = LoadedModel.load(r.compiled().get(0), true, 1, "erff.nn", SOURCE, backend);
        Method erff = m.instance().getClass().getDeclaredMethod("erff", float.class);
        erff.setAccessible(true);
        float one = (float) Erf.FLOAT_ONE;
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f / 16, 1f / 16 + Math.ulp(1f / 16),
                3.9193f, Math.nextDown(one), one, -one, Math.nextUp(one), 6f, Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, 0.5f, -0.5f, 1.25f, -3f};
        float[] x = FloatSamples.of(edges, FloatSamples.bothSigns(0f, one, 61));
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (float) erff.invoke(null, x[i]);
        FloatSamples.assertRoundedEqual(backend + " erf", x, y, Erf::erf);
    }
}
