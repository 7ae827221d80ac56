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
     * Predicts every row of {@code data}.
     *
     * @param file     the .nn file name (messages)
     * @param source   its text
     * @param params   the parameters file as read, with nnc's training metadata
     * @param paramsName the parameters file name (messages)
     * @param data     the rows to predict
     * @param idColumn the id column, or null for the one saved at training (or "row" numbers if the data lacks it)
     * @param f32      element type, or null for the model's precision
     * @return the CSV text
     */
    @SuppressWarnings("unchecked")
    public static String run(String file, String source, TensorFile params, String paramsName, Csv.Table data,
                             String idColumn, String modelName, Boolean f32) {
        String metaText = params.metadata().get(TrainJob.METADATA_KEY);
        if (metaText == null) {
            throw new DataException(paramsName + ": no preprocessing metadata ('" + TrainJob.METADATA_KEY
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
        boolean useF32 = f32 != null ? f32 : compiled.model().precision() != Model.Precision.F64;
        LoadedModel lm = LoadedModel.load(compiled, useF32, 0, Path.of(file).getFileName().toString(), source);
        for (Model.Param p : compiled.model().params()) {
            TensorData d = params.tensors().get(p.name());
            int[] want = p.node().shape().sizes(Map.of());
            if (d == null) {
                throw new DataException(paramsName + ": no tensor for param '" + p.name() + "' " + Arrays.toString(want)
                        + " of model " + info.name() + "; the file has " + params.tensors().keySet());
            }
            if (!Arrays.equals(d.shape(), want) || d.dtype() == DType.I32 || d.dtype() == DType.I64) {
                throw new DataException(paramsName + ": param '" + p.name() + "' must be a real tensor of shape " + Arrays.toString(want)
                        + ", got " + d.dtype() + " " + Arrays.toString(d.shape()));
            }
            lm.setParameter(p.name(), d.asDoubles());
        }

        Dataset ds = new Dataset(data.rowCount(), prep.width(), prep.transform(data), List.of());
        double[] out = new Trainer(lm, info, false).predict(ds);
        int ow = info.outputWidth();

        // the first target says how to read the output
        List<String> columns = meta.targetColumns() != null ? meta.targetColumns() : List.of(info.output().name());
        boolean isClass = meta.classTarget();
        TargetScale scale = meta.scale();

        String id = idColumn != null ? idColumn : meta.id();
        int idCol = id == null ? -1 : data.column(id);
        if (idColumn != null && idCol < 0) data.require(idColumn, "--id");
        StringBuilder sb = new StringBuilder();
        List<String> header = new ArrayList<>();
        header.add(idCol >= 0 ? id : "row");
        if (isClass) header.add(columns.get(0));
        else if (ow == columns.size()) header.addAll(columns);
        else for (int j = 0; j < ow; j++) header.add(info.output().name() + (ow == 1 ? "" : "_" + j));
        appendRow(sb, header);
        List<String> row = new ArrayList<>();
        for (int r = 0; r < ds.rows(); r++) {
            row.clear();
            row.add(idCol >= 0 ? data.get(r, idCol) : Integer.toString(r + 1));
            if (isClass) {
                int best = 0;
                if (ow == 1) best = out[r] >= (info.probability() ? 0.5 : 0) ? 1 : 0;
                else for (int j = 1; j < ow; j++) if (out[r * ow + j] > out[r * ow + best]) best = j;
                row.add(Integer.toString(best));
            } else {
                for (int j = 0; j < ow; j++) {
                    double v = out[r * ow + j];
                    if (scale != null && j < scale.mean().length) v = scale.toRaw(v, j);
                    row.add(format(v));
                }
            }
            appendRow(sb, row);
        }
        return sb.toString();
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
