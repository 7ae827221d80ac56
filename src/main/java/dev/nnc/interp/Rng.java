package dev.nnc.interp;

/**
 * The deterministic random numbers of nnc, specified exactly so that generated Java code
 * reproduces them bit for bit (all arithmetic is {@code long} two's-complement and IEEE
 * {@code double}; the transcendental functions are {@link StrictMath}'s).
 *
 * <h2>The generator: SplitMix64</h2>
 * A 64-bit {@code state}; each {@link #next()} does
 * <pre>{@code
 * state += 0x9E3779B97F4A7C15L;
 * return fmix(state);
 * }</pre>
 * where {@code fmix} is the SplitMix64 finalizer ({@link #fmix}):
 * <pre>{@code
 * z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
 * z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
 * return z ^ (z >>> 31);
 * }</pre>
 * A stream is created with {@code new Rng(seed)}, which sets {@code state = seed}.
 *
 * <h2>Derived values</h2>
 * <ul>
 *   <li>{@link #nextDouble()} = {@code (next() >>> 11) * 0x1.0p-53}: uniform in [0, 1), 53 bits.
 *   <li>{@link #nextGaussian()}: Box–Muller without caching, two uniforms per value:
 *       {@code u1 = nextDouble(); u2 = nextDouble();}
 *       {@code return StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1)) * StrictMath.cos(TWO_PI * u2);}
 *       with {@code TWO_PI = 2 * Math.PI} (the double {@code 6.283185307179586}). {@code 1 − u1}
 *       lies in (0, 1], so the logarithm is finite. The sine partner is discarded.
 * </ul>
 *
 * <h2>Stream seeds: {@link #mix}</h2>
 * <pre>{@code
 * mix(seed, k1, ..., kn):  h = seed;  for each k in order: h = fmix(h * 0x9E3779B97F4A7C15L + k);  return h
 * }</pre>
 * So {@code mix(seed, i) = fmix(seed * G + i)} and
 * {@code mix(seed, t, s) = fmix(fmix(seed * G + t) * G + s)} with {@code G = 0x9E3779B97F4A7C15L}.
 * <ul>
 *   <li>Initialization: param number {@code i} (declaration order, from 0) draws from
 *       {@code new Rng(mix(seed, i))}, one or two draws per element in row-major order (see
 *       {@link Initializers}).
 *   <li>Dropout: the mask of dropout site {@code s} at training step {@code t} (from 0) draws
 *       from {@code new Rng(mix(seed, t, s))}, one {@code nextDouble()} {@code u} per element in
 *       row-major order; the element is kept (value {@code 1.0 / (1.0 - p)}) iff {@code u >= p},
 *       else it is 0 (see {@link DropoutMasks#seeded}).
 * </ul>
 */
public final class Rng {
    /** The SplitMix64 increment, the golden-ratio constant {@code 0x9E3779B97F4A7C15L}. */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** {@code 2π} as used by {@link #nextGaussian()}. */
    public static final double TWO_PI = 2 * Math.PI;

    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The SplitMix64 finalizer (a bijection of 64-bit values). */
    public static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** {@code h = seed; for each k: h = fmix(h * GOLDEN + k)}. */
    public static long mix(long seed, long... keys) {
        long h = seed;
        for (long k : keys) h = fmix(h * GOLDEN + k);
        return h;
    }

    /** The next 64 random bits. */
    public long next() {
        state += GOLDEN;
        return fmix(state);
    }

    /** Uniform in [0, 1): {@code (next() >>> 11) * 0x1.0p-53}. */
    public double nextDouble() {
        return (next() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal by Box–Muller from two consecutive {@link #nextDouble()} values. */
    public double nextGaussian() {
        double u1 = nextDouble();
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1)) * StrictMath.cos(TWO_PI * u2);
    }
}
