package dev.nnc.train;

import dev.nnc.codegen.JavaEmitter;
import dev.nnc.codegen.LoadedModel;
import dev.nnc.data.DataException;
import dev.nnc.data.Vocabulary;
import dev.nnc.io.TensorFile;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code nnc sample}: text from a character-level language model trained by
 * {@code nnc train --text --save}. It feeds the last characters (at most the window length the
 * model was trained with) to the generated class's {@code infer}, and draws the next character
 * from the softmax of the logits at the last position divided by the temperature (temperature 0:
 * the likeliest character), one character at a time.
 */
public final class Sample {
    private Sample() {}

    /**
     * What to generate.
     *
     * @param prompt      the text to start from (at least one character, each in the vocabulary)
     * @param length      the characters to generate
     * @param temperature divides the logits; 0 picks the likeliest character
     * @param seed        the seed of the draws
     */
    public record Request(String prompt, int length, double temperature, long seed) {}

    /**
     * The prompt followed by the generated text.
     *
     * @param file       the .nn file name (messages)
     * @param source     its text
     * @param params     the parameters file as read
     * @param paramsName its name (messages)
     * @param modelName  the model to use when the file has several, or null for the one the parameters were saved from
     * @param f32        element type, or null for the model's precision
     * @throws DataException naming the file, the option or the character that is wrong
     */
    public static String run(String file, String source, TensorFile params, String paramsName, String modelName, Boolean f32,
                             JavaEmitter.Backend backend, Request r) {
        if (r.length() < 0) throw new DataException("--length must be at least 0, got " + r.length());
        if (!(r.temperature() >= 0) || Double.isInfinite(r.temperature())) {
            throw new DataException("--temperature must be 0 (always the likeliest character) or more, got " + r.temperature());
        }
        if (r.prompt().isEmpty()) throw new DataException("--prompt is empty: give at least one character to start from");
        TextMetadata meta = TextMetadata.of(params, paramsName);
        Compiled compiled = TrainJob.compile(file, source, modelName, meta.model());
        if (!meta.model().equals(compiled.model().name())) {
            throw new DataException(paramsName + " holds parameters of model " + meta.model() + ", not " + compiled.model().name());
        }
        TextModel tm = TextModel.of(compiled, file, false);
        Vocabulary v = meta.vocabulary();
        tm.checkVocabulary(v.size(), paramsName);
        tm.checkSeq(meta.seq());
        int[] ids = new int[r.prompt().length() + r.length()];
        int n = 0;
        for (int cp : r.prompt().codePoints().toArray()) {
            int id = v.id(cp);
            if (id < 0) {
                throw new DataException("--prompt: character " + Vocabulary.describe(cp) + " is not in the vocabulary of " + paramsName
                        + " (the " + v.size() + " characters of its training text)");
            }
            ids[n++] = id;
        }
        boolean useF32 = f32 != null ? f32 : compiled.model().precision() != Model.Precision.F64;
        LoadedModel lm = LoadedModel.load(compiled, useF32, 0, Path.of(file).getFileName().toString(), source, backend);
        Predict.setParameters(lm, compiled.model(), params, paramsName);

        StringBuilder text = new StringBuilder(r.prompt());
        Map<Integer, TextCall> calls = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(r.seed());
        double[] logits = new double[v.size()];
        for (int i = 0; i < r.length(); i++) {
            int len = Math.min(n, meta.seq());
            TextCall call = calls.computeIfAbsent(len, l -> new TextCall(lm, tm, "infer", 1, l));
            System.arraycopy(ids, n - len, call.tokens, 0, len);
            call.infer();
            for (int c = 0; c < logits.length; c++) logits[c] = call.logit((len - 1) * tm.classes() + c);
            int next = pick(logits, r.temperature(), rng);
            ids[n++] = next;
            text.appendCodePoint(v.codePoint(next));
        }
        return text.toString();
    }

    /**
     * A class drawn from {@code softmax(logits / temperature)} with {@code rng}; for temperature 0
     * the first of the largest logits.
     */
    static int pick(double[] logits, double temperature, SplittableRandom rng) {
        int best = 0;
        for (int c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
        if (temperature == 0) return best;
        double[] p = Arrays.copyOf(logits, logits.length);
        double sum = 0;
        for (int c = 0; c < p.length; c++) sum += p[c] = Math.exp((logits[c] - logits[best]) / temperature);
        double u = rng.nextDouble() * sum;
        for (int c = 0; c < p.length; c++) {
            u -= p[c];
            if (u < 0) return c;
        }
        return best; // rounding left u at or just above 0
    }
}
