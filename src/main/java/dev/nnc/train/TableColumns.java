package dev.nnc.train;

import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.diag.Suggest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a table's columns meet a model, the first half of {@code nnc train}: which columns feed the
 * target inputs ({@code --target}), which is the id, which are the features ({@code --features},
 * {@code --ignore}) and how they are encoded; then the tensors of every row.
 */
public final class TableColumns {
    private TableColumns() {}

    /**
     * The roles of a table's columns: per target input its column indices (and all their names),
     * how its class labels become ids (null for a real target), the id column (or null), the
     * feature columns and their preprocessing, fitted on the table and {@code statsTables}.
     */
    public record Columns(List<int[]> targetCols, List<String> targetNames, List<ClassLabels> labels, String id,
                          List<String> featureNames, Preprocessing prep) {}

    /**
     * Assigns the target columns, the id column and the feature columns, and fits the
     * preprocessing and the class labels on them. The feature count may still differ from the
     * model's: see {@link #checkWidth}.
     *
     * @throws DataException if a named column is absent, no feature column is left, or a column cannot be encoded
     */
    public static Columns columns(TrainJob.Config c, ModelInfo info, Csv.Table t, List<Csv.Table> statsTables) {
        List<int[]> targetCols = new ArrayList<>();
        List<String> targetNames = new ArrayList<>();
        assignTargets(c, info, t, targetCols, targetNames);
        Set<String> notFeatures = new HashSet<>(targetNames);
        String id = c.id();
        if (id != null) {
            t.require(id, "--id");
        } else {
            for (String h : t.header()) {
                if (h.equalsIgnoreCase("id") && !notFeatures.contains(h)) id = h;
            }
        }
        if (id != null) notFeatures.add(id);
        List<String> featureNames = new ArrayList<>();
        if (c.features() != null && !c.features().isEmpty()) {
            for (String f : c.features()) {
                t.require(f, "--features");
                if (notFeatures.contains(f)) {
                    throw new DataException("column '" + f + "' is both a feature and " + (f.equals(id) ? "the id" : "a target"
                            + "; for an autoencoder, compare the output with the features input itself in the loss"
                            + " (loss = mse(reconstruction, x)) and give no --target"));
                }
                featureNames.add(f);
            }
        } else {
            for (String f : c.ignore()) t.require(f, "--ignore");
            for (String h : t.header()) if (!notFeatures.contains(h) && !c.ignore().contains(h)) featureNames.add(h);
        }
        if (featureNames.isEmpty()) {
            throw new DataException(t.file() + ": no feature columns are left (besides the targets" + (id != null ? " and the id" : "") + ")");
        }
        for (String f : c.prep().forceCategorical()) t.require(f, "--categorical");
        for (String f : c.prep().forceNumeric()) t.require(f, "--numeric");

        List<Csv.Table> fitTables = new ArrayList<>();
        fitTables.add(t);
        fitTables.addAll(statsTables);
        Preprocessing prep = Preprocessing.fit(featureNames, fitTables, c.prep());
        List<ClassLabels> labels = new ArrayList<>();
        for (int k = 0; k < info.labels().size(); k++) {
            labels.add(info.labels().get(k).isInt() ? ClassLabels.fit(t, targetCols.get(k)[0], prep, classes(info, k)) : null);
        }
        return new Columns(targetCols, targetNames, labels, id, featureNames, prep);
    }

    /** The number of classes of label input {@code k}: the prediction's width, or 0 when unknown. */
    static int classes(ModelInfo info, int k) {
        return info.labels().get(k).isInt() && info.outputWidth() > 1 ? info.outputWidth() : 0;
    }

    /** @throws DataException saying how the features arose, if their count is not the model's feature width */
    public static void checkWidth(ModelInfo info, Preprocessing prep, Csv.Table t, List<Csv.Table> statsTables) {
        if (prep.width() == 0) {
            // only categorical columns without a value and without a missing-value indicator give no feature;
            // "change the model's input width to 0" would be no advice
            List<String> empty = new ArrayList<>();
            for (Preprocessing.Column col : prep.columns()) if (col.width(prep.naIndicator()) == 0) empty.add(col.name());
            throw new DataException(t.file() + ": the feature columns give no features (" + prep.explain() + "): every value of "
                    + summarize(empty, 20) + " is missing, and with --no-na-indicator such a column gives no feature;"
                    + " leave it out with --ignore, or keep the missing-value indicator");
        }
        if (prep.width() != info.width()) {
            throw new DataException(widthMismatch(info, prep, t, statsTables));
        }
    }

    /**
     * The preprocessed features and the raw targets of every row of {@code t} (the features'
     * count must be the model's, {@link #checkWidth}).
     *
     * @throws DataException if a value cannot be read (a target that is missing or not a number, a label out of range, …)
     */
    public static Dataset dataset(ModelInfo info, Columns cols, Csv.Table t, boolean logTarget) {
        List<Integer> classes = new ArrayList<>();
        for (int k = 0; k < info.labels().size(); k++) classes.add(classes(info, k));
        List<Object> rawTargets = Dataset.readTargets(t, cols.targetCols(), cols.labels(), classes, logTarget, cols.prep());
        return new Dataset(t.rowCount(), cols.prep().width(), cols.prep().transform(t), rawTargets);
    }

    static List<String> columnNames(Csv.Table t, int[] cols) {
        List<String> names = new ArrayList<>();
        for (int c : cols) names.add(t.header().get(c));
        return names;
    }

    /**
     * Maps the {@code --target} columns to the model's target inputs: {@code INPUT=COL,COL,…}
     * names the input; plain {@code COL,COL,…} fill the target inputs in declaration order (an
     * input of width w takes w columns). A value that is a column's whole name (commas and all)
     * is that column. With no {@code --target}, a column named like a target input is used.
     */
    private static void assignTargets(TrainJob.Config c, ModelInfo info, Csv.Table t, List<int[]> cols, List<String> names) {
        List<ModelInfo.Label> labels = info.labels();
        List<String> inputNames = labels.stream().map(l -> l.input().name()).toList();
        List<List<Integer>> byInput = new ArrayList<>();
        for (int k = 0; k < labels.size(); k++) byInput.add(new ArrayList<>());
        List<String> plain = new ArrayList<>();
        for (String spec : c.targets()) {
            if (t.column(spec) >= 0) {
                plain.add(spec);
                continue;
            }
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                plain.addAll(List.of(spec.split(",", -1)));
                continue;
            }
            String in = spec.substring(0, eq);
            int k = inputNames.indexOf(in);
            if (k < 0) {
                String near = Suggest.closest(in, inputNames);
                throw new DataException("--target " + spec + ": model " + info.name() + " has no target input named '" + in + "'"
                        + (near != null ? "; did you mean '" + near + "'?" : "") + (labels.isEmpty() ? " It has no target input: its loss"
                        + " compares the outputs with the features" : " Its target inputs are "
                        + labels.stream().map(l -> ModelInfo.describe(l.input())).toList()));
            }
            for (String col : spec.substring(eq + 1).split(",", -1)) byInput.get(k).add(t.require(col, "--target"));
        }
        if (c.targets().isEmpty()) {
            for (int k = 0; k < labels.size(); k++) {
                int col = t.column(labels.get(k).input().name());
                if (col >= 0 && labels.get(k).width() == 1) byInput.get(k).add(col);
            }
        }
        int next = 0;
        for (int k = 0; k < labels.size(); k++) {
            List<Integer> got = byInput.get(k);
            while (got.size() < labels.get(k).width() && next < plain.size()) got.add(t.require(plain.get(next++), "--target"));
        }
        if (next < plain.size()) {
            throw new DataException("--target " + plain.get(next) + ": there are more target columns than the model's target inputs take ("
                    + (labels.isEmpty() ? "none: its loss compares the outputs with the features"
                    : labels.stream().map(l -> ModelInfo.describe(l.input())).toList().toString()) + ")");
        }
        for (int k = 0; k < labels.size(); k++) {
            ModelInfo.Label l = labels.get(k);
            List<Integer> got = byInput.get(k);
            if (got.size() != l.width()) {
                String need = l.width() == 1 ? "one column" : l.width() + " columns";
                String near = got.isEmpty() && l.width() == 1 ? Suggest.closest(l.input().name(), t.header()) : null;
                throw new DataException("model " + info.name() + ": target input " + ModelInfo.describe(l.input()) + " takes " + need
                        + " of " + t.file() + ", " + (got.isEmpty() ? "but none was given" : "but " + got.size() + " were given")
                        + "; name " + (l.width() == 1 ? "it" : "them") + " with --target " + (l.width() == 1 ? "COLUMN" : "COL1,COL2,…")
                        + (labels.size() > 1 ? " (or --target " + l.input().name() + "=COLUMN)" : "")
                        + (near != null ? "; did you mean --target " + near + "?" : ""));
            }
            int[] a = new int[got.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = got.get(i);
                names.add(t.header().get(a[i]));
            }
            cols.add(a);
        }
    }

    private static String widthMismatch(ModelInfo info, Preprocessing prep, Csv.Table t, List<Csv.Table> stats) {
        StringBuilder sb = new StringBuilder();
        sb.append("the data gives ").append(Preprocessing.count(prep.width(), "feature")).append(", but input ").append(ModelInfo.describe(info.features()))
                .append(" of model ").append(info.name()).append(" (").append(info.file()).append(") takes ").append(info.width()).append(".\n");
        sb.append("  how the ").append(Preprocessing.count(prep.width(), "feature")).append(" arose from ").append(t.file());
        for (Csv.Table s : stats) sb.append(" + ").append(s.file());
        sb.append(": ").append(prep.explain()).append('\n');
        List<String> numeric = new ArrayList<>();
        for (Preprocessing.Column col : prep.columns()) if (col.kind() == Preprocessing.Kind.NUMERIC) numeric.add(col.name());
        if (!numeric.isEmpty()) sb.append("  numeric (1 feature each): ").append(summarize(numeric, 20)).append('\n');
        List<String> cats = prep.categoricalSummary();
        if (!cats.isEmpty()) {
            sb.append("  categorical (features = categories").append(prep.naIndicator() ? " + 1 missing-value indicator" : "")
                    .append("): ").append(summarize(cats, 20)).append('\n');
        }
        sb.append("  change the model's input width to ").append(prep.width())
                .append(", or choose the columns with --features/--ignore and their encoding with --categorical/--numeric");
        if (stats.isEmpty()) sb.append(" (categories seen only in other data, such as a test set, count once you pass it with --stats-data)");
        return sb.toString();
    }

    static String summarize(List<String> items, int max) {
        if (items.size() <= max) return String.join(", ", items);
        return String.join(", ", items.subList(0, max)) + ", … (" + (items.size() - max) + " more)";
    }
}
