package dev.nnc.interp;

import dev.nnc.ir.Erf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ErfTest {
    /** erf(x) to 50 digits (mpmath), at the interval edges of the algorithm and around them. */
    private static final double[][] TABLE = {
        {1e-300, 1.1283791670955126e-300},
        {1e-10, 1.1283791670955126e-10},
        {1e-05, 1.1283791670579e-05},
        {0.001, 0.0011283787909692365},
        {0.01, 0.011283415555849618},
        {0.1, 0.1124629160182849},
        {0.2, 0.22270258921047847},
        {0.3, 0.3286267594591274},
        {0.4, 0.42839235504666845},
        {0.46875, 0.49261347321793797},
        {0.47, 0.4937450508860821},
        {0.5, 0.5204998778130465},
        {0.55, 0.563323366325109},
        {0.6, 0.6038560908479259},
        {0.65, 0.6420293273556719},
        {0.7, 0.6778011938374184},
        {0.75, 0.7111556336535151},
        {0.8, 0.7421009647076605},
        {0.84375, 0.7672256612323416},
        {0.9, 0.7969082124228322},
        {1.0, 0.8427007929497149},
        {1.1, 0.8802050695740817},
        {1.2, 0.9103139782296353},
        {1.24, 0.9205051842990297},
        {1.25, 0.9229001282564583},
        {1.3, 0.9340079449406524},
        {1.5, 0.9661051464753108},
        {1.75, 0.9866716712191824},
        {2.0, 0.9953222650189527},
        {2.5, 0.999593047982555},
        {3.0, 0.9999779095030014},
        {3.5, 0.9999992569016276},
        {4.0, 0.9999999845827421},
        {4.1, 0.9999999932999724},
        {4.5, 0.9999999998033839},
        {5.0, 0.9999999999984626},
        {5.5, 0.9999999999999927},
        {5.9, 0.9999999999999999},
        {5.99, 1.0},
    };

    @Test
    void knownValuesWithinOneUlp() {
        for (double[] row : TABLE) {
            for (double sign : new double[] {1, -1}) {
                double x = sign * row[0], expected = sign * row[1];
                double got = Erf.erf(x);
                assertTrue(Math.abs(got - expected) <= Math.ulp(expected), "erf(" + x + ") = " + got + ", expected " + expected);
            }
        }
    }

    @Test
    void valuesFromTheBrief() {
        assertEquals(0.5204998778130465, Erf.erf(0.5), 1e-16 * 0.52);
        assertEquals(0.8427007929497149, Erf.erf(1), 1e-16 * 0.84);
        assertEquals(0.9953222650189527, Erf.erf(2), 1e-16);
        assertEquals(-0.9999779095030014, Erf.erf(-3), 1e-16);
        assertEquals(1.1283791670955126e-10, Erf.erf(1e-10), 1e-26);
        // erf(6) = 1 - 2.15e-17, which rounds to 1 in double
        assertEquals(1.0, Erf.erf(6));
        assertEquals(1.0 - 2.15e-17, Erf.erf(6), 1e-17);
    }

    @Test
    void specialValues() {
        assertEquals(0.0, Erf.erf(0.0));
        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(Erf.erf(-0.0)));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertEquals(1.0, Erf.erf(1e300));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertEquals(Double.MIN_VALUE * 1.1283791670955126, Erf.erf(Double.MIN_VALUE), Double.MIN_VALUE);
    }

    /** Many random points against an independent 80-digit Taylor series: within 1 ulp, odd, monotone. */
    @Test
    void randomPointsAgainstBigDecimalSeries() {
        Random r = new Random(11);
        int off = 0;
        for (int i = 0; i < 400; i++) {
            double x = i % 4 == 0 ? r.nextDouble() * 0.5 : (r.nextDouble() * 12 - 6);
            double expected = seriesErf(x);
            double got = Erf.erf(x);
            assertTrue(Math.abs(got - expected) <= Math.ulp(expected), "erf(" + x + ") = " + got + ", expected " + expected);
            if (got != expected) off++;
            assertEquals(-got, Erf.erf(-x), 0, "odd at " + x);
        }
        assertTrue(off < 120, off + " of 400 not correctly rounded");
        double prev = -1;
        for (double x = -6; x <= 6; x += 1.0 / 1024) {
            double v = Erf.erf(x);
            assertTrue(v >= prev, "monotone at " + x);
            prev = v;
        }
    }

    private static final MathContext MC = new MathContext(90);
    private static final BigDecimal TWO_OVER_SQRT_PI = new BigDecimal(2).divide(
            new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798")
                    .sqrt(MC), MC);

    /** erf by its Maclaurin series in 90-digit decimal arithmetic, rounded to double (|x| <= 6.5). */
    static double seriesErf(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal x2 = bx.multiply(bx, MC);
        BigDecimal term = bx; // (-1)^n x^(2n+1) / n!
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal eps = new BigDecimal("1e-45");
        for (int n = 0; n < 2000; n++) {
            BigDecimal t = term.divide(new BigDecimal(2 * n + 1), MC);
            sum = sum.add(t, MC);
            if (n > 2 * x * x && t.abs().compareTo(eps) < 0) break;
            term = term.multiply(x2, MC).divide(new BigDecimal(n + 1), MC).negate();
        }
        return sum.multiply(TWO_OVER_SQRT_PI, MC).doubleValue();
    }
}
