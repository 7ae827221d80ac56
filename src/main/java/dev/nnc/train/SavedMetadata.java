package dev.nnc.train;

import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.io.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training metadata {@code nnc train --save} writes into a parameters file
 * ({@value TrainJob#METADATA_KEY}), read back for {@code nnc predict} with every field's type
 * and value checked: a parameters file is user input, and a hand-edited or foreign one must
 * give a {@link DataException} naming the file, never a {@code ClassCastException} or
 * {@code NullPointerException} from deep inside prediction.
 *
 * @param model         the model name it was trained for, or null
 * @param output        the output it was trained on, or null for the model's only one
 * @param preprocessing how feature columns become features
 * @param targetColumns the first target's columns, or null (then the output's name)
 * @param classTarget   whether the first target is a class label
 * @param scale         how the first target was scaled, or null
 * @param id            the id column, or null
 */
public record SavedMetadata(String model, String output, Preprocessing preprocessing, List<String> targetColumns,
                     boolean classTarget, TargetScale scale, String id) {

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
            throw new DataException(fileName + ": the '" + TrainJob.METADATA_KEY + "' metadata is not valid JSON: " + e.getMessage());
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
            TargetScale scale = null;
            Object targets = meta.get("targets");
            if (targets != null && !list(targets, "'targets'").isEmpty()) {
                Map<?, ?> t0 = map(list(targets, "'targets'").get(0), "'targets[0]'");
                if (t0.get("columns") != null) columns = strings(t0.get("columns"), "'targets[0].columns'");
                if (columns != null && columns.isEmpty()) throw new IllegalArgumentException("'targets[0].columns' is empty");
                isClass = "class".equals(t0.get("kind"));
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
                    columns, isClass, scale, string(meta.get("id"), "'id'"));
        } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException | IllegalArgumentException e) {
            String why = e instanceof IllegalArgumentException && e.getMessage() != null ? e.getMessage() : "a field has the wrong type or is missing";
            throw new DataException(fileName + ": the '" + TrainJob.METADATA_KEY + "' metadata is not what 'nnc train --save' writes: "
                    + why);
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
}
