package dev.nnc.diag;

/**
 * A region of a source file: 1-based line and column of its first character, and the
 * 0-based character offsets {@code [start, end)} into the file's text.
 */
public record Span(String file, int line, int col, int start, int end) {
    /** A span for things that have no place in a source file (built-in names, synthesized nodes). */
    public static final Span NONE = new Span("<builtin>", 0, 0, 0, 0);

    public boolean isNone() {
        return line <= 0;
    }

    /** The smallest span covering both. */
    public Span to(Span other) {
        if (isNone()) return other;
        if (other.isNone()) return this;
        Span first = start <= other.start ? this : other;
        return new Span(file, first.line, first.col, Math.min(start, other.start), Math.max(end, other.end));
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + col;
    }
}
