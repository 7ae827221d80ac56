package dev.nnc.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects diagnostics of one compilation. Errors are added, never thrown. */
public final class Diagnostics {
    private final List<Diagnostic> list = new ArrayList<>();
    /** The same diagnostics, for duplicate checks in constant time (files may have many errors). */
    private final Set<Diagnostic> seen = new HashSet<>();

    /** Adds an error whose message is the kind's template filled with {@code args}. */
    public Diagnostic error(ErrorKind kind, Span span, Object... args) {
        return add(new Diagnostic(kind, span, kind.format(args), null));
    }

    /** Adds an error with a hint line. */
    public Diagnostic errorWithHint(ErrorKind kind, Span span, String hint, Object... args) {
        return add(new Diagnostic(kind, span, kind.format(args), hint));
    }

    /** Adds {@code d} unless the very same diagnostic was already reported. */
    public Diagnostic add(Diagnostic d) {
        if (seen.add(d)) list.add(d);
        return d;
    }

    /** Gives every diagnostic added since position {@code from} that has no hint this one. */
    public void hintSince(int from, String hint) {
        for (int i = from; i < list.size(); i++) {
            Diagnostic d = list.get(i);
            if (d.hint() == null) {
                Diagnostic hinted = new Diagnostic(d.kind(), d.span(), d.message(), hint);
                list.set(i, hinted);
                seen.remove(d);
                seen.add(hinted);
            }
        }
    }

    public boolean hasErrors() {
        return !list.isEmpty();
    }

    public int count() {
        return list.size();
    }

    /** All diagnostics in the order they were reported. */
    public List<Diagnostic> all() {
        return Collections.unmodifiableList(list);
    }

    /** All diagnostics sorted by file position, for rendering. */
    public List<Diagnostic> sorted() {
        List<Diagnostic> copy = new ArrayList<>(list);
        copy.sort((a, b) -> {
            int c = a.span().file().compareTo(b.span().file());
            if (c != 0) return c;
            return Integer.compare(a.span().start(), b.span().start());
        });
        return copy;
    }
}
