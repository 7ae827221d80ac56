package dev.nnc.train;

import dev.nnc.codegen.LoadedModel;
import dev.nnc.ir.Model;
import java.util.List;
import java.util.Map;

/**
 * One entry method of a text model's generated class ({@code trainStep}, {@code loss},
 * {@code infer}) for {@code batch} windows of {@code seq} characters, with its argument arrays
 * allocated once: callers fill {@link #tokens} and {@link #next}; the positions are 0 … seq − 1.
 */
final class TextCall {
    private final LoadedModel.Entry entry;
    private final Object[] args;
    private final TextModel model;
    private Object logits;
    private final int batch;
    /** The characters of the windows, {@code [batch, seq]}. */
    final int[] tokens;
    /** The next characters, {@code [batch, seq]} (not read by {@code infer}). */
    final int[] next;

    TextCall(LoadedModel lm, TextModel model, String entryName, int batch, int seq) {
        this.model = model;
        this.entry = lm.entry(entryName);
        this.batch = batch;
        this.tokens = new int[batch * seq];
        this.next = new int[batch * seq];
        List<String> spec = entry.arguments();
        args = new Object[spec.size()];
        Map<String, Integer> dims = Map.of(model.batchDim(), batch, model.seqDim(), seq);
        Model m = model.compiled().model();
        for (int i = 0; i < spec.size(); i++) {
            String s = spec.get(i);
            int colon = s.indexOf(':');
            String kind = s.substring(0, colon), name = s.substring(colon + 1);
            switch (kind) {
                case "dim" -> args[i] = dims.get(name);
                case "input" -> args[i] = input(name, seq);
                case "output" -> {
                    int k = 0;
                    while (!m.outputs().get(k).name().equals(name)) k++;
                    int n = 1;
                    for (int size : model.compiled().eval().outputs().get(k).shape().sizes(dims)) n *= size;
                    args[i] = lm.f32() ? new float[n] : new double[n];
                    if (name.equals(model.logits().name())) logits = args[i];
                }
                default -> throw new IllegalStateException(s);
            }
        }
    }

    private int[] input(String name, int seq) {
        if (name.equals(model.tokens().name())) return tokens;
        if (name.equals(model.next().name())) return next;
        if (model.positions() != null && name.equals(model.positions().name())) {
            int[] p = new int[seq];
            for (int i = 0; i < seq; i++) p[i] = i;
            return p;
        }
        throw new IllegalStateException("input " + name + " has no role"); // TextModel gives every input one
    }

    /** The windows per call. */
    int batch() {
        return batch;
    }

    /** Runs the entry; its loss ({@code trainStep}, {@code loss}). */
    double loss() {
        return entry.invokeForLoss(args);
    }

    /** Runs {@code infer}; then {@link #logit} reads the logits. */
    void infer() {
        entry.invoke(args);
    }

    /** Logit {@code i} of the flat {@code [batch, seq, classes]} logits of the last {@link #infer}. */
    double logit(int i) {
        return logits instanceof float[] f ? f[i] : ((double[]) logits)[i];
    }
}
