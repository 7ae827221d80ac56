package dev.nnc.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The shape of a tensor: a list of dims, {@code []} for a scalar. Immutable. */
public record Shape(List<Dim> dims) {
    public static final Shape SCALAR = new Shape(List.of());

    public Shape {
        dims = List.copyOf(dims);
    }

    public static Shape of(int... sizes) {
        List<Dim> ds = new ArrayList<>();
        for (int s : sizes) ds.add(Dim.of(s));
        return new Shape(ds);
    }

    public static Shape of(Dim... dims) {
        return new Shape(Arrays.asList(dims));
    }

    public int rank() {
        return dims.size();
    }

    public Dim get(int i) {
        return dims.get(i);
    }

    /** The dim counted from the end: {@code last(1)} is the last one. */
    public Dim last(int k) {
        return dims.get(dims.size() - k);
    }

    public boolean isScalar() {
        return dims.isEmpty();
    }

    public boolean isStatic() {
        for (Dim d : dims) if (!d.isStatic()) return false;
        return true;
    }

    /** The product of the static dims (the symbolic ones count as 1). May exceed int range. */
    public long staticProduct() {
        long p = 1;
        for (Dim d : dims) {
            if (!d.isStatic()) continue;
            try {
                p = Math.multiplyExact(p, (long) d.size());
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return p;
    }

    /** The element count; throws {@link ArithmeticException} beyond the range of a long. */
    public Size numel() {
        return Size.product(dims);
    }

    /** Row-major strides, in elements. */
    public List<Size> strides() {
        List<Size> out = new ArrayList<>();
        Size acc = Size.ONE;
        for (int i = dims.size() - 1; i >= 0; i--) {
            out.add(0, acc);
            acc = acc.times(Size.of(dims.get(i)));
        }
        return out;
    }

    /** True when both shapes have the same element count for every binding of the runtime dims. */
    public boolean sameNumel(Shape other) {
        return staticProduct() == other.staticProduct() && symbols().equals(other.symbols());
    }

    /** The runtime dim names, sorted, with repetition. */
    private List<String> symbols() {
        List<String> s = new ArrayList<>();
        for (Dim d : dims) if (!d.isStatic()) s.add(d.symbol());
        s.sort(null);
        return s;
    }

    /** The element count once runtime dims are bound. */
    public int numel(Map<String, Integer> dimValues) {
        long p = 1;
        for (Dim d : dims) {
            p *= d.isStatic() ? d.size() : dimValues.get(d.symbol());
            if (p > Integer.MAX_VALUE) throw new ArithmeticException("tensor of shape " + this + " is too large");
        }
        return (int) p;
    }

    /** The concrete sizes once runtime dims are bound. */
    public int[] sizes(Map<String, Integer> dimValues) {
        int[] r = new int[dims.size()];
        for (int i = 0; i < r.length; i++) {
            Dim d = dims.get(i);
            r[i] = d.isStatic() ? d.size() : dimValues.get(d.symbol());
        }
        return r;
    }

    public Shape with(int axis, Dim d) {
        List<Dim> ds = new ArrayList<>(dims);
        ds.set(axis, d);
        return new Shape(ds);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(dims.get(i));
        }
        return sb.append(']').toString();
    }
}
