package dev.nnc.bench;

/**
 * The floating-point throughput the host gives this thread right now, as a reference beside
 * {@link AppLoop}'s timed blocks: twelve independent chains of {@code Math.fma} (scalar fused
 * multiply-adds, which run on the same pipes as the generated classes' vector ones), timed for
 * about a millisecond.
 *
 * <p>Why: on this project's 2-core virtual machine, W1's inference ran 15–20% slower for 20 to
 * 90 seconds at a time inside one JVM, with the same compiled code and the same arrays, and the
 * same JVM then ran fast again. Over those periods this rate fell too (by 9–17%), as did a
 * Vector API fma loop's, while a chain of dependent operations (the clock) moved by a few
 * percent at most and an L2 read stream not at all: something outside the virtual machine
 * shared the core's floating-point pipes (as the other hardware thread of a host core does).
 * Other processes inside the machine show in AppLoop's {@code others_cpu}; this shows the host.
 */
final class HostSpeed {
    private HostSpeed() {}

    private static final int STEPS = 400_000;
    private static float sink;

    /** GFLOP/s of {@value #STEPS} steps of twelve independent fused multiply-add chains (two flops each). */
    static double fmaGflops() {
        long t0 = System.nanoTime();
        sink += chains(STEPS);
        long t1 = System.nanoTime();
        return STEPS * 12 * 2.0 / Math.max(1, t1 - t0);
    }

    /**
     * Nanoseconds per step of {@value #STEPS} steps of one chain of dependent multiplications and
     * additions: the core's clock as this thread sees it, which a shared floating-point pipe barely
     * changes (each step waits for the one before).
     */
    static double clockNs() {
        long t0 = System.nanoTime();
        sink += chain(STEPS);
        long t1 = System.nanoTime();
        return (t1 - t0) / (double) STEPS;
    }

    /** Runs both measurements until C2 has compiled them (a few milliseconds). */
    static void warmUp() {
        for (int i = 0; i < 3_000; i++) sink += chains(200) + chain(200);
    }

    private static float chain(int n) {
        double x = sink;
        for (int i = 0; i < n; i++) x = x * 0.999999 + 0.5;
        return (float) x;
    }

    private static float chains(int n) {
        float a = 0.999f, b = 1e-3f;
        float c0 = 1, c1 = 2, c2 = 3, c3 = 4, c4 = 5, c5 = 6, c6 = 7, c7 = 8, c8 = 9, c9 = 10, c10 = 11, c11 = 12;
        // written out, a local each: twelve chains in twelve registers, enough to keep two FMA pipes busy past their
        // latency. Over an array C2 would vectorize the twelve (superword) or keep them in memory, and measure that instead
        for (int i = 0; i < n; i++) {
            c0 = Math.fma(c0, a, b);
            c1 = Math.fma(c1, a, b);
            c2 = Math.fma(c2, a, b);
            c3 = Math.fma(c3, a, b);
            c4 = Math.fma(c4, a, b);
            c5 = Math.fma(c5, a, b);
            c6 = Math.fma(c6, a, b);
            c7 = Math.fma(c7, a, b);
            c8 = Math.fma(c8, a, b);
            c9 = Math.fma(c9, a, b);
            c10 = Math.fma(c10, a, b);
            c11 = Math.fma(c11, a, b);
        }
        return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
    }
}
