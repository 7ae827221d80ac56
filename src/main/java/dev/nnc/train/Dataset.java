package dev.nnc.train;

import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows ready for a model: the feature matrix (row-major floats, already preprocessed) and, per
 * target input of the model, the raw target values (real, as in the file) or class labels.
 */
public final class Dataset {
    private final int rows;
    private final int width;
    private final float[] features;
    /** One entry per target input: double[] rows × columns (real) or int[] rows (labels). */
    private final List<Object> targets;

    public Dataset(int rows, int width, float[] features, List<Object> targets) {
        this.rows = rows;
        this.width = width;
        this.features = features;
        this.targets = List.copyOf(targets);
    }

    public int rows() {
        return rows;
    }

    public int width() {
        return width;
    }

    public float[] features() {
        return features;
    }

    /** The raw values of target input {@code i}: {@code double[]} (rows × columns) or {@code int[]} (labels). */
    public Object target(int i) {
        return targets.get(i);
    }

    public int targetCount() {
        return targets.size();
    }

    /** The rows at {@code index}, in that order, copied. */
    public Dataset subset(int[] index) {
        float[] f = new float[index.length * width];
        for (int r = 0; r < index.length; r++) System.arraycopy(features, index[r] * width, f, r * width, width);
        List<Object> ts = new ArrayList<>();
        for (Object t : targets) {
            if (t instanceof int[] l) {
                int[] out = new int[index.length];
                for (int r = 0; r < index.length; r++) out[r] = l[index[r]];
                ts.add(out);
            } else {
                double[] d = (double[]) t;
                int w = d.length / rows;
                double[] out = new double[index.length * w];
                for (int r = 0; r < index.length; r++) System.arraycopy(d, index[r] * w, out, r * w, w);
                ts.add(out);
            }
        }
        return new Dataset(index.length, width, f, ts);
    }

    /**
     * Reads the target columns of a table: real numbers (missing or non-numeric values are errors)
     * or class labels, as ids in {@code [0, classes)}.
     *
     * @param columns per target input, its column indices in the table
     * @param labels  per target input, how its class labels become ids ({@link ClassLabels#fit}), or null for real targets
     * @param classes per label input, the number of classes (0 when unknown)
     * @param log     whether real targets will be log-transformed (so must be positive)
     */
    public static List<Object> readTargets(Csv.Table t, List<int[]> columns, List<ClassLabels> labels, List<Integer> classes,
                                           boolean log, Preprocessing na) {
        List<Object> out = new ArrayList<>();
        int n = t.rowCount();
        for (int k = 0; k < columns.size(); k++) {
            int[] cols = columns.get(k);
            if (labels.get(k) != null) {
                int[] ids = new int[n];
                for (int r = 0; r < n; r++) ids[r] = labels.get(k).id(t, r, cols[0], classes.get(k), na);
                out.add(ids);
            } else {
                double[] d = new double[n * cols.length];
                for (int j = 0; j < cols.length; j++) {
                    int col = cols[j];
                    for (int r = 0; r < n; r++) {
                        String v = t.get(r, col);
                        if (na.isMissing(v)) {
                            throw new DataException(t.where(r, col) + ": the target value is missing; every training row needs one");
                        }
                        if (!Preprocessing.isNumber(v)) {
                            throw new DataException(t.where(r, col) + ": \"" + v + "\" is not a number, but the target column must be numeric");
                        }
                        double x = Preprocessing.parseFinite(v, t, r, col);
                        if (log && !(x > 0)) {
                            throw new DataException(t.where(r, col) + ": " + v.strip() + " is not positive, so --log-target cannot take its log");
                        }
                        d[r * cols.length + j] = x;
                    }
                }
                out.add(d);
            }
        }
        return out;
    }
}
