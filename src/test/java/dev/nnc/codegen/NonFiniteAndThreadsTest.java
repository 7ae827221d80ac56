package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * trainStep never lets a non-finite value reach the parameters (generated code and the
 * interpreter alike), and the thread-safety contract: one instance per thread, made with copy().
 */
class NonFiniteAndThreadsTest {
    // the square root of a negative number is NaN: the loss and the gradient of w become non-finite
    static final String MODEL = """
            model Fragile {
                dim batch
                input x : [batch, 2]
                param w : [2, 1] init constant(1)
                output y = x @ w
                loss = mean(sqrt(x @ w))
                optimizer adam(lr = 0.1)
            }
            """;

    static Compiled compiled() {
        Compiler.Result r = Compiler.compile("fragile.nn", MODEL);
        assertTrue(r.ok(), r.render());
        return r.compiled().get(0);
    }

    static final Map<String, Tensor> GOOD = Map.of("x", Tensor.of(new int[] {2, 2}, 1, 2, 3, 4));
    static final Map<String, Tensor> BAD = Map.of("x", Tensor.of(new int[] {2, 2}, -1, -2, -3, -4));

    @Test
    void generatedTrainStepSkipsNonFiniteUpdates() throws Exception {
        Compiled c = compiled();
        LoadedModel lm = LoadedModel.load(c, false, 0, "fragile.nn", MODEL);
        LoadedModel clean = LoadedModel.load(c, false, 0, "fragile.nn", MODEL);
        Map<String, Integer> dims = Map.of("batch", 2);
        Object o = lm.instance();
        Method skipped = o.getClass().getMethod("lastStepSkipped");
        Method steps = o.getClass().getMethod("steps");

        lm.trainStep(GOOD, dims);
        clean.trainStep(GOOD, dims);
        double[] before = lm.parameter("w");
        double loss = lm.trainStep(BAD, dims);
        assertTrue(Double.isNaN(loss), "the caller sees the non-finite loss");
        assertTrue((Boolean) skipped.invoke(o));
        assertArrayEquals(before, lm.parameter("w"), "parameters unchanged");
        assertEquals(1L, steps.invoke(o), "the step count did not move");
        Method skippedSteps = o.getClass().getMethod("skippedSteps");
        assertEquals(1L, skippedSteps.invoke(o), "the skipped step is counted");
        // the optimizer state did not move either: the next good step matches an instance that never saw the bad batch
        lm.trainStep(GOOD, dims);
        clean.trainStep(GOOD, dims);
        assertFalse((Boolean) skipped.invoke(o));
        assertArrayEquals(clean.parameter("w"), lm.parameter("w"));
        lm.trainStep(BAD, dims);
        assertEquals(2L, skippedSteps.invoke(o), "every skipped step is counted");
        lm.reset(0);
        assertEquals(0L, skippedSteps.invoke(o), "reset clears the count");

        o.getClass().getMethod("setCheckFinite", boolean.class).invoke(o, false);
        lm.trainStep(BAD, dims);
        assertTrue(Double.isNaN(lm.parameter("w")[0]), "with the check off, NaN reaches the parameters");
    }

    @Test
    void interpreterTrainStepSkipsNonFiniteUpdates() {
        Model m = compiled().model();
        Session s = new Session(m, 0, Model.Precision.F64);
        s.trainStep(GOOD);
        double[] before = s.param("w").data().clone();
        assertTrue(Double.isNaN(s.trainStep(BAD)));
        assertTrue(s.lastStepSkipped());
        assertArrayEquals(before, s.param("w").data());
        assertEquals(1, s.step());
    }

    @Test
    void copiesRunConcurrentlyAndAgreeWithOneThread() throws Exception {
        Compiler.Result r = Compiler.compile(java.nio.file.Path.of("generated-examples/mnist_mlp.nn"));
        Compiled c = r.compiled().get(0);
        LoadedModel lm = LoadedModel.load(c, true, 3, "mnist_mlp.nn", r.source());
        Object original = lm.instance();
        Class<?> cls = original.getClass();
        Method copy = cls.getMethod("copy");
        Method infer = cls.getMethod("infer", int.class, float[].class, float[].class);
        // train the original a little so that its parameters differ from a fresh seed-3 instance
        Method step = cls.getMethod("trainStep", int.class, float[].class, int[].class);
        float[] image = new float[8 * 784];
        int[] label = new int[8];
        for (int i = 0; i < image.length; i++) image[i] = (i * 37 % 101) / 101f;
        for (int i = 0; i < label.length; i++) label[i] = i % 10;
        for (int i = 0; i < 3; i++) step.invoke(original, 8, image, label);
        float[] expected = new float[8 * 10];
        infer.invoke(original, 8, image, expected);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Object mine = copy.invoke(original);
                results.add(pool.submit(() -> {
                    float[] out = new float[8 * 10];
                    for (int k = 0; k < 200; k++) infer.invoke(mine, 8, image, out);
                    return out;
                }));
            }
            for (Future<float[]> f : results) assertArrayEquals(expected, f.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
