package dev.nnc.codegen;

import static dev.nnc.codegen.ExamplesAgreeTest.randomInputs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Interpreter;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code setThreads}: products split over threads give bit for bit the results of one thread
 * (outputs, loss, gradients, parameters after train steps). Batches 100 and 257 split the first
 * layer's product and its weight gradient (at least 48 rows and 2^24 multiply-adds) unevenly;
 * 1, 47 and 48 stay below and run on one thread. Both backends have the method (the scalar one
 * records the count) and refuse bad counts.
 */
class ThreadsTest {
    static final String MODEL = """
            model Split {
                dim batch
                input x : [batch, 640]
                input label : int[batch]
                param w1 : [640, 320] init he_uniform
                param b1 : [320]
                param w2 : [320, 70] init xavier_uniform
                param b2 : [70]
                param w3 : [70, 10] init xavier_uniform
                h = dropout(relu(x @ w1 + b1), p = 0.1)
                g = tanh(h @ w2 + b2)
                output logits = g @ w3
                loss = cross_entropy(logits, label)
                optimizer adam(lr = 0.01)
            }
            """;

    private static void setThreads(LoadedModel m, int n) {
        try {
            m.instance().getClass().getMethod("setThreads", int.class).invoke(m.instance(), n);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new AssertionError(e);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 47, 48, 100, 257})
    void threadsGiveTheResultsOfOneThreadBitForBit(int batch) {
        Compiler.Result r = Compiler.compile("split.nn", MODEL);
        assertTrue(r.ok(), r.render());
        Compiled c = r.compiled().get(0);
        Model model = c.model();
        for (boolean f32 : new boolean[] {true, false}) {
            LoadedModel one = LoadedModel.load(c, f32, 5, "split.nn", MODEL, JavaEmitter.Backend.VECTOR);
            LoadedModel three = LoadedModel.load(c, f32, 5, "split.nn", MODEL, JavaEmitter.Backend.VECTOR);
            setThreads(three, 3);
            Map<String, Tensor> in = randomInputs(model, batch, 9);
            Map<String, Integer> dims = Interpreter.bindDims(model, in);
            assertArrayEquals(one.infer(in, dims).get("logits").data(), three.infer(in, dims).get("logits").data(), "infer");
            assertEquals(one.gradients(in, dims), three.gradients(in, dims), "loss");
            for (Model.Param p : model.params()) assertArrayEquals(one.gradient(p.name()), three.gradient(p.name()), "grad " + p.name());
            for (int step = 0; step < 3; step++) assertEquals(one.trainStep(in, dims), three.trainStep(in, dims), "trainStep " + step);
            for (Model.Param p : model.params()) assertArrayEquals(one.parameter(p.name()), three.parameter(p.name()), p.name());
            setThreads(three, 1);
            assertEquals(one.trainStep(in, dims), three.trainStep(in, dims), "back to one thread");
        }
    }

    @org.junit.jupiter.api.Test
    void bothBackendsHaveSetThreadsAndRefuseBadCounts() throws ReflectiveOperationException {
        Compiler.Result r = Compiler.compile("split.nn", MODEL);
        Compiled c = r.compiled().get(0);
        for (JavaEmitter.Backend b : JavaEmitter.Backend.values()) {
            LoadedModel m = LoadedModel.load(c, true, 5, "split.nn", MODEL, b);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> setThreads(m, 0));
            assertEquals("threads must be at least 1, got 0", e.getMessage());
            setThreads(m, 3);
            assertEquals(3, m.instance().getClass().getMethod("threads").invoke(m.instance()), b.toString());
        }
        // a scalar class records the count and computes on the calling thread: the same results as with one thread
        Map<String, Tensor> in = randomInputs(c.model(), 100, 9);
        Map<String, Integer> dims = Interpreter.bindDims(c.model(), in);
        LoadedModel one = LoadedModel.load(c, true, 5, "split.nn", MODEL, JavaEmitter.Backend.SCALAR);
        LoadedModel three = LoadedModel.load(c, true, 5, "split.nn", MODEL, JavaEmitter.Backend.SCALAR);
        setThreads(three, 3);
        assertEquals(one.trainStep(in, dims), three.trainStep(in, dims));
        assertArrayEquals(one.parameter("w1"), three.parameter("w1"));
    }
}
