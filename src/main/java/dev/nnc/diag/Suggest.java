package dev.nnc.diag;

import java.util.Collection;

/** "Did you mean" suggestions by edit distance. */
public final class Suggest {
    private Suggest() {}

    /** The known name closest to {@code name}, or null when none is plausibly meant. */
    public static String closest(String name, Collection<String> known) {
        return closest(name, known, name.length() <= 1 ? 0 : Math.max(1, Math.min(3, name.length() / 2)));
    }

    /**
     * Like {@link #closest}, but only a likely typo: at most one edit per three letters (and two
     * in all), or an abbreviation. For calls, where a far guess misleads ({@code conv2d} is not
     * {@code concat}) and the caller can list every function instead.
     */
    public static String closestStrict(String name, Collection<String> known) {
        return closest(name, known, name.length() <= 1 ? 0 : Math.max(1, Math.min(2, name.length() / 3)));
    }

    private static String closest(String name, Collection<String> known, int limit) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(name.toLowerCase(), k.toLowerCase());
            if (d < bestD || (d == bestD && best != null && k.compareTo(best) < 0)) {
                bestD = d;
                best = k;
            }
        }
        if (best == null) return null;
        if (bestD <= limit) return best;
        // A prefix of a longer name ("xavier" for "xavier_uniform") is a likely abbreviation.
        String prefixed = null;
        for (String k : known) {
            if (name.length() >= 3 && k.startsWith(name) && (prefixed == null || k.length() < prefixed.length()
                    || (k.length() == prefixed.length() && k.compareTo(prefixed) < 0))) {
                prefixed = k;
            }
        }
        return prefixed;
    }

    /** Damerau-Levenshtein distance (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
