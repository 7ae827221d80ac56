package dev.nnc.train;

import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import java.util.Locale;

/** How predictions are scored against the first target input. */
public enum Metric {
    /**
     * d2l's {@code log_rmse}: the root mean squared difference of the logs, with predictions
     * below 1 clipped to 1 first (the Kaggle house-price score).
     */
    LOG_RMSE("log-rmse"),
    /** Root mean squared error, in the target's own units. */
    RMSE("rmse"),
    /** The fraction of rows whose predicted class (arg max, or a threshold for one column) is right. */
    ACCURACY("accuracy");

    private final String label;

    Metric(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Reads {@code log-rmse}, {@code rmse} or {@code accuracy} (case and {@code _}/{@code -} insensitive). */
    public static Metric parse(String s) {
        String k = s.toLowerCase(Locale.ROOT).replace('_', '-');
        for (Metric m : values()) if (m.label.equals(k)) return m;
        throw new IllegalArgumentException("unknown metric '" + s + "'; use log-rmse, rmse or accuracy");
    }

    /** Formats a value of this metric: accuracy as a percentage, the others with 4 decimals. */
    public String format(double v) {
        return this == ACCURACY ? String.format(Locale.ROOT, "%.2f%%", 100 * v) : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Higher is better for accuracy only. */
    public boolean higherIsBetter() {
        return this == ACCURACY;
    }

    /**
     * Scores the model outputs {@code out} (rows × {@code info.outputWidth()}, as the model
     * computes them) against target input 0 of {@code d}, whose real values were scaled by
     * {@code scale} for training (null for class labels).
     */
    public double score(double[] out, Dataset d, ModelInfo info, TargetScale scale) {
        int n = d.rows(), ow = info.outputWidth();
        if (d.targetCount() == 0) return reconstruction(out, d, info);
        Object t = d.target(0);
        if (this == ACCURACY) {
            long right = 0;
            if (t instanceof int[] labels) {
                for (int r = 0; r < n; r++) {
                    int pred;
                    if (ow == 1) {
                        pred = out[r] >= (info.probability() ? 0.5 : 0) ? 1 : 0;
                    } else {
                        pred = 0;
                        for (int j = 1; j < ow; j++) if (out[r * ow + j] > out[r * ow + pred]) pred = j;
                    }
                    if (pred == labels[r]) right++;
                }
                return (double) right / n;
            }
            double[] y = (double[]) t;
            int tw = y.length / n;
            if (tw != ow) {
                throw new DataException("accuracy needs the output (" + Preprocessing.count(ow, "column") + ") and the target ("
                        + Preprocessing.count(tw, "column") + ") to match");
            }
            for (int r = 0; r < n; r++) {
                if (ow == 1) {
                    boolean p = out[r] >= (info.probability() ? 0.5 : 0);
                    if (p == (y[r] >= 0.5)) right++;
                } else {
                    int pa = 0, ya = 0;
                    for (int j = 1; j < ow; j++) {
                        if (out[r * ow + j] > out[r * ow + pa]) pa = j;
                        if (y[r * ow + j] > y[r * ow + ya]) ya = j;
                    }
                    if (pa == ya) right++;
                }
            }
            return (double) right / n;
        }
        if (scale == null) scale = new TargetScale(false, new double[ow], ones(ow));
        if (!(t instanceof double[] y)) {
            throw new DataException(label + " needs a real-valued target, but the target input takes class labels; use --metric accuracy");
        }
        int tw = y.length / n;
        if (tw != ow) {
            throw new DataException(label + " compares output " + info.output().name() + " (" + Preprocessing.count(ow, "column")
                    + ") with the target (" + Preprocessing.count(tw, "column") + "); they must match");
        }
        double ss = 0;
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < ow; j++) {
                double o = out[r * ow + j], truth = y[r * ow + j];
                double diff;
                if (this == LOG_RMSE) {
                    if (!(truth > 0)) throw new DataException("log-rmse needs positive targets, but one is " + truth);
                    // log(max(prediction, 1)); with a log target the model's value is already the log
                    double logPred = scale.log() ? Math.max(scale.unscale(o, j), 0) : Math.log(Math.max(scale.toRaw(o, j), 1));
                    diff = logPred - Math.log(truth);
                } else {
                    diff = scale.toRaw(o, j) - truth;
                }
                ss += diff * diff;
            }
        }
        return Math.sqrt(ss / ((double) n * ow));
    }

    private static double[] ones(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    /** A model without targets (an autoencoder): the RMSE of its output against its own features. */
    private double reconstruction(double[] out, Dataset d, ModelInfo info) {
        int n = d.rows(), ow = info.outputWidth();
        if (this != RMSE) throw new DataException(label + " needs a target; a model whose loss compares its output with the features is scored with rmse");
        if (ow != d.width()) {
            throw new DataException("rmse compares output " + info.output().name() + " (" + ow + " columns) with the features ("
                    + d.width() + "); they must match");
        }
        double ss = 0;
        float[] x = d.features();
        for (int i = 0; i < n * ow; i++) {
            double diff = out[i] - x[i];
            ss += diff * diff;
        }
        return Math.sqrt(ss / ((double) n * ow));
    }
}
