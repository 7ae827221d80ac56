package dev.nnc.codegen;

import dev.nnc.codegen.Agreement.Case;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Convolutions and pooling through generated code and the interpreter ({@link Agreement}), in
 * f64 and f32: every option of {@code conv1d}/{@code conv2d} (bias or none, stride, padding,
 * dilation, groups, pairs), {@code max_pool} and {@code avg_pool} with overlapping and padded
 * windows, a gradient of a convolution and of a pooling inside the loss (so second order), and a
 * small CNN with batch normalization trained for a few steps. Each model runs at two batch sizes
 * on the same instance.
 */
class ConvAgreeTest {
    /** {@code y = EXPR} over an input {@code x : XS} and params declared by {@code PARAMS}; loss {@code sum(y * t)}. */
    static Case windowed(String name, String xs, String params, String expr, String ys) {
        return Case.of(name, """
                model Windows {
                    dim batch
                    input x : %s
                    input t : %s
                    %s
                    output y = %s
                    loss = sum(y * t)
                }
                """.formatted(xs, ys, params, expr)).dims(Map.of("batch", 2), Map.of("batch", 3));
    }

    static List<Case> windows() {
        List<Case> c = new ArrayList<>();
        c.add(windowed("conv2d, bias, relu, max_pool2d", "[batch, 2, 6, 6]", "param w : [3, 2, 3, 3]\nparam b : [3]",
                "max_pool2d(relu(conv2d(x, w, b, padding = 1)), 2)", "[batch, 3, 3, 3]"));
        c.add(windowed("conv2d with stride, padding, dilation and groups as pairs", "[batch, 4, 7, 6]", "param w : [6, 2, 3, 2]",
                "conv2d(x, w, stride = [2, 1], padding = [1, 0], dilation = [1, 2], groups = 2)", "[batch, 6, 4, 4]"));
        c.add(windowed("conv2d, a strided 1x1 kernel", "[batch, 3, 5, 5]", "param w : [4, 3, 1, 1]",
                "conv2d(x, w, stride = 2)", "[batch, 4, 3, 3]"));
        c.add(windowed("conv2d depthwise (groups = channels) with bias", "[batch, 3, 5, 4]", "param w : [3, 1, 2, 2]\nparam b : [3]",
                "conv2d(x, w, b, groups = 3, padding = [1, 0])", "[batch, 3, 6, 3]"));
        c.add(windowed("conv1d with bias by name, stride, padding, dilation", "[batch, 3, 9]", "param w : [4, 3, 3]\nparam b : [4]",
                "conv1d(x, w, bias = b, stride = 2, padding = 2, dilation = 2)", "[batch, 4, 5]"));
        c.add(windowed("max_pool1d with overlapping padded windows, avg_pool1d", "[batch, 2, 8]", "param s : [2, 1]",
                "max_pool1d(x * s, 3, stride = 2, padding = 1) + avg_pool1d(x, 2, stride = 2)", "[batch, 2, 4]"));
        c.add(windowed("avg_pool2d with stride and padding pairs", "[batch, 2, 5, 4]", "param s : [2, 1, 1]",
                "avg_pool2d(x * s, [3, 2], stride = [2, 1], padding = [1, 0])", "[batch, 2, 3, 3]"));
        c.add(windowed("max_pool2d with the default stride and padding", "[batch, 2, 7, 5]", "param s : [2, 1, 1]",
                "max_pool2d(x * s, 3, padding = 1)", "[batch, 2, 3, 2]"));
        c.add(Case.of("max pools whose windows tile the input: 2x2 over rows wider than a vector, [2, 4], 3x3", """
                model TiledPools {
                    dim batch
                    input x : [batch, 2, 6, 42]
                    input x2 : [batch, 1, 4, 40]
                    input t : [batch, 2, 3, 21]
                    input u : [batch, 2, 2, 14]
                    input v : [batch, 1, 2, 10]
                    param s : [2, 1, 1]
                    z = relu(x * s)
                    output a = max_pool2d(z, 2)
                    output b = max_pool2d(z, 3)
                    output d = max_pool2d(relu(x2), [2, 4])
                    loss = sum(a * t) + sum(b * u) + sum(d * v)
                }
                """).dims(Map.of("batch", 1), Map.of("batch", 5)));
        c.add(Case.of("grad of a tiled 2x2 max pool inside the loss (a max pool of other values than its keys)",
                PoolKernelsTest.TILED_SECOND_ORDER).dims(Map.of("batch", 2)));
        c.add(Case.of("grad of a convolution and of a max pool inside the loss", """
                model SecondOrder {
                    dim batch
                    input x : [batch, 2, 5, 5]
                    input t : [batch, 3, 5, 5]
                    param w : [3, 2, 3, 3]
                    f = sum(tanh(conv2d(x, w, padding = 1)) * t) + sum(max_pool2d(x * x, 2, stride = 1))
                    gx = grad(f, x)
                    gw = grad(f, w)
                    output y = gx
                    loss = f + 0.1 * sum(gx * gx) + 0.1 * sum(gw * gw)
                }
                """).dims(Map.of("batch", 2)));
        c.add(Case.of("a CNN: conv, batch_norm, relu, max_pool, linear; trained with sgd", """
                model SmallCnn {
                    dim batch
                    input x : [batch, 1, 6, 6]
                    input label : int[batch]
                    param w : [3, 1, 3, 3] init he_uniform
                    param b : [3]
                    param gamma : [3] init ones
                    param beta : [3]
                    buffer mean : [3]
                    buffer var : [3] init ones
                    param w2 : [27, 4] init xavier_uniform
                    h = max_pool2d(relu(batch_norm(conv2d(x, w, b, padding = 1), gamma, beta, mean, var)), 2)
                    output logits = reshape(h, [batch, 27]) @ w2
                    loss = cross_entropy(logits, label)
                    optimizer sgd(lr = 0.1, momentum = 0.9)
                }
                """).classes(4).steps(3).dims(Map.of("batch", 4)));
        return Agreement.prepare(c);
    }

    /**
     * Max pools on tied maxima: kinks, where finite differences mean nothing, so kept out of
     * {@link #windows()} (which {@code ModelGradientsTest} checks against differences).
     */
    static List<Case> ties() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("tied maxima in 2x2 tiles: the gradient goes to the first in row-major order", """
                model TiedTiles {
                    input x : [3, 2, 4, 36]
                    input t : [3, 2, 2, 18]
                    param s : [2, 1, 1]
                    output a = max_pool2d(x * s, 2)
                    loss = sum(a * t)
                }
                """).fix("x", ties(3 * 2 * 4 * 36)));
        return Agreement.prepare(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ties")
    void tiedMaxima(Case c) {
        Agreement.check(c);
    }

    /** {@code n} values scattered over {-1, 0, 1}, so that most 2 × 2 windows hold a tied maximum. */
    static double[] ties(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (i * 2654435761L >>> 13) % 3 - 1;
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windows")
    void convolutionsAndPooling(Case c) {
        Agreement.check(c);
    }
}
