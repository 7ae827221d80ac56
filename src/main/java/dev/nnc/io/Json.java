package dev.nnc.io;

import dev.nnc.io.JsonReader.JsonException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as trees of plain Java values, for the metadata nnc keeps inside safetensors files (the
 * training metadata of {@code nnc train --save}). One JSON stack for the project: parsing goes
 * through the strict {@link JsonReader} of the safetensors header, with its nesting limit of
 * {@value JsonReader#MAX_DEPTH} levels, so no input, however deep, can exhaust the stack.
 *
 * <p>Trees: objects are {@link LinkedHashMap}s from names to values (in document order),
 * arrays {@link List}s, strings {@link String}s, numbers {@link Double}s, {@code true} and
 * {@code false} {@link Boolean}s, {@code null} {@code null}. Both returned collections are
 * unmodifiable.
 */
public final class Json {
    private Json() {}

    /** Text that is not one strict JSON value, or nests deeper than the limit. */
    public static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses one JSON value (RFC 8259, strictly: see {@link JsonReader}). A member name given
     * twice in one object is an error.
     *
     * @throws SyntaxException saying what is wrong and at which character
     */
    public static Object parse(String text) throws SyntaxException {
        JsonReader r = new JsonReader(text);
        try {
            Object v = value(r, Double::parseDouble); // the grammar is checked: always parses
            r.expectEnd();
            return v;
        } catch (JsonException e) {
            throw new SyntaxException(e.getMessage() + " (at character " + e.index + ")");
        }
    }

    /**
     * The tree of the next value, numbers made by {@code number} from their text. Recursion is
     * bounded: readObject and readArray refuse to nest deeper than {@link JsonReader#MAX_DEPTH}.
     */
    static Object value(JsonReader r, java.util.function.Function<String, Object> number) throws JsonException {
        switch (r.peek()) {
            case OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                r.readObject((name, at) -> {
                    if (m.containsKey(name)) throw new JsonException("member \"" + name + "\" is given twice", at, false);
                    m.put(name, value(r, number));
                });
                return Collections.unmodifiableMap(m);
            }
            case ARRAY: {
                List<Object> l = new ArrayList<>();
                r.readArray(i -> l.add(value(r, number)));
                return Collections.unmodifiableList(l);
            }
            case STRING:
                return r.readString();
            case NUMBER:
                return number.apply(r.readNumber());
            case NULL:
                r.readNull();
                return null;
            default: { // true or false
                boolean b = r.peek() == JsonReader.Kind.TRUE;
                r.skipValue();
                return b;
            }
        }
    }

    /**
     * Writes a tree as compact JSON: maps (keys as strings), lists, strings, booleans,
     * {@code null}, and finite numbers (integral values below 10^15 without a fraction).
     *
     * @throws IllegalArgumentException for a non-finite number, another type, or a tree nested
     *                                  deeper than {@link #parse} reads back
     */
    public static String write(Object tree) {
        StringBuilder sb = new StringBuilder();
        write(sb, tree, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            JsonWriter.appendQuoted(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (v instanceof Integer || v instanceof Long) {
            sb.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) throw new IllegalArgumentException("JSON cannot hold the number " + d);
            if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d);
            else sb.append(d);
        } else if (v instanceof Map<?, ?> m) {
            nest(depth);
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                JsonWriter.appendQuoted(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            nest(depth);
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(',');
                write(sb, l.get(i), depth + 1);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
        }
    }

    private static void nest(int depth) {
        if (depth >= JsonReader.MAX_DEPTH) {
            throw new IllegalArgumentException("JSON nested deeper than " + JsonReader.MAX_DEPTH + " levels would not read back");
        }
    }
}
