package dev.nnc.io;

import java.util.Optional;

/**
 * The element types nnc reads and writes in safetensors files. The constant names are exactly the
 * dtype strings of the safetensors header ({@code "F64"}, {@code "F32"}, {@code "I64"}, {@code "I32"}).
 * Other safetensors dtypes (F16, BF16, U8, BOOL, ...) are rejected when reading.
 */
public enum DType {
    /** IEEE 754 binary64, 8 bytes little-endian. */
    F64(8, true),
    /** IEEE 754 binary32, 4 bytes little-endian; held as {@code double} in memory. */
    F32(4, true),
    /** Two's-complement 64-bit signed integer, 8 bytes little-endian. */
    I64(8, false),
    /** Two's-complement 32-bit signed integer, 4 bytes little-endian; held as {@code long} in memory. */
    I32(4, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** The size in bytes of one element in the file. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Whether values are real numbers (F64, F32), held as {@code double[]}; otherwise they are
     * integers (I64, I32), held as {@code long[]}.
     */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The dtype whose safetensors name is exactly {@code name} (case-sensitive), if nnc supports it. */
    public static Optional<DType> fromName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) return Optional.of(t);
        }
        return Optional.empty();
    }
}
