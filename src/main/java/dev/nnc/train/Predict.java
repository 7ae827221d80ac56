package dev.nnc.train;

import dev.nnc.codegen.LoadedModel;
import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.io.DType;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code nnc predict}: replays the saved preprocessing on new rows, runs inference with the saved
 * parameters, and renders a CSV with an id column and the prediction (Kaggle's submission format).
 */
public final class Predict {
    private Predict() {}

    /**
     * What {@link #run} made.
     *
     * @param csv    the CSV text
     * @param rows   its rows of predictions
     * @param metric when the data has the target columns, the metric on them ("accuracy 97.50% on 359 labelled rows"), else null
     */
    public record Output(String csv, int rows, String metric) {}

    /**
     * Predicts every row of {@code data}.
     *
     * @param file          the .nn file name (messages)
     * @param source        its text
     * @param params        the parameters file as read, with nnc's training metadata
     * @param paramsName    the parameters file name (messages)
     * @param data          the rows to predict
     * @param idColumn      the id column, or null for the one saved at training, else a column named id in any case (or
     *                      "row" numbers if the data has none)
     * @param f32           element type, or null for the model's precision
     * @param probabilities also write the probability of every class
     * @param metric        the metric to report on labelled data, or null for the one of the training run
     */
    public static Output run(String file, String source, TensorFile params, String paramsName, Csv.Table data, String idColumn,
                             String modelName, Boolean f32, boolean probabilities, Metric metric) {
        String metaText = params.metadata().get(SavedMetadata.KEY);
        if (metaText == null && params.metadata().containsKey(TextMetadata.KEY)) {
            throw new DataException(paramsName + ": these parameters were trained on a text (nnc train --text); use nnc sample");
        }
        if (metaText == null) {
            throw new DataException(paramsName + ": no preprocessing metadata ('" + SavedMetadata.KEY
                    + "'); predict needs parameters saved by 'nnc train --save'");
        }
        SavedMetadata meta = SavedMetadata.read(metaText, paramsName);
        String savedModel = meta.model();
        Compiled compiled = TrainJob.compile(file, source, modelName, savedModel);
        if (savedModel != null && !savedModel.equals(compiled.model().name())) {
            throw new DataException(paramsName + " holds parameters of model " + savedModel + ", not " + compiled.model().name());
        }
        ModelInfo info = ModelInfo.of(compiled, file, source, meta.output(), false);
        Preprocessing prep = meta.preprocessing();
        if (prep.width() != info.width()) {
            throw new DataException(paramsName + ": the saved preprocessing gives " + Preprocessing.count(prep.width(), "feature") + ", but input "
                    + ModelInfo.describe(info.features()) + " takes " + info.width());
        }
        boolean isClass = meta.classTarget();
        if (probabilities && !isClass) {
            throw new DataException("--probabilities needs class labels, but " + paramsName + " was trained on "
                    + (info.labels().isEmpty() ? "no target" : "real-valued targets"));
        }
        boolean useF32 = f32 != null ? f32 : compiled.model().precision() != Model.Precision.F64;
        LoadedModel lm = LoadedModel.load(compiled, useF32, 0, Path.of(file).getFileName().toString(), source);
        setParameters(lm, compiled.model(), params, paramsName);

        Dataset ds = new Dataset(data.rowCount(), prep.width(), prep.transform(data), List.of());
        double[] out = new Trainer(lm, info, false).predict(ds);
        int ow = info.outputWidth();

        // the first target says how to read the output
        List<String> columns = meta.targetColumns() != null ? meta.targetColumns() : List.of(info.output().name());
        TargetScale scale = meta.scale();
        String score = meta.targetColumns() != null && !info.labels().isEmpty() && columns.stream().allMatch(c -> data.column(c) >= 0)
                ? score(info, meta, data, prep, out, metric) : null;

        int idCol = idColumn(data, idColumn, meta.id(), prep);
        StringBuilder sb = new StringBuilder();
        List<String> header = new ArrayList<>();
        header.add(idCol >= 0 ? data.header().get(idCol) : "row");
        if (isClass) header.add(columns.get(0));
        else if (ow == columns.size()) header.addAll(columns);
        else for (int j = 0; j < ow; j++) header.add(info.output().name() + (ow == 1 ? "" : "_" + j));
        if (probabilities) {
            if (ow == 1) header.add("prob_" + meta.classes().name(1));
            else for (int j = 0; j < ow; j++) header.add("prob_" + meta.classes().name(j));
        }
        appendRow(sb, header);
        List<String> row = new ArrayList<>();
        double[] p = new double[ow];
        for (int r = 0; r < ds.rows(); r++) {
            row.clear();
            row.add(idCol >= 0 ? data.get(r, idCol) : Integer.toString(r + 1));
            if (isClass) {
                row.add(meta.classes().name(predictedClass(out, r, ow, info.probability())));
                if (probabilities) {
                    probabilities(out, r, ow, info.probability(), p);
                    for (double v : p) row.add(format(v));
                }
            } else {
                for (int j = 0; j < ow; j++) {
                    double v = out[r * ow + j];
                    if (scale != null && j < scale.mean().length) v = scale.toRaw(v, j);
                    row.add(format(v));
                }
            }
            appendRow(sb, row);
        }
        return new Output(sb.toString(), ds.rows(), score);
    }

    /** The class of row {@code r}: the arg max, or for one column a threshold (0.5 on a probability, 0 on a logit). */
    static int predictedClass(double[] out, int r, int ow, boolean probability) {
        if (ow == 1) return out[r] >= (probability ? 0.5 : 0) ? 1 : 0;
        int best = 0;
        for (int j = 1; j < ow; j++) if (out[r * ow + j] > out[r * ow + best]) best = j;
        return best;
    }

    /**
     * The class probabilities of row {@code r} into {@code p}: the output itself when it is a
     * probability (a softmax or sigmoid), else the softmax of the logits (one column: the sigmoid).
     */
    static void probabilities(double[] out, int r, int ow, boolean probability, double[] p) {
        if (probability) {
            System.arraycopy(out, r * ow, p, 0, ow);
        } else if (ow == 1) {
            p[0] = 1 / (1 + Math.exp(-out[r]));
        } else {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < ow; j++) max = Math.max(max, out[r * ow + j]);
            for (int j = 0; j < ow; j++) sum += p[j] = Math.exp(out[r * ow + j] - max);
            for (int j = 0; j < ow; j++) p[j] /= sum;
        }
    }

    /** The metric on data that has the first target's columns: "accuracy 97.50% on 359 labelled rows (label)". */
    private static String score(ModelInfo info, SavedMetadata meta, Csv.Table data, Preprocessing prep, double[] out, Metric metric) {
        int[] cols = meta.targetColumns().stream().mapToInt(data::column).toArray();
        boolean isClass = info.labels().get(0).isInt();
        TargetScale scale = meta.scale();
        List<Object> targets = Dataset.readTargets(data, List.of(cols), java.util.Collections.singletonList(isClass ? meta.classes() : null),
                List.of(TableColumns.classes(info, 0)), scale != null && scale.log(), prep);
        Dataset labelled = new Dataset(data.rowCount(), prep.width(), new float[0], targets);
        Metric m = metric != null ? metric : meta.metric() != null ? Metric.parse(meta.metric())
                : TrainJob.defaultMetric(info, scale != null && scale.log());
        return m.label() + " " + m.format(m.score(out, labelled, info, scale)) + " on " + data.rowCount() + " labelled rows ("
                + String.join(", ", meta.targetColumns()) + ")";
    }

    /**
     * The id column of {@code data}: {@code --id}, else the one saved at training, else a column
     * named id in any case that is not a feature; -1 for none.
     */
    /** Copies every parameter and buffer of {@code model} from the parameters file {@code params} into {@code lm}. */
    static void setParameters(LoadedModel lm, Model model, TensorFile params, String paramsName) {
        for (Model.Param p : model.params()) lm.setParameter(p.name(), values(params, paramsName, model, "param", p.name(), p.node().shape()));
        for (Model.Buffer b : model.buffers()) lm.setBuffer(b.name(), values(params, paramsName, model, "buffer", b.name(), b.node().shape()));
    }

    /** The values of the parameters file's tensor {@code name}, the {@code what} (param or buffer) of that shape. */
    private static double[] values(TensorFile params, String paramsName, Model model, String what, String name, dev.nnc.ir.Shape shape) {
        TensorData d = params.tensors().get(name);
        int[] want = shape.sizes(Map.of());
        if (d == null) {
            throw new DataException(paramsName + ": no tensor for " + what + " '" + name + "' " + Arrays.toString(want)
                    + " of model " + model.name() + "; the file has " + params.tensors().keySet());
        }
        if (!Arrays.equals(d.shape(), want) || d.dtype() == DType.I32 || d.dtype() == DType.I64) {
            throw new DataException(paramsName + ": " + what + " '" + name + "' must be a real tensor of shape " + Arrays.toString(want)
                    + ", got " + d.dtype() + " " + Arrays.toString(d.shape()));
        }
        return d.asDoubles();
    }

    private static int idColumn(Csv.Table data, String given, String saved, Preprocessing prep) {
        if (given != null) return data.require(given, "--id");
        if (saved != null && data.column(saved) >= 0) return data.column(saved);
        List<String> features = prep.columns().stream().map(Preprocessing.Column::name).toList();
        for (int i = 0; i < data.header().size(); i++) {
            String h = data.header().get(i);
            if (h.equalsIgnoreCase(saved != null ? saved : "id") && !features.contains(h)) return i;
        }
        return -1;
    }

    /** A number for the CSV: up to 9 significant digits, no exponent. */
    static String format(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        if (v == 0) return "0";
        return new BigDecimal(v).round(new MathContext(9)).stripTrailingZeros().toPlainString();
    }

    private static void appendRow(StringBuilder sb, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) sb.append(',');
            String f = fields.get(i);
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        sb.append('\n');
    }
}
