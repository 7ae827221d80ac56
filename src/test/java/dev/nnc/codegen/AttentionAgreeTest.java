package dev.nnc.codegen;

import static dev.nnc.codegen.Agreement.Case;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code scaled_dot_product_attention} through generated code and the interpreter
 * ({@link Agreement}: f64 and f32, outputs, loss, gradients, train steps): plain, causal with
 * {@code Lq ≠ Lk}, an additive mask that is a param (its gradient) broadcast over heads, a
 * second derivative through it; then the same models on the vector backend.
 */
class AttentionAgreeTest {
    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // q, k and v from separate inputs: with one x for all three, an element of x's gradient
        // near zero sums three paths that cancel, and in f32 both engines are ~2e-6 from its f64
        // value (in opposite directions), beyond the f32 tolerance's floor of 2.5e-6
        c.add(Case.of("attention over heads, projected q, k and v", """
                model Projected {
                    dim batch
                    input x : [batch, 2, 5, 4]
                    input z : [batch, 2, 5, 4]
                    input t : [batch, 2, 5, 4]
                    param wq : [4, 4]
                    param wk : [4, 4]
                    param wv : [4, 4]
                    output y = scaled_dot_product_attention(x @ wq, z @ wk, z @ wv)
                    loss = sum(y * t)
                    optimizer adam(lr = 0.01)
                }
                """).steps(2));
        c.add(Case.of("attention, causal with more keys than queries", """
                model Causal {
                    dim batch
                    input q : [batch, 3, 4]
                    input k : [batch, 6, 4]
                    input v : [batch, 6, 2]
                    input t : [batch, 3, 2]
                    param w : [4, 4]
                    output y = scaled_dot_product_attention(q @ w, k, v * 2, causal = true)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("attention, causal with more queries than keys", """
                model CausalLong {
                    dim batch
                    input q : [batch, 5, 3]
                    input k : [batch, 2, 3]
                    input t : [batch, 5, 3]
                    param v : [2, 3]
                    param w : [3, 3]
                    output y = scaled_dot_product_attention(q, k @ w, k @ w + v, causal = true)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("attention, a param mask broadcast over batch and heads", """
                model Masked {
                    dim batch
                    input x : [batch, 2, 4, 3]
                    input t : [batch, 2, 4, 3]
                    param mask : [4, 4]
                    param w : [3, 3]
                    output y = scaled_dot_product_attention(x @ w, x, x, mask)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("attention, second derivative", """
                model SecondOrder {
                    dim batch
                    input q : [batch, 3, 2]
                    input k : [batch, 4, 2]
                    input t : [batch, 3, 2]
                    param v : [4, 2]
                    input m : [batch, 3, 4]
                    y = scaled_dot_product_attention(q, k, k * v, mask = m)
                    g = grad(sum(y * t), q)
                    output z = g
                    loss = sum(g * g) + sum(y * t)
                }
                """));
        return Agreement.prepare(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void attentionAgrees(Case c) {
        Agreement.check(c);
    }

    /** Wider models for the vector backend. */
    static List<String> vectorModels() {
        return List.of("""
                model WideAttention {
                    dim batch
                    input x : [batch, 2, 19, 24]
                    input t : [batch, 2, 19, 24]
                    param wq : [24, 24]
                    param wv : [24, 24]
                    output y = scaled_dot_product_attention(x @ wq, x, x @ wv, causal = true)
                    loss = sum(y * t)
                }
                """);
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("vectorModels")
    void vectorBackendAgrees(String source) {
        Compiler.Result r = Compiler.compile("attention.nn", source);
        assertTrue(r.ok(), r.render());
        for (boolean f32 : new boolean[] {false, true}) {
            ExamplesAgreeTest.agree(r.compiled().get(0), f32, "attention.nn", source, JavaEmitter.Backend.VECTOR, 3, 4, 11);
        }
    }
}
