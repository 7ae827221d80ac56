package dev.nnc.codegen;

import dev.nnc.ir.Size;

/**
 * Scratch memory that a kernel declares it needs: an instance field of the generated class
 * ({@code field}), shared by every kernel that declares the same field, grown before a call to
 * the largest size any kernel of the call needs, and passed to the kernel as parameter
 * {@code param}. Kernels whose rows split over threads get one per worker ({@code field + "s"}).
 *
 * @param field   the field of the generated class
 * @param param   the kernel method's parameter
 * @param rows    for an array of rows ({@code T[][]}): at least this many rows; null for a flat array
 * @param width   elements of the flat array, or of each row
 * @param perLane whether {@code width} is per lane of the vector species ({@code width * SPECIES.length()})
 * @param doc     the field's javadoc
 */
record Scratch(String field, String param, Size rows, Size width, boolean perLane, String doc) {
    /** A flat array of {@code width} elements. */
    static Scratch flat(String field, String param, Size width, String doc) {
        return new Scratch(field, param, null, width, false, doc);
    }

    boolean isRows() {
        return rows != null;
    }

    /** The field holding one such scratch per worker thread. */
    String perWorkerField() {
        return field + "s";
    }
}
