package dev.nnc.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tabular preprocessing as the d2l book does it for the Kaggle house prices, fitted on training
 * data and replayed on new data:
 * <ul>
 *   <li>a column is <b>numeric</b> when every present value is a decimal number, else
 *       <b>categorical</b> (as pandas infers dtypes);</li>
 *   <li>numeric columns are standardized, {@code (x - mean) / std} (sample std, as pandas), and a
 *       missing number becomes 0, the mean; a constant column becomes all zeros;</li>
 *   <li>categorical columns are one-hot encoded with one column per category (sorted) plus a
 *       missing-value indicator, as {@code pandas.get_dummies(dummy_na=True)}; the string "None"
 *       is a category, as in pandas before 2.0; a category not seen in fitting encodes as zeros;</li>
 *   <li>the feature order is pandas': numeric columns first, in file order, then the one-hot
 *       blocks of the categorical columns, in file order.</li>
 * </ul>
 * The fitted statistics are kept (and saved with the parameters) so prediction uses exactly the
 * same encoding.
 */
public final class Preprocessing {
    /** Markers of a missing value: pandas' default set, without "None" (pandas &lt; 2.0). */
    public static final List<String> DEFAULT_NA = List.of("", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "NULL", "null", "#N/A", "<NA>");

    /** How a column is encoded. */
    public enum Kind { NUMERIC, CATEGORICAL }

    /**
     * One input column: numeric with its statistics, or categorical with its sorted categories.
     * {@code std} is the divisor actually used (1 for a constant column, whose values all become 0;
     * also 1 when standardization is off, with {@code mean} 0).
     */
    public record Column(String name, Kind kind, double mean, double std, List<String> categories) {
        public Column {
            categories = categories == null ? List.of() : List.copyOf(categories);
        }

        /** How many features this column becomes. */
        public int width(boolean naIndicator) {
            return kind == Kind.NUMERIC ? 1 : categories.size() + (naIndicator ? 1 : 0);
        }
    }

    /** What to do, from the command line. */
    public record Options(List<String> naValues, boolean standardize, boolean naIndicator,
                          Set<String> forceNumeric, Set<String> forceCategorical) {
        public static Options defaults() {
            return new Options(DEFAULT_NA, true, true, Set.of(), Set.of());
        }
    }

    private final List<Column> columns;
    private final List<String> naValues;
    private final Set<String> naSet;
    private final boolean naIndicator;
    private final int width;

    public Preprocessing(List<Column> columns, List<String> naValues, boolean naIndicator) {
        this.columns = List.copyOf(columns);
        this.naValues = List.copyOf(naValues);
        this.naSet = Set.copyOf(new LinkedHashSet<>(naValues));
        this.naIndicator = naIndicator;
        int w = 0;
        for (Column c : this.columns) w += c.width(naIndicator);
        this.width = w;
    }

    public List<Column> columns() {
        return columns;
    }

    public List<String> naValues() {
        return naValues;
    }

    public boolean naIndicator() {
        return naIndicator;
    }

    /** The number of features each row becomes. */
    public int width() {
        return width;
    }

    public boolean isMissing(String v) {
        return naSet.contains(v);
    }

    /** Whether {@code v} (trimmed) is a plain decimal number such as {@code -1.5e3} ({@code [+-]? digits [. digits] [e [+-] digits]}). */
    public static boolean isNumber(String v) {
        int i = 0, n = v.length();
        while (i < n && Character.isWhitespace(v.charAt(i))) i++;
        while (n > i && Character.isWhitespace(v.charAt(n - 1))) n--;
        if (i < n && (v.charAt(i) == '+' || v.charAt(i) == '-')) i++;
        int digits = 0;
        while (i < n && isDigit(v.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && v.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(v.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) return false;
        if (i < n && (v.charAt(i) == 'e' || v.charAt(i) == 'E')) {
            i++;
            if (i < n && (v.charAt(i) == '+' || v.charAt(i) == '-')) i++;
            int exp = 0;
            while (i < n && isDigit(v.charAt(i))) {
                i++;
                exp++;
            }
            if (exp == 0) return false;
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The largest magnitude a number in the data may have: the largest double. */
    private static final String RANGE = "numbers must be within ±" + Double.MAX_VALUE;

    /**
     * The value of {@code v}, a number by {@link #isNumber} in row {@code r}, column {@code col}
     * of {@code t}.
     *
     * @throws DataException if it is beyond the range of a double (such as {@code 1e400}), which
     *                       would become infinite
     */
    public static double parseFinite(String v, Csv.Table t, int r, int col) {
        double x = Double.parseDouble(v.strip());
        if (!Double.isFinite(x)) {
            throw new DataException(t.where(r, col) + ": \"" + v + "\" is out of range; " + RANGE);
        }
        return x;
    }

    /**
     * The mean and sample standard deviation (0 for fewer than two values) of finite values. When
     * the values are so large that the plain sums overflow, they are summed in units of the
     * largest magnitude instead, so both results stay finite (the deviation at most the largest
     * double).
     */
    public static double[] meanAndStd(double[] x) {
        int n = x.length;
        double sum = 0;
        for (double v : x) sum += v;
        double mean = n == 0 ? 0 : sum / n, ss = 0;
        for (double v : x) {
            double d = v - mean;
            ss += d * d;
        }
        double std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
        if (Double.isFinite(mean) && Double.isFinite(std)) return new double[] {mean, std};
        double m = 0;
        for (double v : x) m = Math.max(m, Math.abs(v));
        double s = 0;
        for (double v : x) s += v / m;
        double mu = s / n;
        ss = 0;
        for (double v : x) {
            double d = v / m - mu;
            ss += d * d;
        }
        std = n > 1 ? Math.min(Math.sqrt(ss / (n - 1)) * m, Double.MAX_VALUE) : 0;
        return new double[] {mu * m, std};
    }

    /**
     * {@code (x - mean) / std}, also when {@code x - mean} alone would overflow; infinite only if
     * the result is beyond the range of a double.
     */
    public static double standardize(double x, double mean, double std) {
        double z = (x - mean) / std;
        return Double.isFinite(z) ? z : x / std - mean / std;
    }

    /**
     * Fits the encoding of {@code featureNames} on the rows of {@code tables} together (the
     * training rows, plus any rows given only for statistics, as d2l does with the test set).
     */
    public static Preprocessing fit(List<String> featureNames, List<Csv.Table> tables, Options o) {
        Set<String> na = new LinkedHashSet<>(o.naValues());
        List<Column> cols = new ArrayList<>();
        for (String name : featureNames) {
            int[] idx = new int[tables.size()];
            for (int t = 0; t < tables.size(); t++) idx[t] = tables.get(t).require(name, "a feature");
            boolean forceNum = o.forceNumeric().contains(name), forceCat = o.forceCategorical().contains(name);
            // type inference: numeric iff every present value is a number
            int present = 0, numeric = 0;
            int firstBadTable = -1, firstBadRow = -1;
            for (int t = 0; t < tables.size(); t++) {
                Csv.Table tb = tables.get(t);
                for (int r = 0; r < tb.rowCount(); r++) {
                    String v = tb.get(r, idx[t]);
                    if (na.contains(v)) continue;
                    present++;
                    if (isNumber(v)) numeric++;
                    else if (firstBadTable < 0) {
                        firstBadTable = t;
                        firstBadRow = r;
                    }
                }
            }
            boolean isNumeric;
            if (forceCat) {
                isNumeric = false;
            } else if (forceNum || (numeric < present && numeric >= 0.9 * present && present - numeric <= 5)) {
                if (numeric < present) {
                    Csv.Table tb = tables.get(firstBadTable);
                    String why = forceNum ? "the column is numeric (--numeric " + name + ")"
                            : String.format(Locale.ROOT, "the column looks numeric: %d of its %d values are numbers", numeric, present);
                    throw new DataException(tb.where(firstBadRow, idx[firstBadTable]) + ": \"" + tb.get(firstBadRow, idx[firstBadTable])
                            + "\" is not a number, but " + why + ". Fix the value, mark it missing (" + naHint(o.naValues())
                            + "), or pass --categorical " + name + " to one-hot encode the column");
                }
                isNumeric = true;
            } else {
                isNumeric = numeric == present;
            }
            if (isNumeric) {
                double[] values = new double[present];
                int n = 0;
                for (int t = 0; t < tables.size(); t++) {
                    Csv.Table tb = tables.get(t);
                    for (int r = 0; r < tb.rowCount(); r++) {
                        String v = tb.get(r, idx[t]);
                        if (na.contains(v)) continue;
                        values[n++] = parseFinite(v, tb, r, idx[t]);
                    }
                }
                double[] ms = meanAndStd(values);
                double mean = ms[0], std = ms[1];
                if (!o.standardize()) cols.add(new Column(name, Kind.NUMERIC, 0, 1, null));
                else cols.add(new Column(name, Kind.NUMERIC, mean, std > 0 && Double.isFinite(std) ? std : 1, null));
            } else {
                TreeSet<String> cats = new TreeSet<>();
                for (int t = 0; t < tables.size(); t++) {
                    Csv.Table tb = tables.get(t);
                    for (int r = 0; r < tb.rowCount(); r++) {
                        String v = tb.get(r, idx[t]);
                        if (!na.contains(v)) cats.add(v);
                    }
                }
                cols.add(new Column(name, Kind.CATEGORICAL, 0, 1, new ArrayList<>(cats)));
            }
        }
        // pandas order: numeric columns first, then the one-hot blocks
        List<Column> ordered = new ArrayList<>();
        for (Column c : cols) if (c.kind() == Kind.NUMERIC) ordered.add(c);
        for (Column c : cols) if (c.kind() == Kind.CATEGORICAL) ordered.add(c);
        return new Preprocessing(ordered, o.naValues(), o.naIndicator());
    }

    private static String naHint(List<String> na) {
        List<String> shown = new ArrayList<>();
        for (String s : na) {
            shown.add(s.isEmpty() ? "an empty field" : s);
            if (shown.size() == 3) break;
        }
        return String.join(", ", shown);
    }

    /**
     * The features of every row of {@code t}, row-major ({@code rows × width()}), as floats.
     *
     * @throws DataException if a column is absent, or a numeric column holds something other than a number
     */
    public float[] transform(Csv.Table t) {
        int n = t.rowCount();
        long values = (long) n * width;
        if (values > Integer.MAX_VALUE) {
            // Math.multiplyExact threw an ArithmeticException, a stack trace for the user
            throw new DataException(t.file() + ": " + count(n, "row") + " of " + count(width, "feature") + " are " + values
                    + " values, more than one array holds (" + Integer.MAX_VALUE + "); use fewer rows, or fewer features"
                    + " (--features, --ignore, or columns with fewer categories)");
        }
        float[] out = new float[(int) values];
        int at = 0;
        for (Column c : columns) {
            int col = t.require(c.name(), "a feature the model was trained with");
            if (c.kind() == Kind.NUMERIC) {
                for (int r = 0; r < n; r++) {
                    String v = t.get(r, col);
                    double x;
                    if (naSet.contains(v)) {
                        x = 0;
                    } else {
                        String s = v.strip();
                        if (!isNumber(s)) {
                            throw new DataException(t.where(r, col) + ": \"" + v + "\" is not a number, but the column is numeric"
                                    + " (it was numeric in the training data); fix the value or mark it missing (" + naHint(naValues) + ")");
                        }
                        x = standardize(parseFinite(v, t, r, col), c.mean(), c.std());
                    }
                    float f = (float) x;
                    if (!Float.isFinite(f)) {
                        throw new DataException(t.where(r, col) + ": \"" + v + "\" is too large for a feature: "
                                + (c.mean() == 0 && c.std() == 1 ? "it is" : "standardized it is " + x + ", which is")
                                + " beyond the range of the 32-bit floats that hold the features (±" + Float.MAX_VALUE
                                + "); scale the column down, or standardize it (without --no-standardize)");
                    }
                    out[r * width + at] = f;
                }
                at++;
            } else {
                Map<String, Integer> pos = new LinkedHashMap<>();
                for (int i = 0; i < c.categories().size(); i++) pos.put(c.categories().get(i), i);
                for (int r = 0; r < n; r++) {
                    String v = t.get(r, col);
                    if (naSet.contains(v)) {
                        if (naIndicator) out[r * width + at + c.categories().size()] = 1;
                    } else {
                        Integer k = pos.get(v);
                        if (k != null) out[r * width + at + k] = 1;
                    }
                }
                at += c.width(naIndicator);
            }
        }
        return out;
    }

    /** "1 feature", "2 features": a count and an English noun that takes an s in the plural. */
    public static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** How the feature count arose, e.g. "36 numeric columns + 43 categorical columns (252 categories + 43 missing-value indicators) = 331 features". */
    public String explain() {
        int num = 0, cat = 0, cats = 0;
        for (Column c : columns) {
            if (c.kind() == Kind.NUMERIC) num++;
            else {
                cat++;
                cats += c.categories().size();
            }
        }
        StringBuilder sb = new StringBuilder();
        if (num > 0 || cat == 0) sb.append(count(num, "numeric column"));
        if (cat > 0) {
            if (num > 0) sb.append(" + ");
            sb.append(count(cat, "categorical column"));
            sb.append(" (").append(cats).append(" categor").append(cats == 1 ? "y" : "ies");
            if (naIndicator) sb.append(" + ").append(count(cat, "missing-value indicator"));
            sb.append(")");
        }
        sb.append(" = ").append(count(width, "feature"));
        return sb.toString();
    }

    /** One line per categorical column: its name and how many features it gives. */
    public List<String> categoricalSummary() {
        List<String> out = new ArrayList<>();
        for (Column c : columns) {
            if (c.kind() == Kind.CATEGORICAL) out.add(c.name() + ": " + c.width(naIndicator));
        }
        return out;
    }

    // ------------------------------------------------------------------ persistence

    /** The encoding as JSON, for the safetensors metadata. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("na_values", naValues);
        m.put("na_indicator", naIndicator);
        List<Object> cs = new ArrayList<>();
        for (Column c : columns) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("name", c.name());
            j.put("kind", c.kind() == Kind.NUMERIC ? "numeric" : "categorical");
            if (c.kind() == Kind.NUMERIC) {
                j.put("mean", c.mean());
                j.put("std", c.std());
            } else {
                j.put("categories", c.categories());
            }
            cs.add(j);
        }
        m.put("columns", cs);
        m.put("width", width);
        return m;
    }

    /**
     * Reads {@link #toJson()}'s form back, checking every field (the JSON comes from a file the
     * user names): an {@link IllegalArgumentException} saying which field is wrong.
     */
    public static Preprocessing fromJson(Map<String, Object> m) {
        List<String> na = strings(m.get("na_values"), "'na_values'");
        boolean ind = Boolean.TRUE.equals(m.get("na_indicator"));
        if (!(m.get("columns") instanceof List<?> columns)) throw new IllegalArgumentException("'columns' must be an array");
        List<Column> cols = new ArrayList<>();
        for (Object o : columns) {
            if (!(o instanceof Map<?, ?> j) || !(j.get("name") instanceof String name)) {
                throw new IllegalArgumentException("each of 'columns' must be an object with a string 'name'");
            }
            if ("numeric".equals(j.get("kind"))) {
                if (!(j.get("mean") instanceof Number mean) || !(j.get("std") instanceof Number std)
                        || !Double.isFinite(mean.doubleValue()) || !Double.isFinite(std.doubleValue()) || !(std.doubleValue() > 0)) {
                    throw new IllegalArgumentException("column '" + name + "' needs a finite 'mean' and a positive finite 'std'");
                }
                cols.add(new Column(name, Kind.NUMERIC, mean.doubleValue(), std.doubleValue(), null));
            } else if ("categorical".equals(j.get("kind"))) {
                cols.add(new Column(name, Kind.CATEGORICAL, 0, 1, strings(j.get("categories"), "'categories' of column '" + name + "'")));
            } else {
                throw new IllegalArgumentException("column '" + name + "' has 'kind' " + j.get("kind") + "; it must be numeric or categorical");
            }
        }
        return new Preprocessing(cols, na, ind);
    }

    private static List<String> strings(Object o, String what) {
        if (!(o instanceof List<?> l)) throw new IllegalArgumentException(what + " must be an array of strings");
        List<String> out = new ArrayList<>();
        for (Object e : l) {
            if (!(e instanceof String str)) throw new IllegalArgumentException(what + " must be an array of strings");
            out.add(str);
        }
        return out;
    }
}
