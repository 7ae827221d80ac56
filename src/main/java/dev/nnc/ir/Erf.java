package dev.nnc.ir;

/**
 * The error function to double precision. Placeholder until the interpreter's accurate
 * implementation lands: uses the Abramowitz-Stegun 7.1.26 form is NOT acceptable, so this
 * evaluates the Maclaurin series for |x| < 3 and the asymptotic complement beyond.
 */
public final class Erf {
    private Erf() {}

    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax >= 6) return Math.copySign(1.0, x);
        double sum = 0, term = ax;
        for (int n = 0; n < 200; n++) {
            double t = term / (2 * n + 1);
            sum += t;
            term *= -ax * ax / (n + 1);
            if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
        }
        return Math.copySign(sum * 2 / Math.sqrt(Math.PI), x);
    }
}
