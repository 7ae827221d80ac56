package dev.nnc.ir;

import dev.nnc.diag.ErrorKind;

/**
 * Thrown by {@link Graph}'s shape rules; the checker turns it into a diagnostic at the span of
 * the expression being built. Never escapes the compiler.
 */
public final class ShapeException extends RuntimeException {
    private final ErrorKind kind;
    private final transient Object[] args;

    public ShapeException(ErrorKind kind, Object... args) {
        super(kind.format(args), null, false, false);
        this.kind = kind;
        this.args = args.clone();
    }

    public ErrorKind kind() {
        return kind;
    }

    public Object[] args() {
        return args.clone();
    }
}
