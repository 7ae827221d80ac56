package dev.nnc.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable dense tensor: a dtype, a shape and the elements in row-major order.
 *
 * <p>Real tensors (F64, F32) hold their values as {@code double[]}; an F32 tensor's values are
 * rounded to {@code float} precision when it is created, so writing it (which narrows to
 * {@code float}) loses nothing and a write/read round trip gives back an equal tensor. Integer
 * tensors (I64, I32) hold {@code long[]}; an I32 tensor's values are checked to fit in {@code int}.
 *
 * <p>The shape is an {@code int[]} of non-negative dimensions; the empty shape {@code []} is a
 * scalar with one element, and a shape with a 0 dimension has no elements. The element count must
 * fit in an {@code int}.
 *
 * <p>Factories copy the arrays they are given and accessors return copies, so a {@code TensorData}
 * never changes. {@link #equals} compares dtype, shape and values bit for bit (NaN equals NaN,
 * {@code 0.0} differs from {@code -0.0}).
 */
public final class TensorData {
    private final DType dtype;
    private final int[] shape;
    private final int numel;
    private final double[] reals; // F64, F32; else null
    private final long[] ints;    // I64, I32; else null

    /** Takes ownership of the arrays; callers have validated them. */
    private TensorData(DType dtype, int[] shape, int numel, double[] reals, long[] ints) {
        this.dtype = dtype;
        this.shape = shape;
        this.numel = numel;
        this.reals = reals;
        this.ints = ints;
    }

    /** An F64 tensor; {@code values} holds {@code numel(shape)} elements in row-major order. */
    public static TensorData f64(int[] shape, double[] values) {
        return ofDoubles(DType.F64, shape, values);
    }

    /** An F32 tensor from doubles; each value is rounded to the nearest {@code float}. */
    public static TensorData f32(int[] shape, double[] values) {
        return ofDoubles(DType.F32, shape, values);
    }

    /** An F32 tensor from floats (held widened to {@code double}). */
    public static TensorData f32(int[] shape, float[] values) {
        int n = checkShape(shape, values.length);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = values[i];
        return new TensorData(DType.F32, shape.clone(), n, v, null);
    }

    /** An I64 tensor. */
    public static TensorData i64(int[] shape, long[] values) {
        return ofLongs(DType.I64, shape, values);
    }

    /** An I32 tensor from ints (held widened to {@code long}). */
    public static TensorData i32(int[] shape, int[] values) {
        int n = checkShape(shape, values.length);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = values[i];
        return new TensorData(DType.I32, shape.clone(), n, null, v);
    }

    /**
     * An I32 tensor from longs.
     *
     * @throws IllegalArgumentException if a value does not fit in {@code int}
     */
    public static TensorData i32(int[] shape, long[] values) {
        return ofLongs(DType.I32, shape, values);
    }

    /**
     * A tensor of any dtype from doubles. For F32 the values are rounded to {@code float}; for I64
     * and I32 every value must be an integer in the dtype's range.
     *
     * @throws IllegalArgumentException if the shape is invalid, the value count does not match it,
     *                                  or a value cannot be represented exactly in an integer dtype
     */
    public static TensorData ofDoubles(DType dtype, int[] shape, double[] values) {
        Objects.requireNonNull(dtype, "dtype");
        int n = checkShape(shape, values.length);
        switch (dtype) {
            case F64:
                return new TensorData(dtype, shape.clone(), n, values.clone(), null);
            case F32: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = (float) values[i];
                return new TensorData(dtype, shape.clone(), n, v, null);
            }
            default: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    double d = values[i];
                    if (!isLong(d) || (dtype == DType.I32 && (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE))) {
                        throw new IllegalArgumentException(
                                "element " + i + " (" + d + ") is not representable as " + dtype);
                    }
                    v[i] = (long) d;
                }
                return new TensorData(dtype, shape.clone(), n, null, v);
            }
        }
    }

    /**
     * A tensor of any dtype from longs. For I32 every value must fit in {@code int}; for F64 and F32
     * the values are converted to the nearest representable real (exact up to 2^53 for F64, 2^24 for
     * F32).
     *
     * @throws IllegalArgumentException if the shape is invalid, the value count does not match it,
     *                                  or an I32 value is out of range
     */
    public static TensorData ofLongs(DType dtype, int[] shape, long[] values) {
        Objects.requireNonNull(dtype, "dtype");
        int n = checkShape(shape, values.length);
        switch (dtype) {
            case I64:
                return new TensorData(dtype, shape.clone(), n, null, values.clone());
            case I32:
                for (int i = 0; i < n; i++) {
                    if (values[i] != (int) values[i]) {
                        throw new IllegalArgumentException(
                                "element " + i + " (" + values[i] + ") does not fit in I32");
                    }
                }
                return new TensorData(dtype, shape.clone(), n, null, values.clone());
            default: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = dtype == DType.F32 ? (float) values[i] : (double) values[i];
                return new TensorData(dtype, shape.clone(), n, v, null);
            }
        }
    }

    /** Used by the reader: arrays already have the right length and ranges; no copy. */
    static TensorData ofTrustedReals(DType dtype, int[] shape, double[] values) {
        return new TensorData(dtype, shape, values.length, values, null);
    }

    /** Used by the reader: arrays already have the right length and ranges; no copy. */
    static TensorData ofTrustedInts(DType dtype, int[] shape, long[] values) {
        return new TensorData(dtype, shape, values.length, null, values);
    }

    /**
     * The number of elements of a shape: the product of its dimensions (1 for {@code []}).
     *
     * @throws IllegalArgumentException if a dimension is negative or the product exceeds
     *                                  {@link Integer#MAX_VALUE}
     */
    public static int numel(int[] shape) {
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        boolean zero = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(
                        "negative dimension " + shape[i] + " at index " + i + " of shape " + Arrays.toString(shape));
            }
            if (shape[i] == 0) zero = true;
        }
        if (zero) return 0;
        for (int d : shape) {
            n *= d; // n <= 2^31-1 and d <= 2^31-1, so no long overflow
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more than " + Integer.MAX_VALUE + " elements");
            }
        }
        return (int) n;
    }

    private static int checkShape(int[] shape, int valueCount) {
        int n = numel(shape);
        if (n != valueCount) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n
                    + " elements but " + valueCount + " values were given");
        }
        return n;
    }

    private static boolean isLong(double d) {
        // NaN fails the first test; -2^63 is a long, 2^63 is not.
        return d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape; {@code []} for a scalar. */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** The number of elements: the product of the shape (1 for a scalar, 0 if a dimension is 0). */
    public int numel() {
        return numel;
    }

    /** The size of the tensor's data in a safetensors file: {@code numel() * dtype().byteSize()}. */
    public long byteSize() {
        return (long) numel * dtype.byteSize();
    }

    /**
     * A copy of the values as doubles. Integer tensors are converted ({@code long} values beyond
     * 2^53 are rounded to the nearest double).
     */
    public double[] asDoubles() {
        if (reals != null) return reals.clone();
        double[] v = new double[numel];
        for (int i = 0; i < numel; i++) v[i] = ints[i];
        return v;
    }

    /**
     * A copy of the values as longs. Real tensors are converted only if every value is an integer
     * in {@code long} range.
     *
     * @throws ArithmeticException if a real value is fractional, infinite, NaN or out of range
     */
    public long[] asLongs() {
        if (ints != null) return ints.clone();
        long[] v = new long[numel];
        for (int i = 0; i < numel; i++) {
            double d = reals[i];
            if (!isLong(d)) {
                throw new ArithmeticException("element " + i + " (" + d + ") of a " + dtype
                        + " tensor is not an integer in long range");
            }
            v[i] = (long) d;
        }
        return v;
    }

    /** Element {@code i} (row-major) of a real tensor, without copying. */
    double realAt(int i) {
        return reals[i];
    }

    /** Element {@code i} (row-major) of an integer tensor, without copying. */
    long intAt(int i) {
        return ints[i];
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof TensorData)) return false;
        TensorData t = (TensorData) o;
        return dtype == t.dtype && Arrays.equals(shape, t.shape)
                && Arrays.equals(reals, t.reals) && Arrays.equals(ints, t.ints);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(reals), Arrays.hashCode(ints));
    }

    /** A short description, such as {@code F32[2, 3]}, followed by up to 8 values. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(dtype).append(Arrays.toString(shape)).append(" {");
        int shown = Math.min(numel, 8);
        for (int i = 0; i < shown; i++) {
            if (i > 0) sb.append(", ");
            if (reals != null) sb.append(reals[i]); else sb.append(ints[i]);
        }
        if (shown < numel) sb.append(", ... (").append(numel).append(" elements)");
        return sb.append('}').toString();
    }
}
