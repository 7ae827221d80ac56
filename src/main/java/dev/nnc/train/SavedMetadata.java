package dev.nnc.train;

import dev.nnc.codegen.LoadedModel;
import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.io.Json;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import dev.nnc.ir.Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training metadata {@code nnc train --save} writes into a parameters file
 * ({@value #KEY}, JSON), and what {@code nnc predict} and {@code nnc compile --preprocessing}
 * read back, with every field's type and value checked: a parameters file is user input, and a
 * hand-edited or foreign one must give a {@link DataException} naming the file, never a
 * {@code ClassCastException} or {@code NullPointerException} from deep inside prediction. All
 * JSON handling of the metadata is here (and in {@link Preprocessing} and {@link TargetScale},
 * which map their parts to and from JSON trees).
 *
 * @param model         the model name it was trained for, or null
 * @param output        the output it was trained on, or null for the model's only one
 * @param preprocessing how feature columns become features
 * @param targetColumns the first target's columns, or null (no target, or not saved: then the output's name)
 * @param classTarget   whether the first target is a class label
 * @param classes       how the first target's class labels map to ids (integers unless saved)
 * @param scale         how the first target was scaled, or null
 * @param id            the id column, or null
 * @param metric        the metric of the training run, or null
 */
public record SavedMetadata(String model, String output, Preprocessing preprocessing, List<String> targetColumns,
                            boolean classTarget, ClassLabels classes, TargetScale scale, String id, String metric) {

    /** The metadata key under which the preprocessing and target scaling are saved (JSON). */
    public static final String KEY = "nnc.training";

    /**
     * The metadata key of the encoding's fingerprint: what an encoder generated from the file
     * must match ({@link #fingerprint}).
     */
    public static final String FINGERPRINT_KEY = "nnc.encoding";

    /**
     * The {@value #KEY} metadata that {@code --save} writes: the roles of the columns, the target
     * scaling ({@code scales}, null for labels), the class names and the preprocessing.
     */
    public static String write(ModelInfo info, Preprocessing prep, List<List<String>> targetColumns, List<TargetScale> scales,
                               List<ClassLabels> labels, String id, Metric metric) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", info.name());
        meta.put("features_input", info.features().name());
        meta.put("output", info.output().name());
        meta.put("id", id);
        meta.put("metric", metric.label());
        meta.put("targets", targets(info, targetColumns, scales, labels));
        meta.put("preprocessing", prep.toJson());
        return Json.write(meta);
    }

    private static List<Object> targets(ModelInfo info, List<List<String>> targetColumns, List<TargetScale> scales, List<ClassLabels> labels) {
        List<Object> targets = new ArrayList<>();
        for (int k = 0; k < info.labels().size(); k++) {
            ModelInfo.Label l = info.labels().get(k);
            Map<String, Object> tj = new LinkedHashMap<>();
            tj.put("input", l.input().name());
            tj.put("columns", targetColumns.get(k));
            tj.put("kind", l.isInt() ? "class" : "real");
            if (!l.isInt()) tj.put("scale", scales.get(k).toJson());
            else if (!labels.get(k).integers()) tj.put("classes", labels.get(k).toJson());
            targets.add(tj);
        }
        return targets;
    }

    /**
     * A digest of everything that turns raw values into the model's input and its output back
     * into values (the preprocessing, the target scaling and the class names), written as
     * {@value #FINGERPRINT_KEY} beside {@value #KEY}: a generated encoder and a parameters file
     * belong together when their fingerprints are equal.
     */
    public static String fingerprint(ModelInfo info, Preprocessing prep, List<List<String>> targetColumns, List<TargetScale> scales,
                                     List<ClassLabels> labels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preprocessing", prep.toJson());
        m.put("targets", targets(info, targetColumns, scales, labels));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(Json.write(m).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /**
     * Reads the metadata text (JSON) of a parameters file.
     *
     * @param fileName the parameters file, for messages
     * @throws DataException naming the file and what is wrong, for any text that is not what
     *                       {@code nnc train --save} writes
     */
    public static SavedMetadata read(String text, String fileName) {
        Object json;
        try {
            json = Json.parse(text);
        } catch (Json.SyntaxException e) {
            throw new DataException(fileName + ": the '" + KEY + "' metadata is not valid JSON: " + e.getMessage());
        }
        return fromTree(json, fileName);
    }

    /** Reads the metadata as a JSON tree ({@link Json#parse}). */
    static SavedMetadata fromTree(Object json, String fileName) {
        try {
            Map<?, ?> meta = map(json, "the metadata");
            Object prep = meta.get("preprocessing");
            if (prep == null) throw new IllegalArgumentException("it has no 'preprocessing'");
            Preprocessing p = Preprocessing.fromJson(castMap(map(prep, "'preprocessing'")));
            List<String> columns = null;
            boolean isClass = false;
            ClassLabels classes = ClassLabels.INTEGERS;
            TargetScale scale = null;
            Object targets = meta.get("targets");
            if (targets != null && !list(targets, "'targets'").isEmpty()) {
                Map<?, ?> t0 = map(list(targets, "'targets'").get(0), "'targets[0]'");
                if (t0.get("columns") != null) columns = strings(t0.get("columns"), "'targets[0].columns'");
                if (columns != null && columns.isEmpty()) throw new IllegalArgumentException("'targets[0].columns' is empty");
                isClass = "class".equals(t0.get("kind"));
                classes = ClassLabels.fromJson(t0.get("classes"), "'targets[0].classes'");
                if (t0.get("scale") != null) {
                    scale = TargetScale.fromJson(castMap(map(t0.get("scale"), "'targets[0].scale'")));
                    for (int j = 0; j < scale.mean().length; j++) {
                        if (!Double.isFinite(scale.mean()[j]) || !(scale.std()[j] > 0) || !Double.isFinite(scale.std()[j])) {
                            throw new IllegalArgumentException("'targets[0].scale' needs finite means and positive finite stds");
                        }
                    }
                }
            }
            return new SavedMetadata(string(meta.get("model"), "'model'"), string(meta.get("output"), "'output'"), p,
                    columns, isClass, classes, scale, string(meta.get("id"), "'id'"), string(meta.get("metric"), "'metric'"));
        } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException | IllegalArgumentException e) {
            String why = e instanceof IllegalArgumentException && e.getMessage() != null ? e.getMessage() : "a field has the wrong type or is missing";
            throw new DataException(fileName + ": the '" + KEY + "' metadata is not what 'nnc train --save' writes: " + why);
        }
    }

    private static Map<?, ?> map(Object o, String what) {
        if (o instanceof Map<?, ?> m) return m;
        throw new IllegalArgumentException(what + " must be an object");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        for (Object k : m.keySet()) if (!(k instanceof String)) throw new IllegalArgumentException("keys must be strings");
        return (Map<String, Object>) m;
    }

    private static List<?> list(Object o, String what) {
        if (o instanceof List<?> l) return l;
        throw new IllegalArgumentException(what + " must be an array");
    }

    private static List<String> strings(Object o, String what) {
        List<String> out = new ArrayList<>();
        for (Object e : list(o, what)) {
            if (!(e instanceof String s)) throw new IllegalArgumentException(what + " must hold strings");
            out.add(s);
        }
        return out;
    }

    private static String string(Object o, String what) {
        if (o == null || o instanceof String) return (String) o;
        throw new IllegalArgumentException(what + " must be a string");
    }

    /**
     * Writes the parameters file of {@code nnc train --save}: every parameter and buffer of {@code lm}, and in the metadata
     * {@value #KEY} and {@value #FINGERPRINT_KEY}.
     *
     * @throws DataException naming the file if it cannot be written
     */
    static void save(Path file, LoadedModel lm, ModelInfo info, TableColumns.Columns cols, Csv.Table t,
                             List<TargetScale> scales, Metric metric) {
        List<List<String>> targetColumns = new ArrayList<>();
        for (int[] tc : cols.targetCols()) targetColumns.add(TableColumns.columnNames(t, tc));
        TensorFile.Builder b = TensorFile.builder();
        b.metadata("format", "nnc").metadata("model", info.name());
        b.metadata(SavedMetadata.KEY, SavedMetadata.write(info, cols.prep(), targetColumns, scales, cols.labels(), cols.id(), metric));
        b.metadata(SavedMetadata.FINGERPRINT_KEY, SavedMetadata.fingerprint(info, cols.prep(), targetColumns, scales, cols.labels()));
        writeWithParameters(file, b, lm, info.compiled().model());
    }

    /**
     * Writes {@code b} with every parameter and buffer of {@code lm} (a class of {@code model}) added to {@code file},
     * atomically ({@link SafeTensors#write}).
     *
     * @throws DataException naming the file if it cannot be written
     */
    static void writeWithParameters(Path file, TensorFile.Builder b, LoadedModel lm, Model model) {
        for (Model.Param p : model.params()) tensor(b, p.name(), p.node().shape(), lm.parameterArray(p.name()));
        for (Model.Buffer s : model.buffers()) tensor(b, s.name(), s.node().shape(), lm.bufferArray(s.name()));
        try {
            SafeTensors.write(file, b.build());
        } catch (IOException e) {
            throw new DataException(file + ": cannot write: " + e.getMessage());
        }
    }

    private static void tensor(TensorFile.Builder b, String name, dev.nnc.ir.Shape shape, Object a) {
        int[] sizes = shape.sizes(Map.of());
        b.tensor(name, a instanceof float[] f ? TensorData.f32(sizes, f) : TensorData.f64(sizes, (double[]) a));
    }
}
