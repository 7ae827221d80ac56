package dev.nnc.train;

import dev.nnc.codegen.LoadedModel;
import dev.nnc.data.DataException;
import dev.nnc.data.Vocabulary;
import dev.nnc.io.Json;
import dev.nnc.io.TensorFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metadata {@code nnc train --text --save} writes into a parameters file ({@value #KEY},
 * JSON): the model, its vocabulary (the characters in id order) and the window length it was
 * trained with; what {@code nnc sample} reads back, every field checked (a parameters file is
 * user input: a foreign or hand-edited one gives a {@link DataException} naming the file).
 *
 * @param model      the model name
 * @param vocabulary the characters, id {@code i} being the {@code i}-th
 * @param seq        the characters per window in training: the longest context {@code nnc sample} feeds
 */
public record TextMetadata(String model, Vocabulary vocabulary, int seq) {

    /** The metadata key of a text model's vocabulary and window length (JSON). */
    public static final String KEY = "nnc.text";

    /** Writes every parameter and buffer of {@code lm} to {@code file} (atomically), with this metadata. */
    void save(Path file, LoadedModel lm, TextModel tm) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", model);
        meta.put("vocabulary", vocabulary.toString());
        meta.put("seq", seq);
        meta.put("tokens_input", tm.tokens().name());
        meta.put("next_input", tm.next().name());
        meta.put("output", tm.logits().name());
        TensorFile.Builder b = TensorFile.builder();
        b.metadata("format", "nnc").metadata("model", model).metadata(KEY, Json.write(meta));
        SavedMetadata.writeWithParameters(file, b, lm, tm.compiled().model());
    }

    /**
     * The text metadata of a parameters file.
     *
     * @param fileName the parameters file, for messages
     * @throws DataException naming the file if it has none (it was not trained with {@code --text}) or it is not what
     *                       {@code nnc train --text --save} writes
     */
    public static TextMetadata of(TensorFile params, String fileName) {
        String text = params.metadata().get(KEY);
        if (text == null) {
            throw new DataException(fileName + ": no vocabulary ('" + KEY + "' metadata): these parameters were not trained with"
                    + " 'nnc train --text'");
        }
        String why;
        try {
            if (Json.parse(text) instanceof Map<?, ?> m) {
                if (m.get("model") instanceof String model && m.get("vocabulary") instanceof String v && m.get("seq") instanceof Number s
                        && s.doubleValue() >= 1 && s.doubleValue() == Math.rint(s.doubleValue()) && s.doubleValue() <= Integer.MAX_VALUE) {
                    return new TextMetadata(model, Vocabulary.parse(v), s.intValue());
                }
                why = "it needs a string 'model', a string 'vocabulary' and a positive whole 'seq'";
            } else {
                why = "it is not a JSON object";
            }
        } catch (Json.SyntaxException e) {
            why = "it is not valid JSON: " + e.getMessage();
        } catch (IllegalArgumentException e) {
            why = e.getMessage();
        }
        throw new DataException(fileName + ": the '" + KEY + "' metadata is not what 'nnc train --text --save' writes: " + why);
    }
}
