package dev.nnc.diag;

/**
 * One error found in a source file: a value, collected by {@link Diagnostics}, never thrown.
 *
 * @param kind    the stable error kind
 * @param span    where it is
 * @param message the message, already formatted, in words a user can act on
 * @param hint    an optional suggestion ("did you mean 'w1'?"), or {@code null}
 */
public record Diagnostic(ErrorKind kind, Span span, String message, String hint) {
    public Diagnostic {
        if (kind == null || span == null || message == null) throw new NullPointerException();
    }
}
