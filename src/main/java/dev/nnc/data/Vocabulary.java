package dev.nnc.data;

import java.util.Arrays;

/**
 * The characters of a character-level language model: the distinct code points of its training
 * text, sorted; character {@code i} of the vocabulary has id {@code i}. Saved with the parameters
 * as the string of those characters ({@link #toString()}).
 */
public final class Vocabulary {
    private final int[] codePoints;

    private Vocabulary(int[] sortedDistinct) {
        this.codePoints = sortedDistinct;
    }

    /** The distinct code points of {@code text}, sorted. */
    public static Vocabulary of(String text) {
        return new Vocabulary(text.codePoints().sorted().distinct().toArray());
    }

    /** The vocabulary whose characters are those of {@code chars} (as saved): sorted and distinct, else an IllegalArgumentException. */
    public static Vocabulary parse(String chars) {
        int[] cps = chars.codePoints().toArray();
        for (int i = 1; i < cps.length; i++) {
            if (cps[i] <= cps[i - 1]) throw new IllegalArgumentException("the vocabulary's characters must be distinct and sorted");
        }
        if (cps.length == 0) throw new IllegalArgumentException("the vocabulary is empty");
        return new Vocabulary(cps);
    }

    public int size() {
        return codePoints.length;
    }

    /** The id of {@code codePoint}, or -1 if it is not in the vocabulary. */
    public int id(int codePoint) {
        int i = Arrays.binarySearch(codePoints, codePoint);
        return i >= 0 ? i : -1;
    }

    /** The character of id {@code id}. */
    public int codePoint(int id) {
        return codePoints[id];
    }

    /** The ids of every character of {@code text}, which must all be in the vocabulary. */
    public int[] ids(String text) {
        return text.codePoints().map(cp -> {
            int i = id(cp);
            if (i < 0) throw new IllegalArgumentException("character " + describe(cp) + " is not in the vocabulary");
            return i;
        }).toArray();
    }

    /** A character for messages: {@code 'x' (U+0078)}, with control characters escaped. */
    public static String describe(int codePoint) {
        String shown = switch (codePoint) {
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            default -> Character.isISOControl(codePoint) ? "?" : new String(Character.toChars(codePoint));
        };
        return String.format(java.util.Locale.ROOT, "'%s' (U+%04X)", shown, codePoint);
    }

    /** The characters, in id order. */
    @Override
    public String toString() {
        return new String(codePoints, 0, codePoints.length);
    }
}
