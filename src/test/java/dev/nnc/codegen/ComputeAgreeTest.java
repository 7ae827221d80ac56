package dev.nnc.codegen;

import static dev.nnc.codegen.Agreement.Case;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The functions of the tensor core through generated code and the interpreter ({@link Agreement},
 * scalar backend, f64 and f32): batched {@code @} (every way its batches fold or loop, broadcast
 * batch axes and the products that sum over them), {@code embedding} with repeated ids,
 * {@code layer_norm}, {@code silu} and {@code log_sigmoid} (also at ±1000), {@code cross_entropy}
 * with label smoothing and rank-3 logits, {@code adamw} and {@code clip_norm} over train steps;
 * then the vector backend on shapes large enough for its vector paths, and the error an id out
 * of range raises on both engines.
 */
class ComputeAgreeTest {
    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("batched @ with a shared weight (batches fold into rows)", """
                model Linear3 {
                    dim batch
                    input x : [batch, 5, 6]
                    input t : [batch, 5, 7]
                    param w : [6, 7]
                    param b : [7]
                    output y = x @ w + b
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("batched @ of batched operands, broadcast weight summed in its gradient", """
                model Heads {
                    dim batch
                    input x : [batch, 2, 3, 4]
                    input z : [batch, 2, 5, 3]
                    input t : [batch, 2, 3, 3]
                    param w : [2, 4, 5]
                    output y = (x @ w) @ z
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("batched @ broadcast on both sides", """
                model Both {
                    dim batch
                    input x : [batch, 1, 3, 4]
                    input t : [batch, 2, 3, 5]
                    param w : [2, 4, 5]
                    output y = x @ w
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("batched @ with transposes: attention scores and values", """
                model Attention {
                    dim batch
                    input x : [batch, 2, 4, 3]
                    input t : [batch, 2, 4, 3]
                    param wq : [3, 3]
                    param wk : [3, 3]
                    q = x @ wq
                    k = x @ wk
                    a = softmax(q @ transpose(k) / 2)
                    output y = a @ x + transpose(transpose(q) @ a)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("batched @ with 1-D operands", """
                model Vectors {
                    dim batch
                    input x : [batch, 4, 3]
                    input t : [batch, 3]
                    input s : [batch, 4]
                    param u : [4]
                    param v : [3]
                    output y = u @ x
                    output z = x @ v
                    loss = sum(y * t) + sum(z * s)
                }
                """));
        c.add(Case.of("embedding with repeated ids", """
                model Embed {
                    dim batch
                    input ids : int[batch, 5]
                    input t : [batch, 5, 3]
                    param table : [4, 3]
                    output y = embedding(ids, table)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("embedding of a computed table, ids of rank 1", """
                model EmbedComputed {
                    dim batch
                    input ids : int[batch]
                    input t : [batch, 2]
                    param table : [6, 2]
                    output y = embedding(ids, tanh(table) * 2)
                    loss = sum(y * t)
                }
                """).classes(6));
        c.add(Case.of("layer_norm without weight and bias", """
                model Ln {
                    dim batch
                    input x : [batch, 6]
                    input t : [batch, 6]
                    param w : [6]
                    output y = layer_norm(x * w)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("layer_norm with weight, bias and eps, rank 3", """
                model LnAffine {
                    dim batch
                    input x : [batch, 2, 5]
                    input t : [batch, 2, 5]
                    param g : [5] init ones
                    param b : [5]
                    output y = layer_norm(x, g, b, eps = 1e-3)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("layer_norm with weight or bias alone", """
                model LnOne {
                    dim batch
                    input x : [batch, 4]
                    input t : [batch, 4]
                    param g : [4]
                    param b : [4]
                    output y = layer_norm(x, weight = g) + layer_norm(x * x, bias = b)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("silu and log_sigmoid", """
                model Activations {
                    dim batch
                    input x : [batch, 3]
                    input t : [batch, 3]
                    param w : [3]
                    param b : [3]
                    z = x * w + b
                    output y = silu(z) + log_sigmoid(z) * 2
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("silu and log_sigmoid at ±1000", """
                model Extremes {
                    input x : [4]
                    input t : [4]
                    param w : [4] init ones
                    output y = silu(x) * w + log_sigmoid(x) * w
                    loss = sum(y * t)
                }
                """).fix("x", 1000, -1000, 0.5, -3).fix("w", 1, 1, 1, 1));
        c.add(Case.of("cross_entropy of rank-3 logits with int labels and label smoothing", """
                model Tokens {
                    dim batch
                    input x : [batch, 4, 5]
                    input label : int[batch, 4]
                    param w : [5, 6]
                    output logits = x @ w
                    loss = cross_entropy(logits, label, label_smoothing = 0.1)
                }
                """).classes(6));
        c.add(Case.of("cross_entropy of rank-3 logits without smoothing, probability targets with smoothing", """
                model Targets {
                    dim batch
                    input x : [batch, 2, 3]
                    input p : [batch, 3]
                    input label : int[batch, 2]
                    param w : [3, 3]
                    logits = x @ w
                    loss = cross_entropy(logits, label) + cross_entropy(sum(logits, axis = 1), softmax(p), label_smoothing = 0.3)
                }
                """).classes(3));
        c.add(Case.of("adamw with clip_norm that clips, trained", """
                model AdamWClipped {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 2]
                    param w : [3, 2]
                    param b : [2]
                    loss = mse(x @ w + b, y)
                    optimizer adamw(lr = 0.05, weight_decay = 0.1, clip_norm = 0.5)
                }
                """).steps(4));
        c.add(Case.of("adamw with its defaults", """
                model Defaults {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 1]
                    param w : [3, 1]
                    loss = mse(x @ w, y)
                    optimizer adamw
                }
                """).steps(3));
        c.add(Case.of("sgd with momentum and clip_norm", """
                model SgdClipped {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 1]
                    param w : [3, 1]
                    param v : [1]
                    loss = mse(x @ w + v, y) * 10
                    optimizer sgd(lr = 0.1, momentum = 0.9, clip_norm = 0.1)
                }
                """).steps(3));
        c.add(Case.of("adam with a clip_norm that never clips", """
                model AdamLoose {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 1]
                    param w : [3, 1]
                    loss = mse(x @ w, y)
                    optimizer adam(lr = 0.1, clip_norm = 1e6)
                }
                """).steps(3));
        return Agreement.prepare(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tensorCoreAgrees(Case c) {
        Agreement.check(c);
    }

    /** Models whose products, layer norms and scatter-adds are wide enough for the vector backend's vector paths. */
    static List<String> vectorModels() {
        return List.of("""
                model Wide {
                    dim batch
                    input x : [batch, 3, 20, 40]
                    input z : [batch, 3, 40, 33]
                    input t : [batch, 3, 20, 33]
                    param w : [40, 40]
                    output y = ((x @ w) @ z) * 0.1
                    loss = sum(y * t)
                }
                """, """
                model Narrow {
                    dim batch
                    input q : [batch, 2, 9, 6]
                    input t : [batch, 2, 9, 6]
                    param wq : [6, 6]
                    param wv : [6, 6]
                    k = q @ wq
                    s = softmax(k @ transpose(q))
                    output y = s @ (q @ wv) + transpose(s) @ transpose(transpose(q) @ s)
                    loss = sum(y * t)
                }
                """, """
                model Broadcast {
                    dim batch
                    input x : [batch, 1, 12, 20]
                    input t : [batch, 3, 12, 18]
                    param w : [3, 20, 18]
                    output y = x @ w
                    loss = sum(y * t)
                }
                """, """
                model Norm {
                    dim batch
                    input ids : int[batch, 7]
                    input t : [batch, 7, 37]
                    param table : [10, 37]
                    param g : [37] init ones
                    param b : [37]
                    h = embedding(ids, table)
                    output y = layer_norm(h, g, b) + layer_norm(h * h)
                    loss = sum(y * t)
                    optimizer adamw(lr = 0.01, clip_norm = 1)
                }
                """);
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("vectorModels")
    void vectorBackendAgrees(String source) {
        Compiler.Result r = Compiler.compile("compute.nn", source);
        assertTrue(r.ok(), r.render());
        for (boolean f32 : new boolean[] {false, true}) {
            ExamplesAgreeTest.agree(r.compiled().get(0), f32, "compute.nn", source, JavaEmitter.Backend.VECTOR, 3, 4, 11);
        }
    }

    @Test
    void anIdOutOfRangeIsAnErrorNamingTheInputOnBothEngines() {
        String src = """
                model Embed {
                    dim batch
                    input tokens : int[batch]
                    param table : [4, 2]
                    output y = embedding(tokens, table)
                }
                """;
        Model m = Agreement.compile(src).compiled().get(0).model();
        Map<String, Tensor> in = Map.of("tokens", Tensor.labels(new int[] {3}, 1, 4, 0));
        IllegalArgumentException interp = assertThrows(IllegalArgumentException.class, () -> new Session(m, 0).infer(in));
        assertEquals("input tokens: id 4 at position 1 is outside [0, 4)", interp.getMessage());
        for (JavaEmitter.Backend backend : JavaEmitter.Backend.values()) {
            LoadedModel lm = LoadedModel.load(Agreement.compile(src).compiled().get(0), false, 0, "e.nn", src, backend);
            IllegalArgumentException gen = assertThrows(IllegalArgumentException.class, () -> lm.infer(in, Map.of("batch", 3)));
            assertEquals(interp.getMessage(), gen.getMessage(), backend.toString());
            Map<String, Tensor> negative = Map.of("tokens", Tensor.labels(new int[] {1}, -1));
            assertEquals("input tokens: id -1 at position 0 is outside [0, 4)",
                    assertThrows(IllegalArgumentException.class, () -> lm.infer(negative, Map.of("batch", 1))).getMessage());
        }
    }
}
