package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.passes.Compiled;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An indexing of a runtime dim with a constant position or slice needs the dim to be large
 * enough: generated code (both backends, every entry that indexes) and the interpreter throw
 * the same {@link IllegalArgumentException}, naming the dim, its value, the indexing's place in
 * the source and the size it needs (the largest need of the entry).
 */
class IndexingChecksTest {
    static final String SOURCE = """
            model Windows {
                dim batch, seq
                input x : [batch, seq, 3]
                param w : [3]
                h = x * w
                output last = h[:, -2:]
                output fourth = h[:, 3]
                loss = sum(last) + sum(fourth * fourth)
            }
            """;

    static final String NEEDS_4 = "dim seq is 3, but the indexing at test.nn:7:21 needs at least 4";

    static Map<String, Tensor> inputs(int batch, int seq) {
        double[] x = new double[batch * seq * 3];
        for (int i = 0; i < x.length; i++) x[i] = 0.1 * i - 1;
        return Map.of("x", Tensor.of(new int[] {batch, seq, 3}, x));
    }

    @ParameterizedTest
    @EnumSource(JavaEmitter.Backend.class)
    void generatedCodeNamesTheDimAndTheIndexing(JavaEmitter.Backend backend) {
        Compiled c = Agreement.compile(SOURCE).compiled().get(0);
        LoadedModel m = LoadedModel.load(c, false, 1, "windows.nn", SOURCE, backend);
        Map<String, Integer> small = Map.of("batch", 2, "seq", 3);
        assertEquals(NEEDS_4, assertThrows(IllegalArgumentException.class, () -> m.infer(inputs(2, 3), small)).getMessage());
        assertEquals(NEEDS_4, assertThrows(IllegalArgumentException.class, () -> m.gradients(inputs(2, 3), small)).getMessage());
        Map<String, Integer> tiny = Map.of("batch", 2, "seq", 1);
        assertEquals("dim seq is 1, but the indexing at test.nn:7:21 needs at least 4",
                assertThrows(IllegalArgumentException.class, () -> m.loss(inputs(2, 1), tiny)).getMessage());
        // large enough: the same instance runs
        Map<String, Tensor> out = m.infer(inputs(2, 4), Map.of("batch", 2, "seq", 4));
        assertEquals(2 * 3, out.get("fourth").numel());
    }

    @ParameterizedTest
    @EnumSource(JavaEmitter.Backend.class)
    void anEntryChecksOnlyTheIndexingsItComputes(JavaEmitter.Backend backend) {
        String source = SOURCE.replace("output fourth = h[:, 3]", "fourth = h[:, 3]").replace("sum(fourth * fourth)", "0");
        Compiled c = Agreement.compile(source).compiled().get(0);
        LoadedModel m = LoadedModel.load(c, false, 1, "windows.nn", source, backend);
        assertEquals("dim seq is 1, but the indexing at test.nn:6:19 needs at least 2",
                assertThrows(IllegalArgumentException.class, () -> m.infer(inputs(1, 1), Map.of("batch", 1, "seq", 1))).getMessage());
        assertEquals(2 * 3, m.infer(inputs(1, 2), Map.of("batch", 1, "seq", 2)).get("last").numel());
    }

    @org.junit.jupiter.api.Test
    void theInterpreterSaysTheSame() {
        Compiled c = Agreement.compile(SOURCE).compiled().get(0);
        Session s = new Session(c.model(), 1);
        assertEquals(NEEDS_4,
                assertThrows(IllegalArgumentException.class, () -> s.infer(inputs(2, 3))).getMessage());
        assertEquals(NEEDS_4,
                assertThrows(IllegalArgumentException.class, () -> s.lossAndGradients(inputs(2, 3))).getMessage());
    }
}
