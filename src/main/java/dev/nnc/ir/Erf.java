package dev.nnc.ir;

/**
 * The error function in double precision, which the JDK lacks.
 *
 * <p>Let {@code y = |x|}; {@code erf} is odd, so {@code erf(x) = sign(x)·erf(y)}:
 * <ol>
 *   <li>{@code y <= 0.46875}: W. J. Cody's rational approximation ("Rational Chebyshev
 *       approximations for the error function", Math. Comp. 23 (1969) 631–638, as in his
 *       SPECFUN routine {@code CALERF}): {@code erf(x)/x = A(z)/B(z)}, {@code z = x²}, degree
 *       4 over 4. It is evaluated as {@code x + x·((A − B)(z) / B(z))} with the differences of
 *       the coefficients precomputed, so the rounding errors of the ratio count only at the scale
 *       of {@code |(A−B)/B| <= 0.13}.
 *   <li>{@code 0.46875 < y < 1.25}: the Taylor series around the nearest center
 *       {@code c = k/8} ({@code k = rint(8y)} in 4..10, {@code |h| = |y − c| <= 1/16}, exact):
 *       {@code erf(c + h) = erf(c) + (2/√π)e^{-c²} Σ_{n=0}^{15} (−1)ⁿ Hₙ(c) h^{n+1}/(n+1)!},
 *       with Hermite polynomials {@code H₀ = 1, H₁ = 2c, H_{n+1} = 2c·Hₙ − 2n·H_{n−1}} computed
 *       on the fly, {@code erf(c)} stored as a hi + lo pair and {@code (2/√π)e^{-c²}} as one
 *       double (constants computed with 60-digit arithmetic). The result is
 *       {@code hi + (lo + slope·S)}: the correction is at most a tenth of the result.
 *   <li>{@code 1.25 <= y < 6}: Cody's {@code erfc}, then {@code erf = 1 − erfc}, one rounding
 *       ({@code erfc <= 0.077}, so its few-ulp error shrinks below one ulp of the result). For
 *       {@code y <= 4}: {@code erfc(y) = exp(-y²)·C(y)/D(y)}, degree 8 over 8; above:
 *       {@code erfc(y) = exp(-y²)/y·(1/√π − z·P(z)/Q(z))}, {@code z = 1/y²}, degree 5 over 5.
 *       {@code exp(-y²)} is {@code exp(-s·s)·exp(-(y−s)(y+s))} with {@code s = trunc(16y)/16}
 *       (Cody's device: {@code s·s} is exact, so the rounding of {@code y²} never reaches the
 *       exponent).
 *   <li>{@code y >= 6}, including infinity: {@code ±1} ({@code erfc(6) ≈ 2.2e-17} rounds away
 *       against 1). NaN gives NaN.
 * </ol>
 * The loops have fixed trip counts and use only IEEE double operations and
 * {@link StrictMath#exp}, so the result is identical on every JVM; generated code reuses this
 * algorithm and its constants ({@code dev.nnc.codegen.Helpers}). Measured against 50-digit values at 24,000 points in
 * [−6.5, 6.5] and down to 1e-20, the result is always within one ulp (faithfully rounded;
 * relative error at most 2.2e-16) and correctly rounded at 97.5% of them (91% below 0.46875,
 * 98% in the Taylor interval, 99.4% above).
 */
public final class Erf {
    private Erf() {}

    public static final double THRESH = 0.46875;
    public static final double ONE_OVER_SQRT_PI = 0.56418958354775628695;

    /** Cody's denominator for the first interval, {@code B(z) = z⁴ + B[0]z³ + B[1]z² + B[2]z + B[3]}. */
    public static final double[] B = {
        23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062};
    /** Cody's erfc on (0.46875, 4]: {@code C(y)/D(y)} in Horner form, see {@code erfcAbove}. */
    public static final double[] C = {
        0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131,
        881.95222124176909, 1712.04761263407058, 2051.07837782607147, 1230.33935479799725,
        2.15311535474403846e-8};
    public static final double[] D = {
        15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019,
        3290.79923573345963, 4362.61909014324716, 3439.36767414372164, 1230.33935480374942};
    /** Cody's erfc above 4: {@code z·P(z)/Q(z)}, {@code z = 1/y²}. */
    public static final double[] P = {
        0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766,
        6.58749161529837803e-4, 0.0163153871373020978};
    public static final double[] Q = {
        2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191,
        0.00233520497626869185};

    /**
     * {@code A(z) − B(z)} by descending power of z, where Cody's numerator is
     * {@code A(z) = a4·z⁴ + a0·z³ + a1·z² + a2·z + a3} with a = {3.1611237438705656,
     * 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153}:
     * the differences of his decimal coefficients, computed exactly and rounded once.
     */
    public static final double[] AB = {
        -0.8142222938153968, -20.440167208473554, -130.16048378339403, -905.1312883920702, 365.14075569929884};

    /** For centers {@code c = k/8}, k = 4..10: erf(c) as a hi + lo pair, and (2/√π)·exp(-c²). */
    public static final double[] CENTER_HI = {
        0.5204998778130465, 0.623240882188418, 0.7111556336535151, 0.7840750610598597,
        0.8427007929497149, 0.8883882317017078, 0.9229001282564583};
    public static final double[] CENTER_LO = {
        1.900077467916287e-17, -2.7016816836135297e-17, 4.69744077164289e-17, -3.204544978890348e-17,
        -2.4801011789118602e-17, -1.158643993739769e-17, -5.51775442986392e-17};
    public static final double[] CENTER_SLOPE = {
        0.8787825789354448, 0.7634995357606049, 0.6429310691952074, 0.5247450452901482,
        0.4151074974205947, 0.3182739585007693, 0.2365211224472908};
    /** Terms of the Taylor series around a center. */
    public static final int TERMS = 16;

    /** Degree of the Taylor polynomials of {@link #floatTaylor}. */
    public static final int FLOAT_DEGREE = 12;
    /**
     * From here on {@code (float) erf(x)} is ±1 (it is from 3.9193 on); below it, the nearest
     * center {@code k/8} of {@link #floatTaylor} has {@code k <= 31}.
     */
    public static final double FLOAT_ONE = 3.9375;

    /**
     * The f32 code's error function ({@code erff} in generated classes), {@code (float) erf(x)}
     * at a fraction of {@link #erf}'s cost: for {@code |x| < FLOAT_ONE}, the Taylor polynomial
     * of degree {@value #FLOAT_DEGREE} around the nearest center {@code c = k/8} (k = 0..31,
     * {@code |h| = ||x| − c| <= 1/16}, exact), evaluated in double by Horner's rule. Its
     * coefficients, {@code (FLOAT_DEGREE + 1)} per center: {@code a₀ = erf(c)} and
     * {@code aₙ = (2/√π) e^{-c²} (−1)ⁿ⁻¹ Hₙ₋₁(c) / n!} (the physicists' Hermite polynomials, as
     * in {@link #erf}'s middle interval). The truncated terms are below 4e-19 relative to the
     * result, so the double sum is within a few ulps of {@link #erf} and rounds to the same
     * float (checked for every float, see {@code ErffTest}). Centered at 0 the even
     * coefficients are 0, so tiny arguments keep their relative accuracy.
     */
    public static double[] floatTaylor() {
        int terms = FLOAT_DEGREE + 1;
        double[] t = new double[32 * terms];
        for (int k = 0; k < 32; k++) {
            double c = k * 0.125;
            double slope = 1.1283791670955126 * StrictMath.exp(-c * c);
            t[k * terms] = erf(c);
            double hPrev = 0, hCur = 1, factorial = 1;
            for (int n = 1; n <= FLOAT_DEGREE; n++) {
                factorial *= n;
                t[k * terms + n] = (n % 2 == 1 ? slope : -slope) * hCur / factorial;
                double hNext = 2 * c * hCur - 2 * (n - 1) * hPrev;
                hPrev = hCur;
                hCur = hNext;
            }
        }
        return t;
    }

    /** {@code erf(x) = 2/√π ∫₀ˣ exp(-t²) dt}. */
    public static double erf(double x) {
        double y = Math.abs(x);
        if (y <= THRESH) {
            // Cody's erf(x)/x = A(z)/B(z), z = x², evaluated as x + x·(A(z) - B(z))/B(z) so that
            // the rounding errors of the ratio are scaled by |(A - B)/B| <= 0.13.
            double z = y * y;
            double num = AB[0];
            double den = 1;
            for (int i = 0; i < 4; i++) {
                num = num * z + AB[i + 1];
                den = den * z + B[i];
            }
            return x + x * (num / den);
        }
        double r;
        if (y < 1.25) {
            // Taylor series around the nearest center c = k/8, |h| <= 1/16:
            // erf(c + h) = erf(c) + (2/√π) e^{-c²} Σ_{n>=0} (-1)^n H_n(c) h^{n+1} / (n+1)!
            // with the physicists' Hermite polynomials H_0 = 1, H_1 = 2c, H_{n+1} = 2c H_n - 2n H_{n-1}.
            int k = (int) Math.rint(y * 8);
            double c = k * 0.125;
            double h = y - c;
            double p = h;
            double hPrev = 1;
            double hCur = 2 * c;
            double s = h;
            for (int n = 1; n < TERMS; n++) {
                p = p * -h / (n + 1);
                s += hCur * p;
                double hNext = 2 * c * hCur - 2 * n * hPrev;
                hPrev = hCur;
                hCur = hNext;
            }
            r = CENTER_HI[k - 4] + (CENTER_LO[k - 4] + CENTER_SLOPE[k - 4] * s);
        } else if (y >= 6) {
            r = 1;
        } else {
            r = 1 - erfcAbove(y);
        }
        return x < 0 ? -r : r;
    }

    /** {@code erfc(y)} for {@code 1.25 <= y < 6} (NaN for NaN). */
    private static double erfcAbove(double y) {
        double r;
        if (y <= 4) {
            double num = C[8] * y;
            double den = y;
            for (int i = 0; i < 7; i++) {
                num = (num + C[i]) * y;
                den = (den + D[i]) * y;
            }
            r = (num + C[7]) / (den + D[7]);
        } else {
            double z = 1 / (y * y);
            double num = P[5] * z;
            double den = z;
            for (int i = 0; i < 4; i++) {
                num = (num + P[i]) * z;
                den = (den + Q[i]) * z;
            }
            r = z * (num + P[4]) / (den + Q[4]);
            r = (ONE_OVER_SQRT_PI - r) / y;
        }
        double s = (double) (long) (y * 16) / 16; // trunc(16y)/16; y < 6 here, so the cast is exact
        double del = (y - s) * (y + s);
        return StrictMath.exp(-s * s) * StrictMath.exp(-del) * r;
    }
}
