package dev.nnc.train;

import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * How the values of a class-label column become the class ids an {@code int[batch]} input
 * takes, and back: integer labels ({@code 0}, {@code 2.0}, {@code +1}) are the ids themselves;
 * otherwise (any label that is not an integer, such as {@code red}) every distinct text is a
 * class, numbered in sorted order, and the names are saved with the parameters.
 *
 * @param names the class names by id, or null for integer labels
 */
public record ClassLabels(List<String> names) {
    /** Integer labels: the ids as written. */
    public static final ClassLabels INTEGERS = new ClassLabels(null);

    public ClassLabels {
        names = names == null ? null : List.copyOf(names);
    }

    public boolean integers() {
        return names == null;
    }

    /**
     * The labels of column {@code col} of {@code t}: integers if every present value is one,
     * else the sorted distinct values.
     *
     * @param classes the model's class count, or 0 when unknown
     * @throws DataException if there are more distinct text labels than classes
     */
    public static ClassLabels fit(Csv.Table t, int col, Preprocessing na, int classes) {
        TreeSet<String> texts = new TreeSet<>();
        boolean integers = true;
        for (int r = 0; r < t.rowCount(); r++) {
            String v = t.get(r, col);
            if (na.isMissing(v)) continue;
            texts.add(v);
            integers &= integer(v) != null;
        }
        if (integers) return INTEGERS;
        if (classes > 0 && texts.size() > classes) {
            List<String> shown = new ArrayList<>(texts);
            throw new DataException(t.file() + ", column '" + t.header().get(col) + "': " + texts.size() + " distinct class labels ("
                    + String.join(", ", shown.size() > 12 ? shown.subList(0, 12) : shown) + (shown.size() > 12 ? ", …" : "")
                    + "), but the model has " + classes + " classes; give the output " + texts.size() + " columns");
        }
        return new ClassLabels(new ArrayList<>(texts));
    }

    /** A decimal integer label ({@code 2}, {@code 2.0}, {@code +2}) within int range, or null. */
    private static Integer integer(String v) {
        String s = v.strip();
        double d = Preprocessing.isNumber(s) ? Double.parseDouble(s) : Double.NaN;
        return d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE ? (int) d : null;
    }

    /**
     * The class id of the label in row {@code r}, column {@code col} of {@code t}.
     *
     * @param classes the model's class count, or 0 when unknown
     * @throws DataException naming the cell if the label is missing, not a known class, or out of range
     */
    public int id(Csv.Table t, int r, int col, int classes, Preprocessing na) {
        String v = t.get(r, col);
        if (na.isMissing(v)) throw new DataException(t.where(r, col) + ": the class label is missing; every labelled row needs one");
        if (names != null) {
            int id = names.indexOf(v);
            if (id < 0) {
                throw new DataException(t.where(r, col) + ": \"" + v + "\" is not one of the classes the model was trained on ("
                        + String.join(", ", names.size() > 12 ? names.subList(0, 12) : names) + (names.size() > 12 ? ", …" : "") + ")");
            }
            return id;
        }
        Integer label = integer(v);
        if (label == null) {
            throw new DataException(t.where(r, col) + ": \"" + v + "\" is not an integer class label" + (classes > 0 ? " (0 to " + (classes - 1) + ")" : ""));
        }
        if (label < 0 || (classes > 0 && label >= classes)) {
            throw new DataException(t.where(r, col) + ": class label " + label + " is outside 0.." + (classes - 1)
                    + " (the model has " + classes + " classes)");
        }
        return label;
    }

    /** The text labels and their ids, shortened: {@code blue=0, green=1, …}. */
    public String describe() {
        if (names == null) return "integers";
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.size() && i < 8; i++) parts.add(names.get(i) + "=" + i);
        if (names.size() > 8) parts.add("…");
        return String.join(", ", parts);
    }

    /** The name of class {@code id}: its text, or the integer. */
    public String name(int id) {
        return names != null && id < names.size() ? names.get(id) : Integer.toString(id);
    }

    /** For the saved metadata: the names, or null. */
    Object toJson() {
        return names;
    }

    /** Reads {@link #toJson}'s form (null, or an array of strings). */
    static ClassLabels fromJson(Object o, String what) {
        if (o == null) return INTEGERS;
        if (!(o instanceof List<?> l)) throw new IllegalArgumentException(what + " must be an array of strings");
        List<String> names = new ArrayList<>();
        for (Object e : l) {
            if (!(e instanceof String s)) throw new IllegalArgumentException(what + " must be an array of strings");
            if (names.contains(s)) throw new IllegalArgumentException(what + " names class '" + s + "' twice");
            names.add(s);
        }
        return new ClassLabels(names);
    }
}
