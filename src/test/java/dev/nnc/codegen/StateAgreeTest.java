package dev.nnc.codegen;

import dev.nnc.codegen.Agreement.Case;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * State and modes through generated code and the interpreter ({@link Agreement}): buffers read
 * as values, batch normalization in both modes (the running statistics it updates compared after
 * {@code trainingPass} and every {@code trainStep}), and shape arithmetic.
 */
class StateAgreeTest {
    static List<Case> state() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("batch_norm of [batch, C] with weight and bias", """
                model Bn {
                    dim batch
                    input x : [batch, 4]
                    input t : [batch, 4]
                    param w : [4, 4]
                    param g : [4] init ones
                    param b : [4]
                    buffer m : [4]
                    buffer v : [4] init ones
                    output y = batch_norm(x @ w, g, b, m, v)
                    loss = sum(y * t)
                }
                """).dims(Map.of("batch", 5), Map.of("batch", 2)));
        c.add(Case.of("batch_norm of [batch, C, L] without weight, momentum and eps by name", """
                model Bn3 {
                    dim batch
                    input x : [batch, 3, 5]
                    input t : [batch, 3, 5]
                    param s : [3, 1]
                    buffer running_mean : [3]
                    buffer running_var : [3] init ones
                    output y = batch_norm(x * s, running_mean = running_mean, running_var = running_var, momentum = 0.3, eps = 1e-3)
                    loss = sum(y * t)
                }
                """).dims(Map.of("batch", 2)));
        c.add(Case.of("batch_norm, dropout and adam trained", """
                model BnTrain {
                    dim batch
                    input x : [batch, 5]
                    input label : int[batch]
                    param w1 : [5, 6] init he_uniform
                    param g : [6] init ones
                    param b : [6]
                    buffer m : [6]
                    buffer v : [6] init ones
                    param w2 : [6, 3] init xavier_uniform
                    h = dropout(relu(batch_norm(x @ w1, g, b, m, v, momentum = 0.2)), p = 0.25)
                    output logits = h @ w2
                    loss = cross_entropy(logits, label)
                    optimizer adam(lr = 0.01)
                }
                """).classes(3).steps(4).dims(Map.of("batch", 6)));
        c.add(Case.of("a buffer read as a value, never updated", """
                model Scaled {
                    dim batch
                    input x : [batch, 3]
                    param w : [3, 3]
                    buffer scale : [3] init constant(2)
                    output y = (x @ w) * scale
                    loss = mean(y * y)
                    optimizer sgd(lr = 0.1, momentum = 0.5)
                }
                """).steps(2));
        c.add(Case.of("shape arithmetic in shapes and reshapes", """
                model Heads {
                    dim batch
                    const width = 12
                    const heads = 3
                    const per = width / heads
                    input x : [batch, width]
                    param w : [width, heads * per]
                    h = reshape(x @ w, [batch, heads, width / heads])
                    output y = sum(h * h, axis = 2)
                    loss = mean(y)
                }
                """));
        return Agreement.prepare(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("state")
    void buffersModesAndShapeArithmetic(Case c) {
        Agreement.check(c);
    }
}
