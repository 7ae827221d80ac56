package dev.nnc.interp;

/**
 * The source of dropout masks in training mode: for a dropout site with probability {@code p},
 * the row-major mask of {@code numel} elements, each 0 or {@code 1/(1-p)}, in a fresh array
 * (the interpreter may round it in place).
 */
@FunctionalInterface
public interface DropoutMasks {
    double[] mask(int site, double p, int numel);

    /**
     * nnc's specified masks (see {@link Rng}): site {@code s} at training step {@code step}
     * draws {@code u} from {@code new Rng(Rng.mix(seed, step, s))}, one per element in
     * row-major order, and keeps the element iff {@code u >= p} with value
     * {@code 1.0 / (1.0 - p)}; otherwise 0. (So p = 0 keeps all with value 1, p = 1 drops all.)
     */
    static DropoutMasks seeded(long seed, long step) {
        return (site, p, numel) -> {
            Rng rng = new Rng(Rng.mix(seed, step, site));
            double keep = 1.0 / (1.0 - p);
            double[] m = new double[numel];
            for (int i = 0; i < numel; i++) m[i] = rng.nextDouble() >= p ? keep : 0.0;
            return m;
        };
    }
}
