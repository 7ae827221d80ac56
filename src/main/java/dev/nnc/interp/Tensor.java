package dev.nnc.interp;

import dev.nnc.ir.DType;
import java.util.Arrays;

/**
 * A dense tensor value: a shape and row-major elements, immutable by convention.
 *
 * <p>Real tensors ({@link DType#REAL}) and integer label tensors ({@link DType#INT}) share one
 * representation: the elements live in a {@code double[]}. An integer tensor's elements are
 * integral doubles, checked on construction; every {@code long} of magnitude at most
 * 2<sup>53</sup> is represented exactly, far beyond any class count, so nothing is lost.
 * Sharing the representation lets reshape, broadcast and slice kernels move labels like reals.
 *
 * <p>{@link #data()} and {@link #shape()} return the backing arrays without copying (the
 * interpreter is a reference evaluator and avoids needless copies): callers must not modify
 * them. The public factories copy their arguments.
 */
public final class Tensor {
    private final int[] shape;
    private final double[] data;
    private final DType dtype;

    /** Wraps the arrays without copying or validating (for kernels, which own them). */
    Tensor(int[] shape, double[] data, DType dtype) {
        this.shape = shape;
        this.data = data;
        this.dtype = dtype;
    }

    /** A real tensor; {@code data.length} must be the product of {@code shape}. */
    public static Tensor of(int[] shape, double... data) {
        return new Tensor(checkShape(shape, data.length), data.clone(), DType.REAL);
    }

    /** A real scalar (shape {@code []}). */
    public static Tensor scalar(double v) {
        return new Tensor(new int[0], new double[] {v}, DType.REAL);
    }

    /** A 1-D real tensor. */
    public static Tensor vector(double... data) {
        return new Tensor(new int[] {data.length}, data.clone(), DType.REAL);
    }

    /** A real tensor of zeros. */
    public static Tensor zeros(int... shape) {
        return new Tensor(shape.clone(), new double[numel(shape)], DType.REAL);
    }

    /** A real tensor filled with {@code v}. */
    public static Tensor filled(double v, int... shape) {
        double[] d = new double[numel(shape)];
        Arrays.fill(d, v);
        return new Tensor(shape.clone(), d, DType.REAL);
    }

    /** An integer (label) tensor; every value must have magnitude at most 2^53. */
    public static Tensor labels(int[] shape, long... values) {
        checkShape(shape, values.length);
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            if (Math.abs(values[i]) > (1L << 53)) {
                throw new IllegalArgumentException("label " + values[i] + " is too large (magnitude above 2^53)");
            }
            d[i] = values[i];
        }
        return new Tensor(shape.clone(), d, DType.INT);
    }

    /** An integer tensor from doubles, each of which must be an integer value. */
    public static Tensor labels(int[] shape, double... values) {
        checkShape(shape, values.length);
        for (double v : values) {
            if (v != Math.rint(v) || Math.abs(v) > 0x1p53) {
                throw new IllegalArgumentException("label " + v + " is not an integer");
            }
        }
        return new Tensor(shape.clone(), values.clone(), DType.INT);
    }

    private static int[] checkShape(int[] shape, int length) {
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        long n = 1;
        for (int s : shape) n *= s;
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n + " elements, got " + length + " values");
        }
        return shape.clone();
    }

    /** The element count of {@code shape}. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= s;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
        }
        return (int) n;
    }

    /** The sizes (backing array: do not modify). */
    public int[] shape() {
        return shape;
    }

    /** The row-major elements (backing array: do not modify). */
    public double[] data() {
        return data;
    }

    public DType dtype() {
        return dtype;
    }

    public boolean isInt() {
        return dtype == DType.INT;
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return data.length;
    }

    /** The single element of a one-element tensor. */
    public double item() {
        if (data.length != 1) throw new IllegalStateException("item() of a tensor with shape " + shapeString(shape));
        return data[0];
    }

    /** The element at a multi-index. */
    public double get(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException("index rank " + index.length + " for shape " + shapeString(shape));
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " for shape " + shapeString(shape));
            off = off * shape[i] + index[i];
        }
        return data[off];
    }

    /** A copy of the elements. */
    public double[] toArray() {
        return data.clone();
    }

    /** The same elements under another shape with the same element count. */
    public Tensor reshape(int... newShape) {
        return new Tensor(checkShape(newShape, data.length), data, dtype);
    }

    /** {@code [2, 3]}, {@code []}. */
    public static String shapeString(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }

    /** Equal dtype, shape and elements (elements compared as {@link Double#compare}, so NaN equals NaN). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(isInt() ? "int" : "").append(shapeString(shape)).append(' ');
        int n = Math.min(data.length, 20);
        sb.append('{');
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(isInt() ? Long.toString((long) data[i]) : Double.toString(data[i]));
        }
        if (data.length > n) sb.append(", …");
        return sb.append('}').toString();
    }
}
