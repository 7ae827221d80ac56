package dev.nnc.train;

import dev.nnc.data.Preprocessing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the real-valued targets of one target input are turned into what the model learns, and
 * back: optionally the natural log ({@code --log-target}), then optionally standardization with
 * the mean and sample standard deviation of the training rows, per column.
 *
 * @param log  whether values are log-transformed first
 * @param mean per column, subtracted (0 when not standardized)
 * @param std  per column, divided by (1 when not standardized)
 */
public record TargetScale(boolean log, double[] mean, double[] std) {

    /** Fits on raw values (rows × columns). */
    public static TargetScale fit(double[] raw, int columns, boolean log, boolean standardize) {
        double[] mean = new double[columns], std = new double[columns];
        int rows = raw.length / columns;
        for (int j = 0; j < columns; j++) {
            if (!standardize) {
                std[j] = 1;
                continue;
            }
            double[] v = new double[rows];
            for (int r = 0; r < rows; r++) v[r] = fwd(raw[r * columns + j], log);
            double[] ms = Preprocessing.meanAndStd(v);
            double m = ms[0], sd = ms[1];
            mean[j] = m;
            std[j] = sd > 0 && Double.isFinite(sd) ? sd : 1;
        }
        return new TargetScale(log, mean, std);
    }

    private static double fwd(double v, boolean log) {
        return log ? Math.log(v) : v;
    }

    /** The value the model learns for raw value {@code v} of column {@code j}. */
    public double toModel(double v, int j) {
        return Preprocessing.standardize(fwd(v, log), mean[j], std[j]);
    }

    /** The model's value mapped back before the log: {@code out · std + mean}. */
    public double unscale(double out, int j) {
        return out * std[j] + mean[j];
    }

    /** The raw value for a model output. */
    public double toRaw(double out, int j) {
        double u = unscale(out, j);
        return log ? Math.exp(u) : u;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("log", log);
        List<Object> ms = new ArrayList<>(), ss = new ArrayList<>();
        for (int j = 0; j < mean.length; j++) {
            ms.add(mean[j]);
            ss.add(std[j]);
        }
        m.put("mean", ms);
        m.put("std", ss);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static TargetScale fromJson(Map<String, Object> m) {
        List<Object> ms = (List<Object>) m.get("mean"), ss = (List<Object>) m.get("std");
        double[] mean = new double[ms.size()], std = new double[ss.size()];
        for (int j = 0; j < mean.length; j++) {
            mean[j] = ((Number) ms.get(j)).doubleValue();
            std[j] = ((Number) ss.get(j)).doubleValue();
        }
        return new TargetScale(Boolean.TRUE.equals(m.get("log")), mean, std);
    }
}
