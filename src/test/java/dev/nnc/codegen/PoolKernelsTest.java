package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Gradients;
import dev.nnc.interp.Interpreter;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Max pools whose windows tile the input ({@link PoolTiles}; 2 × 2 on the vector backend
 * {@link PoolVector}) against the interpreter, on both backends, f64 and f32, bit for bit: a
 * pool only chooses elements, so its output and its gradient (the output gradient at each
 * window's first maximum, +0 elsewhere) must be exactly the interpreter's. The inputs are drawn
 * from {-1, −0, 0, 1} with a few NaNs, so most windows hold a tie (the first maximum in
 * row-major order wins, a NaN wins over numbers and the first NaN over later ones), and the
 * output gradients hold −0s (which land as +0, as adding into zeros gives). Rows of 42 and 40
 * columns are wider than a vector (the vector loop's last vector overlaps the one before); rows
 * of 10 are narrower; the batch sizes leave the last tile rows to the scalar loop, or all of them.
 */
class PoolKernelsTest {
    static final String SOURCE = """
            model Pools {
                dim batch
                input x : [batch, 2, 6, 42]
                input x2 : [batch, 3, 4, 40]
                input x3 : [batch, 4, 2, 10]
                input t : [batch, 2, 3, 21]
                input u : [batch, 2, 2, 14]
                input v : [batch, 3, 2, 10]
                input q : [batch, 4, 1, 5]
                output a = max_pool2d(x, 2)
                output b = max_pool2d(x, 3)
                output d = max_pool2d(x2, [2, 4])
                output e = max_pool2d(x3, 2)
                loss = sum(a * t) + sum(b * u) + sum(d * v) + sum(e * q)
            }
            """;

    @ParameterizedTest(name = "{0} backend, f32 {1}, batch {2}")
    @CsvSource({"VECTOR, true, 1", "VECTOR, true, 7", "VECTOR, false, 2", "VECTOR, false, 7", "SCALAR, true, 3", "SCALAR, false, 3"})
    void tiledPoolsEqualTheInterpreterBitForBit(JavaEmitter.Backend backend, boolean f32, int batch) {
        Compiler.Result r = Compiler.compile("pools.nn", SOURCE);
        assertTrue(r.ok(), r.render());
        Compiled c = r.compiled().get(0);
        Model m = c.model();
        Map<String, Tensor> in = new LinkedHashMap<>();
        long salt = 1;
        for (Model.Input i : m.inputs()) {
            int[] shape = i.node().shape().sizes(Map.of("batch", batch));
            double[] data = new double[Tensor.numel(shape)];
            for (int k = 0; k < data.length; k++) data[k] = value(k * 31L + salt, i.name().startsWith("x"));
            in.put(i.name(), Tensor.of(shape, data));
            salt += 7;
        }
        Session s = new Session(m, 1, f32 ? Model.Precision.F32 : Model.Precision.F64);
        LoadedModel lm = LoadedModel.load(c, f32, 1, "pools.nn", SOURCE, backend);
        Map<String, Integer> dims = Interpreter.bindDims(m, in);
        String at = backend + (f32 ? " f32" : " f64") + " batch " + batch + ": ";
        Map<String, Tensor> want = s.infer(in), got = lm.infer(in, dims);
        for (String o : want.keySet()) same(want.get(o).data(), got.get(o).data(), at + "output " + o);
        Gradients g = s.lossAndGradients(in);
        lm.gradients(in, dims);
        for (String x : new String[] {"x", "x2", "x3"}) same(g.inputs().get(x).data(), lm.inputGradient(x), at + "gradient of " + x);
    }

    /** A max pool of other values than its keys, differentiated twice (also a ConvAgreeTest case). */
    static final String TILED_SECOND_ORDER = """
                model TiledSecondOrder {
                    dim batch
                    input x : [batch, 2, 4, 36]
                    param s : [2, 1, 1]
                    f = sum(max_pool2d(x * x * s, 2) * max_pool2d(x * s, 2))
                    gx = grad(f, x)
                    output y = gx
                    loss = f + 0.1 * sum(gx * gx)
                }
                """;

    /**
     * The gradient of a gradient through tiled 2 × 2 pools: the max pool of the output gradient
     * at the argmax of other keys ({@code MAX_POOL(keys, v)}, the vector loop's second chain).
     */
    @ParameterizedTest(name = "{0} backend")
    @CsvSource({"VECTOR", "SCALAR"})
    void secondOrderThroughTiledPoolsAgrees(JavaEmitter.Backend backend) {
        String source = TILED_SECOND_ORDER;
        Compiler.Result r = Compiler.compile("second.nn", source);
        assertTrue(r.ok(), r.render());
        for (boolean f32 : new boolean[] {false, true}) {
            ExamplesAgreeTest.agree(r.compiled().get(0), f32, "second.nn", source, backend, 3, 3, 5);
        }
    }

    /**
     * Element {@code k} of an input: for the pools' inputs ({@code keys}), one of −1, −0, 0, 1 or
     * (one in 97) NaN; for the output gradients, a multiple of 1/8 in [−2, 2), −0 one in 13.
     */
    static double value(long k, boolean keys) {
        long h = (k * 2654435761L) >>> 11;
        if (keys) {
            if (h % 97 == 0) return Double.NaN;
            return switch ((int) (h % 4)) {
                case 0 -> -1;
                case 1 -> -0.0;
                case 2 -> 0;
                default -> 1;
            };
        }
        if (h % 13 == 0) return -0.0;
        return (h % 32) / 8.0 - 2;
    }

    private static void same(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            int k = i;
            assertEquals(0, Double.compare(want[i], got[i]), () -> what + " [" + k + "]: want " + want[k] + ", got " + got[k]);
        }
    }
}
