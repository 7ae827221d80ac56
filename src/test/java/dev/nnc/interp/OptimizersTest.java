package dev.nnc.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Three steps of each optimizer against updates computed by hand with the torch.optim rules
 * (p0 = 1, gradients 0.5, -0.25, 1.0 unless said otherwise).
 */
class OptimizersTest {
    private static final double[] GRADS = {0.5, -0.25, 1.0};

    /** Runs {@code opt} on a two-element param whose second element sees the gradients negated from p0 = -1. */
    private static void check(Optimizers.Optimizer opt, double[] expected) {
        double[] p = {1, -1};
        for (int t = 0; t < 3; t++) {
            opt.step(List.of(p), List.of(new double[] {GRADS[t], -GRADS[t]}), false);
            assertEquals(expected[t], p[0], 1e-15, "step " + (t + 1));
            assertEquals(-expected[t], p[1], 1e-15, "step " + (t + 1) + " (mirrored element)");
        }
        assertEquals(3, opt.steps());
    }

    @Test
    void plainSgdWithWeightDecay() {
        // p -= lr (g + wd p): 1 - 0.1(0.5 + 0.01) = 0.949; 0.949 - 0.1(-0.25 + 0.00949) = 0.973051; ...
        check(new Optimizers.Sgd(0.1, 0, 0.01, false), new double[] {0.949, 0.973051, 0.872077949});
    }

    @Test
    void sgdWithMomentum() {
        // d1 = 0.51, buf = d1, p = 0.949; d2 = -0.24051, buf = 0.9·0.51 + d2 = 0.21849, p = 0.927151;
        // d3 = 1.00927151, buf = 0.196641 + d3 = 1.20591251, p = 0.806559749
        check(new Optimizers.Sgd(0.1, 0.9, 0.01, false), new double[] {0.949, 0.927151, 0.806559749});
    }

    @Test
    void sgdWithNesterovMomentum() {
        // d1 = 0.51, buf = 0.51, step 0.51 + 0.9·0.51 = 0.969, p = 0.9031; d2 = -0.240969, buf = 0.218031,
        // step -0.0447411, p = 0.90757411; d3 = 1.0090757411, buf = 1.2053036411, step 2.09384901809
        check(new Optimizers.Sgd(0.1, 0.9, 0.01, true), new double[] {0.9031, 0.90757411, 0.698189208191});
    }

    @Test
    void adam() {
        // step 1: m = 0.05, v = 0.00025, bias-corrected m/sqrt(v) = 1, so p = 1 - 0.1·0.5/(0.5 + 1e-8)
        check(new Optimizers.Adam(0.1, 0.9, 0.999, 1e-8, 0), new double[] {0.900000002, 0.8733662987078463, 0.8075551396770898});
    }

    @Test
    void adamWithWeightDecay() {
        check(new Optimizers.Adam(0.1, 0.9, 0.999, 1e-8, 0.1), new double[] {0.9000000016666666, 0.8544413674617625, 0.7815043998631658});
    }

    @Test
    void adamWithOtherBetasAndALargeEps() {
        double[] p = {-2};
        double[] expected = {-2.0099966677774077, -2.0162949370830883, -2.020855960227163};
        Optimizers.Adam opt = new Optimizers.Adam(0.01, 0.8, 0.99, 1e-3, 0);
        double[] grads = {3.0, 0.0, -1e-3};
        for (int t = 0; t < 3; t++) {
            opt.step(List.of(p), List.of(new double[] {grads[t]}), false);
            assertEquals(expected[t], p[0], 1e-15);
        }
    }

    @Test
    void createReadsTheModelsArguments() {
        Optimizers.Optimizer sgd = Optimizers.create(Fixtures.sgd(0.1, 0.9, 0.01, true));
        check(sgd, new double[] {0.9031, 0.90757411, 0.698189208191});
        Optimizers.Optimizer adam = Optimizers.create(Fixtures.adam(0.1, 0.9, 0.999, 1e-8, 0));
        check(adam, new double[] {0.900000002, 0.8733662987078463, 0.8075551396770898});
    }

    @Test
    void roundingToFloatKeepsFloatValues() {
        double[] p = {1};
        new Optimizers.Sgd(0.1, 0.9, 0, false).step(List.of(p), List.of(new double[] {1.0 / 3}), true);
        assertEquals((float) (1 - 0.1 * (float) (1.0 / 3)), p[0], 1e-7);
        assertEquals(p[0], (double) (float) p[0], 0);
    }

    @Test
    void mismatchedListsAreRejected() {
        Optimizers.Optimizer sgd = new Optimizers.Sgd(0.1, 0, 0, false);
        assertThrows(IllegalArgumentException.class, () -> sgd.step(List.of(new double[2]), List.of(new double[3]), false));
        assertThrows(IllegalArgumentException.class, () -> sgd.step(List.of(new double[2]), List.of(), false));
    }
}
