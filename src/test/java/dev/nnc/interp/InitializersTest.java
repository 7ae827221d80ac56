package dev.nnc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.ir.Model;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InitializersTest {
    private static Model.Init init(String kind, Double... args) {
        return new Model.Init(kind, List.of(args));
    }

    private static double mean(double[] d) {
        double s = 0;
        for (double v : d) s += v;
        return s / d.length;
    }

    private static double std(double[] d) {
        double m = mean(d), s = 0;
        for (double v : d) s += (v - m) * (v - m);
        return Math.sqrt(s / d.length);
    }

    /** Mean and standard deviation within 4 standard errors of the expected ones, and the range. */
    private static void assertStats(Tensor t, double mean, double std, double lo, double hi) {
        double[] d = t.data();
        int n = d.length;
        assertEquals(mean, mean(d), 4 * std / Math.sqrt(n), "mean");
        assertEquals(std, std(d), 4 * std / Math.sqrt(2.0 * n) + 1e-12, "std");
        for (double v : d) assertTrue(v >= lo && v < hi, v + " outside [" + lo + ", " + hi + ")");
    }

    @Test
    void constants() {
        assertArrayEquals(new double[6], Initializers.init(Model.Init.ZEROS, new int[] {2, 3}, 1, 0).data());
        assertArrayEquals(new double[] {1, 1, 1}, Initializers.init(init("ones"), new int[] {3}, 1, 0).data());
        assertArrayEquals(new double[] {0.25, 0.25}, Initializers.init(init("constant", 0.25), new int[] {2}, 1, 0).data());
        assertArrayEquals(new double[] {-3}, Initializers.init(init("constant", -3.0), new int[] {}, 1, 0).data());
    }

    @Test
    void uniformAndNormal() {
        int[] shape = {200, 300};
        assertStats(Initializers.init(init("uniform", -1.0, 3.0), shape, 5, 0), 1, 4 / Math.sqrt(12), -1, 3);
        assertStats(Initializers.init(init("normal", 1.0, 2.0), shape, 5, 1), 1, 2, -20, 20);
    }

    @Test
    void xavierAndHeUseInOutLayout() {
        int[] shape = {300, 200}; // [in, out]: fan_in 300, fan_out 200
        double xb = Math.sqrt(6.0 / 500);
        assertStats(Initializers.init(init("xavier_uniform"), shape, 9, 0), 0, xb / Math.sqrt(3), -xb, xb);
        assertStats(Initializers.init(init("xavier_normal"), shape, 9, 1), 0, Math.sqrt(2.0 / 500), -1, 1);
        double hb = Math.sqrt(6.0 / 300);
        assertStats(Initializers.init(init("he_uniform"), shape, 9, 2), 0, hb / Math.sqrt(3), -hb, hb);
        assertStats(Initializers.init(init("he_normal"), shape, 9, 3), 0, Math.sqrt(2.0 / 300), -1, 1);
        // the bound is reached: the max |value| is within 0.1% of it
        double max = Arrays.stream(Initializers.init(init("xavier_uniform"), shape, 9, 0).data()).map(Math::abs).max().orElse(0);
        assertEquals(xb, max, xb * 1e-3);
    }

    @Test
    void higherRankFollowsPyTorchsConvolutionLayout() {
        int[] shape = {4, 5, 6, 7}; // [out, in, kH, kW]: fan_in = 5*42, fan_out = 4*42 (torch.nn.init._calculate_fan_in_and_fan_out)
        assertEquals(210, Initializers.fanIn(init("he_normal"), shape));
        assertEquals(168, Initializers.fanOut(init("he_normal"), shape));
        assertEquals(3 * 5, Initializers.fanIn(init("he_normal"), new int[] {8, 3, 5}));
        assertEquals(8 * 5, Initializers.fanOut(init("he_normal"), new int[] {8, 3, 5}));
        double he = Math.sqrt(6.0 / 210);
        assertStats(Initializers.init(init("he_uniform"), new int[] {40, 5, 6, 7}, 3, 0), 0, he / Math.sqrt(3), -he, he);
        double bound = Math.sqrt(6.0 / (168 + 210));
        Tensor t = Initializers.init(init("xavier_uniform"), shape, 2, 0);
        double max = Arrays.stream(t.data()).map(Math::abs).max().orElse(0);
        assertTrue(max <= bound && max > 0.95 * bound, max + " vs bound " + bound);
    }

    @Test
    void xavierAndHeNeedRankTwo() {
        for (String kind : List.of("xavier_uniform", "xavier_normal", "he_uniform", "he_normal")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Initializers.init(init(kind), new int[] {5}, 0, 0));
            assertTrue(e.getMessage().contains(kind) && e.getMessage().contains("[5]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Initializers.init(init("bogus"), new int[] {5}, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Initializers.init(init("uniform", 1.0), new int[] {5}, 0, 0));
    }

    @Test
    void deterministicPerSeedAndDifferentPerParam() {
        Model.Init n = init("normal", 0.0, 1.0);
        int[] shape = {10, 10};
        assertArrayEquals(Initializers.init(n, shape, 42, 0).data(), Initializers.init(n, shape, 42, 0).data());
        assertFalse(Arrays.equals(Initializers.init(n, shape, 42, 0).data(), Initializers.init(n, shape, 42, 1).data()));
        assertFalse(Arrays.equals(Initializers.init(n, shape, 42, 0).data(), Initializers.init(n, shape, 43, 0).data()));

        Model m = Fixtures.mlp(null, 0);
        Map<String, Tensor> a = Initializers.initAll(m, 7), b = Initializers.initAll(m, 7), c = Initializers.initAll(m, 8);
        assertEquals(List.of("w1", "b1", "w2", "b2"), List.copyOf(a.keySet()));
        assertEquals(a, b);
        assertFalse(a.get("w1").equals(c.get("w1")));
        assertArrayEquals(new int[] {3, 4}, a.get("w1").shape());
        assertArrayEquals(new double[4], a.get("b1").data());
        // w2 is param 2: its stream is mix(7, 2), independent of w1's
        assertArrayEquals(Initializers.init(init("xavier_uniform"), new int[] {4, 1}, new Rng(Rng.mix(7, 2))).data(), a.get("w2").data());
    }
}
