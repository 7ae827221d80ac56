package dev.nnc.ir;

/**
 * One dimension of a shape: either a static size, or a runtime {@code dim} known by name.
 * A runtime dim matches only itself (or a static 1, which broadcasts).
 */
public record Dim(int size, String symbol) {
    public Dim {
        if (symbol == null && size < 0) throw new IllegalArgumentException("negative dimension " + size);
    }

    public static Dim of(int size) {
        return new Dim(size, null);
    }

    public static Dim sym(String name) {
        return new Dim(-1, name);
    }

    public boolean isStatic() {
        return symbol == null;
    }

    public boolean isOne() {
        return symbol == null && size == 1;
    }

    @Override
    public String toString() {
        return symbol == null ? Integer.toString(size) : symbol;
    }
}
