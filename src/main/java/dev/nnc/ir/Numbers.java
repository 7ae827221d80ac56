package dev.nnc.ir;

/** How numbers of a model are shown to users. */
public final class Numbers {
    private Numbers() {}

    /** A number as a user wrote it: {@code 3} rather than {@code 3.0}. */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
