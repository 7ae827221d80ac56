package dev.nnc.ops;

import dev.nnc.ops.Windows.Plane;

/**
 * The interpreter's kernels of the window ops: textbook loops in double over NCHW arrays, each
 * sum taken over the channels of the group, then the kernel rows, then the kernel columns, in
 * ascending order. Positions in the padding are skipped (they hold zeros for a convolution and
 * take no part in a max).
 */
final class WindowEval {
    private WindowEval() {}

    /** Calls {@code term} for every product of a convolution: batch {@code b}, output {@code (o, oy, ox)}, weight {@code wi}, input {@code xi}. */
    private interface Term {
        void add(int out, int wi, int xi);
    }

    private static void each(Plane g, int n, Term term) {
        int cg = g.cg(), og = g.og();
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < g.outChannels(); o++) {
                int c0 = o / og * cg;
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int out = ((b * g.outChannels() + o) * g.oh() + oy) * g.ow() + ox;
                        for (int c = 0; c < cg; c++) {
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = oy * g.sh() - g.ph() + ky * g.dh();
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = ox * g.sw() - g.pw() + kx * g.dw();
                                    if (ix < 0 || ix >= g.w()) continue;
                                    term.add(out, ((o * cg + c) * g.kh() + ky) * g.kw() + kx, ((b * g.channels() + c0 + c) * g.h() + iy) * g.w() + ix);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code out[b, o, oy, ox] = Σ w[o, c, ky, kx] · x[b, group's c, iy, ix]}. */
    static double[] conv(Plane g, int n, double[] x, double[] w) {
        double[] out = new double[n * g.outChannels() * g.p()];
        each(g, n, (o, wi, xi) -> out[o] += w[wi] * x[xi]);
        return out;
    }

    /** The gradient of a convolution with respect to its input, for output gradient {@code dy}. */
    static double[] inputGrad(Plane g, int n, double[] dy, double[] w) {
        double[] dx = new double[n * g.channels() * g.hw()];
        each(g, n, (o, wi, xi) -> dx[xi] += w[wi] * dy[o]);
        return dx;
    }

    /** The gradient of a convolution with respect to its weight, for input {@code x} and output gradient {@code dy}. */
    static double[] weightGrad(Plane g, int n, double[] x, double[] dy) {
        double[] dw = new double[g.outChannels() * g.k()];
        each(g, n, (o, wi, xi) -> dw[wi] += dy[o] * x[xi]);
        return dw;
    }

    /**
     * Calls {@code at(out, in)} for each output of a max pool over {@code keys} with the index of
     * the first maximal element of its window in row-major order (a NaN counts as the maximum:
     * the first NaN of a window wins, as in PyTorch, which propagates it).
     */
    private interface At {
        void at(int out, int in);
    }

    private static void argmax(Plane g, int n, double[] keys, At at) {
        int planes = n * g.channels();
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    int best = -1;
                    double bv = 0;
                    for (int ky = 0; ky < g.kh(); ky++) {
                        int iy = oy * g.sh() - g.ph() + ky * g.dh();
                        if (iy < 0 || iy >= g.h()) continue;
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int ix = ox * g.sw() - g.pw() + kx * g.dw();
                            if (ix < 0 || ix >= g.w()) continue;
                            int i = (pl * g.h() + iy) * g.w() + ix;
                            double v = keys[i];
                            if (best < 0 || v > bv || (v != v && bv == bv)) {
                                best = i;
                                bv = v;
                            }
                        }
                    }
                    at.at((pl * g.oh() + oy) * g.ow() + ox, best);
                }
            }
        }
    }

    /** {@code out[b, c, oy, ox] = values[b, c, at the first maximum of keys' window]}. */
    static double[] maxPool(Plane g, int n, double[] keys, double[] values) {
        double[] out = new double[n * g.channels() * g.p()];
        argmax(g, n, keys, (o, i) -> out[o] = values[i]);
        return out;
    }

    /** {@code v} added at the first maximum of each window of {@code keys}; zero elsewhere. */
    static double[] maxUnpool(Plane g, int n, double[] keys, double[] v) {
        double[] out = new double[keys.length];
        argmax(g, n, keys, (o, i) -> out[i] += v[o]);
        return out;
    }
}
