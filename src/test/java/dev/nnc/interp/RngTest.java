package dev.nnc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The random-number specification, pinned by golden values computed by an independent Python
 * implementation of the documented algorithm (so generated code can be checked against them).
 */
class RngTest {
    @Test
    void splitMix64ReferenceVectors() {
        Rng r = new Rng(0);
        assertEquals(0xe220a8397b1dcdafL, r.next());
        assertEquals(0x6e789e6aa1b965f4L, r.next());
        assertEquals(0x06c45d188009454fL, r.next());
        Rng s = new Rng(1234567);
        assertEquals(6457827717110365317L, s.next());
        assertEquals(3203168211198807973L, s.next());
        assertEquals(-8629252141511181193L, s.next());
    }

    @Test
    void mixGoldenValues() {
        assertEquals(0L, Rng.mix(0, 0));
        assertEquals(-9075771055647653584L, Rng.mix(42, 3));
        assertEquals(2661172400782932042L, Rng.mix(42, 5, 2));
        assertEquals(-6669320256883009345L, Rng.mix(-1, 7));
        assertEquals(Rng.mix(Rng.mix(42, 5), 2), Rng.mix(42, 5, 2));
        assertNotEquals(Rng.mix(1, 2, 3), Rng.mix(1, 3, 2));
    }

    @Test
    void uniformAndGaussianGoldenValues() {
        Rng r = new Rng(Rng.mix(42, 3));
        assertEquals(0.5769457714243841, r.nextDouble());
        assertEquals(0.9828634999879048, r.nextDouble());
        assertEquals(0.7699073289748559, r.nextDouble());
        assertEquals(-0.4820249005896623, new Rng(Rng.mix(42, 1)).nextGaussian(), 1e-15);
    }

    @Test
    void initAndDropoutFollowTheSpec() {
        Tensor u = Initializers.init(new dev.nnc.ir.Model.Init("uniform", java.util.List.of(-2.0, 5.0)), new int[] {3}, 42, 3);
        assertArrayEquals(new double[] {2.0386203999706884, 4.880044499915334, 3.389351302823991}, u.data(), 1e-15);
        assertArrayEquals(new double[] {2, 2, 0, 2, 0, 0, 2, 2}, DropoutMasks.seeded(7, 3).mask(1, 0.5, 8));
    }

    @Test
    void gaussianMoments() {
        Rng r = new Rng(5);
        int n = 200_000;
        double s = 0, s2 = 0, s4 = 0;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            s += g;
            s2 += g * g;
            s4 += g * g * g * g;
        }
        assertEquals(0, s / n, 0.01);
        assertEquals(1, s2 / n, 0.015);
        assertEquals(3, s4 / n, 0.1);
    }

    @Property(tries = 200)
    void nextDoubleIsInTheUnitIntervalWith53Bits(@ForAll long seed) {
        Rng r = new Rng(seed);
        for (int i = 0; i < 50; i++) {
            double u = r.nextDouble();
            assertTrue(u >= 0 && u < 1, "u = " + u);
            assertEquals(u, Math.scalb(Math.rint(Math.scalb(u, 53)), -53), 0);
        }
        assertTrue(Double.isFinite(new Rng(seed).nextGaussian()));
    }
}
