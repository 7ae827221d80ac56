package dev.nnc.inspect;

import dev.nnc.ir.Size;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlopsTest {
    static Compiled compile(String src) {
        Compiler.Result r = Compiler.compile("t.nn", src);
        assertTrue(r.ok(), r.render());
        return r.compiled().get(0);
    }

    @Test
    void polynomialsPrintHighestDegreeFirstAndEvaluate() {
        Size p = Size.monomial(2, List.of("n", "b")).plus(Size.monomial(1234, List.of("b"))).plus(Size.constant(7));
        assertEquals("2·b·n + 1,234·b + 7", p.toString());
        assertEquals(2 * 3 * 5 + 1234 * 3 + 7, p.eval(Map.of("b", 3, "n", 5)));
        assertEquals("0", Size.ZERO.toString());
        assertEquals("b", Size.monomial(1, List.of("b")).toString());
        assertEquals(Size.monomial(6, List.of("b", "b")), Size.monomial(2, List.of("b")).times(Size.monomial(3, List.of("b"))));
        assertThrows(IllegalArgumentException.class, () -> p.eval(Map.of("b", 1)));
    }

    @Test
    void oneRulePerOpKind() {
        Compiled c = compile("""
                model T {
                    dim n
                    input a : [n, 3]
                    input b : [3, n]
                    output c = sum(exp(a @ b), axis = 1)
                }
                """);
        // matmul 2·n·3·n, exp one per element of [n, n], sum one per input element
        assertEquals("8·n·n", Flops.reachable(c.eval().outputs()).toString());
    }

    @Test
    void housePricesInference() {
        Compiled c = Examples.only(Examples.compile(Examples.DIR.resolve("house_prices.nn")));
        // x@w1 2·331·256, +b1 256, relu 256, h@w2 2·256·1, +b2 1 (dropout is off in inference)
        assertEquals("170,497·batch", Flops.reachable(c.eval().outputs()).toString());
        // sgd with momentum and weight decay: 6 per parameter
        assertEquals(85_249 * 6, Flops.update(c.model()).eval(Map.of()));
    }

    @Test
    void dimsAreBoundWithDefaultOne() {
        Model m = Examples.only(Examples.compile(Examples.DIR.resolve("house_prices.nn"))).model();
        assertEquals(Map.of("batch", 1), Statistics.bind(m, Map.of()));
        assertEquals(Map.of("batch", 64), Statistics.bind(m, Map.of("batch", 64)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Statistics.bind(m, Map.of("seq", 2)));
        assertEquals("model HousePrices has no dim 'seq'; its dims are batch", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Statistics.bind(m, Map.of("batch", 0)));
    }
}
