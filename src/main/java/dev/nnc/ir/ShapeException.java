package dev.nnc.ir;

import dev.nnc.diag.ErrorKind;

/**
 * Thrown by {@link Graph}'s shape rules; the checker turns it into a diagnostic at the span of
 * the expression being built. Never escapes the compiler.
 */
public final class ShapeException extends RuntimeException {
    private final ErrorKind kind;
    private final transient Object[] args;
    private String hint;

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

    /** Adds a hint (how to fix it) to the diagnostic; returns this exception. */
    public ShapeException withHint(String hint) {
        this.hint = hint;
        return this;
    }

    /** The hint, or null. */
    public String hint() {
        return hint;
    }
}
