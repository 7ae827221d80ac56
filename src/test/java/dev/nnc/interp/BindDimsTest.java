package dev.nnc.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nnc.diag.Span;
import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindDimsTest {
    private final Model mlp = Fixtures.mlp(null, 0);

    private static Map<String, Tensor> inputs(Object... kv) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Tensor) kv[i + 1]);
        return m;
    }

    private static String error(Model model, Map<String, Tensor> in) {
        return assertThrows(IllegalArgumentException.class, () -> Interpreter.bindDims(model, in)).getMessage();
    }

    @Test
    void bindsDimsFromInputShapes() {
        assertEquals(Map.of("batch", 5), Interpreter.bindDims(mlp, inputs("x", Tensor.zeros(5, 3), "y", Tensor.zeros(5, 1))));
        assertEquals(Map.of("batch", 2), Interpreter.bindDims(mlp, inputs("y", Tensor.zeros(2, 1), "other", Tensor.zeros(7))));
        assertEquals(Map.of(), Interpreter.bindDims(mlp, Map.of()));
    }

    @Test
    void wrongStaticDimension() {
        assertEquals("input 'x': expected shape [batch, 3] = [4, 3], got [4, 2]: dimension 1 is 2 instead of 3",
                error(mlp, inputs("x", Tensor.zeros(4, 2))));
    }

    @Test
    void wrongRank() {
        assertEquals("input 'x': expected shape [batch, 3], got [12] (rank 1 instead of 2)", error(mlp, inputs("x", Tensor.zeros(12))));
        assertEquals("input 'y': expected shape [batch, 1] = [4, 1], got [4] (rank 1 instead of 2)",
                error(mlp, inputs("x", Tensor.zeros(4, 3), "y", Tensor.zeros(4))));
    }

    @Test
    void conflictingBindings() {
        assertEquals("input 'y': expected shape [batch, 1] = [4, 1], got [5, 1]: dim batch is 4 (from input 'x') but 5 here",
                error(mlp, inputs("x", Tensor.zeros(4, 3), "y", Tensor.zeros(5, 1))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interpreter.bindDims(mlp, inputs("x", Tensor.zeros(4, 3)), Map.of("batch", 3)));
        assertEquals("input 'x': expected shape [batch, 3] = [3, 3], got [4, 3]: dim batch is 3 (from the arguments) but 4 here",
                e.getMessage());
    }

    @Test
    void repeatedDimWithinOneInput() {
        Graph g = new Graph();
        Node sq = g.input("sq", 0, Shape.of(Dim.sym("n"), Dim.sym("n")), DType.REAL);
        Model m = new Model("M", "", g, List.of("n"), List.of(new Model.Input("sq", sq, Span.NONE)), List.of(), List.of(), null,
                null, null, Span.NONE);
        assertEquals(Map.of("n", 3), Interpreter.bindDims(m, inputs("sq", Tensor.zeros(3, 3))));
        assertEquals("input 'sq': expected shape [n, n] = [3, 3], got [3, 4]: dim n is 3 (from input 'sq') but 4 here",
                error(m, inputs("sq", Tensor.zeros(3, 4))));
    }

    @Test
    void nonPositiveDims() {
        assertEquals("input 'x': expected shape [batch, 3], got [0, 3]: dim batch must be positive, got 0",
                error(mlp, inputs("x", Tensor.zeros(0, 3))));
        assertThrows(IllegalArgumentException.class, () -> Interpreter.bindDims(mlp, Map.of(), Map.of("batch", -1)));
    }

    @Test
    void elementType() {
        Graph g = new Graph();
        Node labels = g.input("labels", 0, Shape.of(Fixtures.BATCH), DType.INT);
        Model m = new Model("M", "", g, List.of("batch"), List.of(new Model.Input("labels", labels, Span.NONE)), List.of(), List.of(),
                null, null, null, Span.NONE);
        assertEquals("input 'labels' is declared int[batch] but got a real tensor", error(m, inputs("labels", Tensor.zeros(3))));
        assertEquals(Map.of("batch", 2), Interpreter.bindDims(m, inputs("labels", Tensor.labels(new int[] {2}, 0L, 1L))));
        assertEquals("input 'x' is declared real[batch, 3] but got an int tensor",
                error(mlp, inputs("x", Tensor.labels(new int[] {1, 3}, 0L, 1L, 2L))));
    }
}
