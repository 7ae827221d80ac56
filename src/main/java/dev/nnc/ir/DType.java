package dev.nnc.ir;

/** Element type of a graph value: real numbers (f32/f64 chosen at code generation) or integer labels. */
public enum DType {
    REAL,
    INT
}
