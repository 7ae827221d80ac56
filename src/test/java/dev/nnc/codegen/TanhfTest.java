package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import java.lang.reflect.Method;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The f32 code's {@code exp} and {@code tanh} (the generated {@code expf} and {@code tanhf}
 * helpers, which compute {@code exp} inline) equal the JDK's double function rounded to float (the
 * vector backend's loops compute {@code exp} lane-wise instead: within 1 ulp, checked here too).
 *
 * <p>The f32 code's {@code tanh} (the generated {@code tanhf} helper, which computes {@code exp}
 * inline) is {@code (float) Math.tanh(x)} bit for bit: on every 997th float of the 2³² (all
 * exponents, both signs, NaNs included), on every 31st float of the branch that computes
 * {@code exp} (|x| from 0.0625 to 9.1, both signs: dense enough to catch a polynomial one degree
 * short), and on the edges of its branches. (The whole range was checked once outside the suite:
 * equal for every float on JDK 17.)
 */
class TanhfTest {
    static final String SOURCE = """
            model TanhF {
                dim n
                input x : [n]
                output y = tanh(x)
            }
            """;

    @ParameterizedTest
    @EnumSource(JavaEmitter.Backend.class)
    void equalsMathTanhRoundedToFloat(JavaEmitter.Backend backend) throws Exception {
        Compiler.Result r = Compiler.compile("tanhf.nn", SOURCE);
        assertTrue(r.ok(), r::render);
        LoadedModel m = LoadedModel.load(r.compiled().get(0), true, 1, "tanhf.nn", SOURCE, backend);
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 0.0625f, Math.nextDown(0.0625f),
                Math.nextUp(0.0625f), -0.0625f, 9.01f, 9.1f, Math.nextUp(9.1f), Math.nextDown(9.1f), -9.1f, 20f, 1e30f,
                Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.5f, -0.5f, 1f, -3f};
        float[] x = FloatSamples.of(edges, FloatSamples.bothSigns(0.0625f, 9.1f, 31));
        float[] y = new float[x.length];
        Object model = m.instance();
        Method infer = model.getClass().getMethod("infer", int.class, float[].class, float[].class);
        infer.invoke(model, x.length, x, y);
        FloatSamples.assertRoundedEqual(backend + " tanh", x, y, Math::tanh);
    }

    static final String EXP_SOURCE = """
            model ExpF {
                dim n
                input x : [n]
                output y = exp(x)
            }
            """;

    /**
     * {@code exp}: on every 997th float of the 2³², on every 257th float from −104 to 89 (where the
     * result is neither 0 nor infinity), and on the edges. (Checked once for all 2³² outside the suite.)
     * Bit for bit on the scalar backend; the vector backend's loop computes {@code exp} lane-wise
     * ({@code VectorExp}'s wide form: within 1 ulp, infinities, zeros and NaN exact; {@code VectorFunctionsTest})
     * and its scalar remainder calls {@code expf}.
     */
    @ParameterizedTest
    @EnumSource(JavaEmitter.Backend.class)
    void expEqualsMathExpRoundedToFloat(JavaEmitter.Backend backend) throws Exception {
        Compiler.Result r = Compiler.compile("expf.nn", EXP_SOURCE);
        assertTrue(r.ok(), r::render);
        LoadedModel m = LoadedModel.load(r.compiled().get(0), true, 1, "expf.nn", EXP_SOURCE, backend);
        float[] edges = {0f, -0f, Float.MIN_VALUE, -104f, Math.nextDown(-104f), Math.nextUp(-104f), -103.97f, -87.33f,
                88.72f, 88.7228f, 88.72284f, 89f, Math.nextUp(89f), Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f, -1f, 0.5f};
        float[] x = FloatSamples.of(edges, new FloatSamples.Range(0f, 89f, 257, false), new FloatSamples.Range(0f, 104f, 257, true));
        float[] y = new float[x.length];
        Object model = m.instance();
        model.getClass().getMethod("infer", int.class, float[].class, float[].class).invoke(model, x.length, x, y);
        FloatSamples.assertWithin(backend + " exp", x, y, Math::exp, backend == JavaEmitter.Backend.VECTOR ? 1 : 0);
    }
}
