package dev.nnc.check;

import dev.nnc.diag.Span;
import dev.nnc.ir.Node;
import java.util.LinkedHashMap;
import java.util.Map;

/** The names visible in a model body or a function body. */
final class Scope {
    /** What a name is bound to. */
    enum What {
        DIM("dim"), CONST("const"), INPUT("input"), PARAM("param"), BUFFER("buffer"), LOCAL("local"), FN_PARAM("parameter");

        final String word;

        What(String word) {
            this.word = word;
        }
    }

    /**
     * One binding. {@code node} is null for a dim, and for a local whose definition had an
     * error (a poisoned name: uses of it report nothing more).
     */
    record Binding(What what, String name, Node node, double constValue, Span span) {
        boolean fixed() {
            return what != What.LOCAL;
        }
    }

    final Map<String, Binding> names = new LinkedHashMap<>();

    Binding get(String name) {
        return names.get(name);
    }

    void put(Binding b) {
        names.put(b.name(), b);
    }
}
