package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code setDropoutSeed} reseeds the dropout masks and nothing else: the masks it gives are
 * those of an instance made from that seed, and the parameters, optimizer state and step count
 * stay, so training goes on as if it had not been called when the seed is the same. A model
 * without dropout has no such method.
 */
class DropoutSeedTest {
    static final String SOURCE = CheckpointTest.model("sgd(lr = 0.1, momentum = 0.9)");

    static void setDropoutSeed(LoadedModel m, long seed) throws ReflectiveOperationException {
        m.instance().getClass().getMethod("setDropoutSeed", long.class).invoke(m.instance(), seed);
    }

    static void setParameters(Model model, LoadedModel from, LoadedModel to) {
        for (Model.Param p : model.params()) to.setParameter(p.name(), from.parameter(p.name()));
    }

    @ParameterizedTest(name = "f32 {0}")
    @CsvSource({"true", "false"})
    void theMasksAreThoseOfTheSeedAndTheRestStays(boolean f32) throws ReflectiveOperationException {
        Compiled c = CheckpointTest.compile(SOURCE);
        Model model = c.model();
        List<Map<String, Tensor>> batches = CheckpointTest.batches(6);
        Map<String, Integer> dims = CheckpointTest.DIMS;

        // at step 0: reseeded, an instance draws the masks of one made from the new seed with its parameters
        LoadedModel a = LoadedModel.load(c, f32, 7, "resume.nn", SOURCE);
        java.util.function.LongFunction<LoadedModel> fresh = s -> LoadedModel.of(c, a.output(), a.instance().getClass(), f32, s);
        LoadedModel b = fresh.apply(99);
        setParameters(model, a, b);
        double before = a.trainingPass(batches.get(0), dims).loss();
        double[] w1 = a.parameter("w1");
        setDropoutSeed(a, 99);
        assertArrayEquals(w1, a.parameter("w1"), "the parameters stay");
        double reseeded = a.trainingPass(batches.get(0), dims).loss();
        assertEquals(b.trainingPass(batches.get(0), dims).loss(), reseeded, "the masks of seed 99");
        assertNotEquals(before, reseeded, "the masks changed");
        for (int i = 0; i < 3; i++) assertEquals(b.trainStep(batches.get(i), dims), a.trainStep(batches.get(i), dims), "step " + i);

        // later: the optimizer state and the step count stay (the same seed again changes nothing)
        LoadedModel straight = fresh.apply(7), reseededAgain = fresh.apply(7);
        for (int i = 0; i < 3; i++) {
            straight.trainStep(batches.get(i), dims);
            reseededAgain.trainStep(batches.get(i), dims);
        }
        setDropoutSeed(reseededAgain, 7);
        assertEquals(3L, reseededAgain.steps());
        for (int i = 3; i < batches.size(); i++) {
            assertEquals(straight.trainStep(batches.get(i), dims), reseededAgain.trainStep(batches.get(i), dims), "step " + i);
        }
        for (Model.Param p : model.params()) assertArrayEquals(straight.parameter(p.name()), reseededAgain.parameter(p.name()), p.name());
        // and another seed at step 3 changes the masks of the following steps only
        LoadedModel other = fresh.apply(7);
        for (int i = 0; i < 3; i++) other.trainStep(batches.get(i), dims);
        setDropoutSeed(other, 8);
        for (int i = 3; i < batches.size(); i++) other.trainStep(batches.get(i), dims);
        assertFalse(Arrays.equals(straight.parameter("w1"), other.parameter("w1")), "another seed, the same masks");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"true", "false"})
    void onlyAModelWithDropoutHasIt(boolean dropout) {
        String source = dropout ? SOURCE : SOURCE.replace("dropout(tanh(x @ w1 + b1), p = 0.3)", "tanh(x @ w1 + b1)");
        LoadedModel m = LoadedModel.load(CheckpointTest.compile(source), true, 1, "resume.nn", source);
        assertEquals(dropout, Arrays.stream(m.instance().getClass().getMethods()).anyMatch(x -> x.getName().equals("setDropoutSeed")));
    }
}
