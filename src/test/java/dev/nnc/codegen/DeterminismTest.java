package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nnc.Compiler;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated source is a pure function of the .nn text and the options; {@code reset(seed)}
 * restores exactly what the constructor made; equal seeds give equal models, and different
 * seeds different ones.
 */
class DeterminismTest {
    static Stream<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("generated-examples"))) {
            return s.filter(p -> p.toString().endsWith(".nn")).sorted().toList().stream();
        }
    }

    static JavaEmitter.Output emit(Compiled c, boolean f32, String name, String source) {
        return JavaEmitter.emit(c, new JavaEmitter.Options(null, f32, name, source));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void theSameSourceGivesByteIdenticalJava(Path file) throws IOException {
        String source = Files.readString(file);
        String name = file.getFileName().toString();
        for (boolean f32 : new boolean[] {false, true}) {
            Compiler.Result first = Compiler.compile(name, source);
            Compiled c = first.compiled().get(0);
            JavaEmitter.Output once = emit(c, f32, name, source);
            // the same Compiled emitted again
            assertEquals(once.source(), emit(c, f32, name, source).source(), name + ": emitting the same model twice");
            // after the interpreter has built its gradient nodes into the model's graph
            new Session(c.model()).lossAndGradients(ExamplesAgreeTest.randomInputs(c.model(), 2, 1));
            assertEquals(once.source(), emit(c, f32, name, source).source(), name + ": emitting after the interpreter ran");
            // a fresh compilation of the same text
            Compiled again = Compiler.compile(name, source).compiled().get(0);
            assertEquals(once.source(), emit(again, f32, name, source).source(), name + ": compiling the source twice");
            assertEquals(once.entries(), emit(again, f32, name, source).entries());
        }
    }

    static final String SOURCE = """
            model Net {
                dim batch
                input x : [batch, 3]
                input y : [batch, 2]
                param w1 : [3, 4] init he_normal
                param b1 : [4] init uniform(-0.5, 0.5)
                param w2 : [4, 2] init xavier_uniform
                param b2 : [2] init constant(0.25)
                param s : [] init normal(1, 0.5)
                param z : [2] init zeros
                h = dropout(relu(x @ w1 + b1), p = 0.5)
                output pred = s * (h @ w2 + b2) + z
                loss = mse(s * (h @ w2 + b2) + z, y)
                optimizer adam(lr = 0.05)
            }
            """;

    static final Map<String, Tensor> INPUTS = Map.of(
            "x", Tensor.of(new int[] {2, 3}, 0.5, -1, 2, 1.5, 0.25, -0.75),
            "y", Tensor.of(new int[] {2, 2}, 1, -1, 0.5, 2));

    static Map<String, double[]> params(LoadedModel m, Model model) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Model.Param p : model.params()) out.put(p.name(), m.parameter(p.name()));
        return out;
    }

    static void assertSameParams(Map<String, double[]> want, Map<String, double[]> got, String what) {
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) assertArrayEquals(want.get(k), got.get(k), what + ": " + k);
    }

    static List<Double> train(LoadedModel m, int steps) {
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < steps; i++) losses.add(m.trainStep(INPUTS, Map.of("batch", 2)));
        return losses;
    }

    @Test
    void resetRestoresTheInitialParametersAndTheTrainingState() {
        Compiled c = Agreement.compile(SOURCE).compiled().get(0);
        for (boolean f32 : new boolean[] {false, true}) {
            LoadedModel m = LoadedModel.load(c, f32, 42, "net.nn", SOURCE);
            Map<String, double[]> initial = params(m, c.model());
            List<Double> firstRun = train(m, 3); // params, Adam moments and the dropout step all move
            assertFalse(Arrays.equals(initial.get("w1"), m.parameter("w1")), "training changed nothing");
            call(m, "reset", 42L);
            assertSameParams(initial, params(m, c.model()), "after reset(42)");
            assertEquals(0L, call(m, "steps"));
            // optimizer state and dropout masks start over too: the same losses again, bit for bit
            assertEquals(firstRun, train(m, 3), "training again after reset");
            // reset to another seed and back
            call(m, "reset", 7L);
            call(m, "reset", 42L);
            assertSameParams(initial, params(m, c.model()), "after reset(7), reset(42)");
        }
    }

    @Test
    void theSameSeedGivesTheSameModelAndDifferentSeedsDifferentOnes() {
        Compiled c = Agreement.compile(SOURCE).compiled().get(0);
        Model model = c.model();
        for (boolean f32 : new boolean[] {false, true}) {
            LoadedModel a = LoadedModel.load(c, f32, 3, "net.nn", SOURCE);
            LoadedModel b = LoadedModel.load(c, f32, 3, "net.nn", SOURCE);
            LoadedModel other = LoadedModel.load(c, f32, 4, "net.nn", SOURCE);
            Map<String, double[]> seed3 = params(a, model), seed4 = params(other, model);
            assertSameParams(seed3, params(b, model), "two instances with seed 3");
            // every randomly initialized param differs between seeds; constant ones do not
            for (String p : List.of("w1", "b1", "w2", "s")) assertFalse(Arrays.equals(seed3.get(p), seed4.get(p)), p + " is the same for seeds 3 and 4");
            assertArrayEquals(new double[] {0.25, 0.25}, seed4.get("b2"));
            assertArrayEquals(new double[] {0, 0}, seed4.get("z"));
            // the seed means what it means to the interpreter: the same initial values
            Session s = new Session(model, 4, f32 ? Model.Precision.F32 : Model.Precision.F64);
            for (Model.Param p : model.params()) {
                double[] want = s.param(p.name()).data();
                assertArrayEquals(f32 ? Agreement.toFloats(want) : want, seed4.get(p.name()), "seed 4, " + p.name());
            }
            // the same seed trains the same, dropout included
            assertEquals(train(a, 4), train(b, 4), "the same seed trains the same");
            assertSameParams(params(a, model), params(b, model), "two instances with seed 3 after 4 steps");
            assertFalse(train(other, 4).equals(train(LoadedModel.load(c, f32, 3, "net.nn", SOURCE), 4)), "seeds 3 and 4 train the same");
        }
    }

    @Test
    void theNoArgumentConstructorUsesSeedZero() throws ReflectiveOperationException {
        Compiled c = Agreement.compile(SOURCE).compiled().get(0);
        LoadedModel seeded = LoadedModel.load(c, false, 0, "net.nn", SOURCE);
        Object plain = seeded.instance().getClass().getConstructor().newInstance();
        for (Model.Param p : c.model().params()) {
            assertArrayEquals(seeded.parameter(p.name()), (double[]) plain.getClass().getMethod("parameter", String.class).invoke(plain, p.name()));
        }
    }

    private static Object call(LoadedModel m, String method, Object... args) {
        return BadArgumentsTest.call(m.instance(), method, args);
    }
}
