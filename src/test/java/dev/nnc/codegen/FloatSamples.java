package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleUnaryOperator;

/**
 * Floats to check an f32 function on, bit for bit, against the double function rounded to
 * float: every 997th float of the 2³² (all exponents, both signs, NaNs included), every
 * {@code step}th float of some ranges (dense enough to catch a polynomial one degree short),
 * and edges of the function's branches.
 */
final class FloatSamples {
    private FloatSamples() {}

    /** The floats from {@code from} up to {@code to} (both ≥ 0) by {@code step} bit patterns, negated if {@code negate}. */
    record Range(float from, float to, int step, boolean negate) {
        int size() {
            return (Float.floatToIntBits(to) - Float.floatToIntBits(from)) / step;
        }

        float get(int i) {
            float v = Float.intBitsToFloat(Float.floatToIntBits(from) + step * i);
            return negate ? -v : v;
        }
    }

    /** Both signs of the floats from {@code from} up to {@code to} by {@code step} bit patterns. */
    static Range[] bothSigns(float from, float to, int step) {
        return new Range[] {new Range(from, to, step, false), new Range(from, to, step, true)};
    }

    /** Every 997th float, then the ranges, then the edges. */
    static float[] of(float[] edges, Range... ranges) {
        int sampled = (int) ((1L << 32) / 997) + 1, n = sampled + edges.length;
        for (Range r : ranges) n += r.size();
        float[] x = new float[n];
        for (int i = 0; i < sampled; i++) x[i] = Float.intBitsToFloat((int) (i * 997L));
        int at = sampled;
        for (Range r : ranges) for (int i = 0, s = r.size(); i < s; i++) x[at++] = r.get(i);
        System.arraycopy(edges, 0, x, at, edges.length);
        return x;
    }

    /** Asserts {@code got[i]} is {@code (float) want(x[i])} bit for bit, naming the first that is not. */
    static void assertRoundedEqual(String what, float[] x, float[] got, DoubleUnaryOperator want) {
        assertWithin(what, x, got, want, 0);
    }

    /**
     * Asserts {@code got[i]} is {@code (float) want(x[i])} bit for bit or, where that is finite and
     * not zero, within {@code ulps} of its ulp from the exact {@code want(x[i])}; names the first that is not.
     */
    static void assertWithin(String what, float[] x, float[] got, DoubleUnaryOperator want, double ulps) {
        int wrong = 0;
        String first = null;
        for (int i = 0; i < x.length; i++) {
            double exact = want.applyAsDouble(x[i]);
            float w = (float) exact;
            boolean near = ulps > 0 && Float.isFinite(w) && w != 0 && Math.abs(got[i] - exact) <= ulps * Math.ulp(w);
            if (Float.floatToIntBits(w) != Float.floatToIntBits(got[i]) && !near && wrong++ == 0) {
                first = what + "(" + x[i] + " = 0x" + Integer.toHexString(Float.floatToRawIntBits(x[i])) + ") = " + got[i] + ", want " + w;
            }
        }
        assertEquals(0, wrong, wrong + " of " + x.length + " differ, first " + first);
    }
}
