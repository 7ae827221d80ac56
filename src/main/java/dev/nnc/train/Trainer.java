package dev.nnc.train;

import dev.nnc.codegen.LoadedModel;
import dev.nnc.data.DataException;
import dev.nnc.ir.Model;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a model's generated class over a {@link Dataset}: mini-batch training steps and batched
 * inference, through the class's typed methods (looked up once), with batch arrays allocated
 * once per batch size and reused.
 */
public final class Trainer {
    /** Rows per call of {@code infer}. */
    static final int INFER_BATCH = 256;

    private final LoadedModel model;
    private final ModelInfo info;
    private final boolean f32;
    private final LoadedModel.Entry trainStep;
    private final LoadedModel.Entry infer;
    private final Map<Integer, Batch> trainBatches = new HashMap<>();
    private final Map<Integer, Batch> inferBatches = new HashMap<>();

    public Trainer(LoadedModel model, ModelInfo info, boolean training) {
        this.model = model;
        this.info = info;
        this.f32 = model.f32();
        this.trainStep = training ? model.entry("trainStep") : null;
        this.infer = model.entry("infer");
    }

    public LoadedModel model() {
        return model;
    }

    /** Re-initializes the parameters and the optimizer from {@code seed}. */
    public void reset(long seed) {
        model.reset(seed);
    }

    /** The arrays of one call of an entry for one batch size: argument array, input arrays, output array. */
    private final class Batch {
        final Object[] args;
        final Object features;
        final Object[] targets;
        final Object output;

        Batch(LoadedModel.Entry e, int rows) {
            List<String> spec = e.arguments();
            args = new Object[spec.size()];
            Object feat = null, out = null;
            targets = new Object[info.labels().size()];
            for (int i = 0; i < spec.size(); i++) {
                String s = spec.get(i);
                int colon = s.indexOf(':');
                String kind = s.substring(0, colon), name = s.substring(colon + 1);
                switch (kind) {
                    case "dim" -> {
                        if (!name.equals(info.rowDim())) {
                            throw new IllegalStateException("dim " + name + " is not the row dim " + info.rowDim());
                        }
                        args[i] = rows;
                    }
                    case "input" -> {
                        if (name.equals(info.features().name())) {
                            feat = array(rows * info.width());
                            args[i] = feat;
                        } else {
                            int k = labelIndex(name);
                            ModelInfo.Label l = info.labels().get(k);
                            targets[k] = l.isInt() ? new int[rows] : array(rows * l.width());
                            args[i] = targets[k];
                        }
                    }
                    case "output" -> {
                        Model.Output o = info.compiled().model().outputs().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                        int w = outputWidth(o);
                        Object a = array(rows * w);
                        if (name.equals(info.output().name())) out = a;
                        args[i] = a;
                    }
                    default -> throw new IllegalStateException(s);
                }
            }
            features = feat;
            output = out;
        }
    }

    private int outputWidth(Model.Output o) {
        var s = info.compiled().eval().outputs().get(info.compiled().model().outputs().indexOf(o)).shape();
        int w = 1;
        for (int d = 1; d < s.rank(); d++) w *= s.get(d).size();
        return w;
    }

    private int labelIndex(String input) {
        for (int k = 0; k < info.labels().size(); k++) if (info.labels().get(k).input().name().equals(input)) return k;
        throw new IllegalStateException("input " + input + " is neither the features nor a target");
    }

    private Object array(int n) {
        return f32 ? new float[n] : new double[n];
    }

    /**
     * The targets of a dataset as the model takes them: per target input, float[]/double[]
     * (scaled real values) or int[] (labels).
     */
    public List<Object> modelTargets(Dataset d, List<TargetScale> scales) {
        return modelTargets(d, scales, f32);
    }

    /** {@link #modelTargets(Dataset, List)} for a model of element type f32 or f64. */
    public static List<Object> modelTargets(Dataset d, List<TargetScale> scales, boolean f32) {
        List<Object> out = new ArrayList<>();
        for (int k = 0; k < d.targetCount(); k++) {
            Object t = d.target(k);
            if (t instanceof int[]) {
                out.add(t);
                continue;
            }
            double[] raw = (double[]) t;
            int w = raw.length / d.rows();
            TargetScale s = scales.get(k);
            double[] v = new double[raw.length];
            for (int i = 0; i < raw.length; i++) v[i] = s.toModel(raw[i], i % w);
            if (f32) {
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = (float) v[i];
                    if (!Float.isFinite(f[i])) {
                        throw new DataException("target value " + raw[i] + (s.log() ? " (log " + Math.log(raw[i]) + ")" : "")
                                + (s.std()[i % w] != 1 || s.mean()[i % w] != 0 ? ", standardized " + v[i] + "," : "")
                                + " is beyond the range of f32 (±" + Float.MAX_VALUE + "), the model's element type;"
                                + " standardize the targets (--standardize-target) or train in f64 (--precision f64)");
                    }
                }
                out.add(f);
            } else {
                out.add(v);
            }
        }
        return out;
    }

    /** Called after every training step with the rows done so far in this epoch and the step's loss. */
    @FunctionalInterface
    public interface StepListener {
        void step(int rowsDone, double loss);
    }

    /**
     * One epoch: the rows of {@code d} in {@code order}, {@code batch} at a time (the last batch
     * may be smaller), one trainStep each. Returns the mean loss per row over the steps whose
     * loss was finite (the class skips the others: they change nothing); NaN if there were none.
     */
    public double epoch(Dataset d, List<Object> targets, int[] order, int batch, StepListener listener) {
        int n = order.length, w = info.width();
        float[] x = d.features();
        double lossSum = 0;
        long lossRows = 0;
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            Batch bt = trainBatches.computeIfAbsent(b, r -> new Batch(trainStep, r));
            if (f32) {
                float[] fb = (float[]) bt.features;
                for (int r = 0; r < b; r++) System.arraycopy(x, order[start + r] * w, fb, r * w, w);
            } else {
                double[] db = (double[]) bt.features;
                for (int r = 0; r < b; r++) {
                    int src = order[start + r] * w;
                    for (int j = 0; j < w; j++) db[r * w + j] = x[src + j];
                }
            }
            for (int k = 0; k < bt.targets.length; k++) {
                Object src = targets.get(k), dst = bt.targets[k];
                if (dst == null) continue;
                int tw = info.labels().get(k).width();
                for (int r = 0; r < b; r++) System.arraycopy(src, order[start + r] * tw, dst, r * tw, tw);
            }
            double loss = trainStep.invokeForLoss(bt.args);
            if (Double.isFinite(loss)) {
                lossSum += loss * b;
                lossRows += b;
            }
            if (listener != null) listener.step(start + b, loss);
        }
        return lossRows == 0 ? Double.NaN : lossSum / lossRows;
    }

    /** The prediction output for every row of {@code d} (rows × output width), dropout off. */
    public double[] predict(Dataset d) {
        int n = d.rows(), w = info.width(), ow = info.outputWidth();
        float[] x = d.features();
        double[] result = new double[n * ow];
        for (int start = 0; start < n; start += INFER_BATCH) {
            int b = Math.min(INFER_BATCH, n - start);
            Batch bt = inferBatches.computeIfAbsent(b, r -> new Batch(infer, r));
            if (f32) {
                System.arraycopy(x, start * w, bt.features, 0, b * w);
            } else {
                double[] db = (double[]) bt.features;
                for (int i = 0; i < b * w; i++) db[i] = x[start * w + i];
            }
            infer.invoke(bt.args);
            if (f32) {
                float[] o = (float[]) bt.output;
                for (int i = 0; i < b * ow; i++) result[start * ow + i] = o[i];
            } else {
                System.arraycopy(bt.output, 0, result, start * ow, b * ow);
            }
        }
        return result;
    }
}
