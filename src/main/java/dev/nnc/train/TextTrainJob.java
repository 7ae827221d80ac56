package dev.nnc.train;

import dev.nnc.codegen.JavaEmitter;
import dev.nnc.codegen.LoadedModel;
import dev.nnc.data.DataException;
import dev.nnc.data.TextCorpus;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * {@code nnc train MODEL.nn --text FILE --seq N}: a character-level language model learns a
 * plain text file. The model's inputs get their roles from {@link TextModel}; every step trains
 * on {@code batch} windows of {@code seq + 1} characters at random offsets of the training part
 * of the text ({@link TextCorpus}); after every epoch the loss on the held-out part is printed.
 * {@code --save} writes the parameters with the vocabulary ({@link TextMetadata}).
 */
public final class TextTrainJob {
    private TextTrainJob() {}

    /** At most this many held-out windows are scored after every epoch. */
    static final int MAX_HELD_OUT_WINDOWS = 256;

    /**
     * Everything a run needs.
     *
     * @param modelFile the .nn file name, for messages
     * @param source    its text
     * @param modelName the model to train when the file has several (else null)
     * @param f32       element type, or null for the model's own precision
     * @param text      the text file (UTF-8)
     * @param seq       characters per window
     * @param epochs    epochs of (training characters / (batch · seq)) steps each
     * @param steps     if above 0, the steps to train instead of {@code epochs} whole epochs (the last epoch may be shorter)
     * @param batch     windows per step
     * @param seed      parameter initialization, dropout and the windows' offsets
     * @param save      where to save the parameters and the vocabulary, or null
     * @param progress  how to show progress
     * @param backend   how the generated class is written
     */
    public record Config(String modelFile, String source, String modelName, Boolean f32, Path text, int seq, int epochs, int steps,
                         int batch, long seed, Path save, Progress.Mode progress, JavaEmitter.Backend backend) {}

    /**
     * What came out.
     *
     * @param vocabulary the number of distinct characters
     * @param steps      the training steps taken
     * @param heldOut    the held-out loss after every epoch
     */
    public record Result(int vocabulary, int steps, List<Double> heldOut) {}

    /** Runs the job, writing progress and results to {@code out}. */
    public static Result run(Config c, PrintWriter out) {
        long t0 = System.nanoTime();
        if (c.epochs() < 1) throw new DataException("--epochs must be at least 1, got " + c.epochs());
        if (c.batch() < 1) throw new DataException("--batch must be at least 1, got " + c.batch());
        if (c.steps() < 0) throw new DataException("--steps must be at least 1, got " + c.steps());
        Compiled compiled = TrainJob.compile(c.modelFile(), c.source(), c.modelName());
        TextModel tm = TextModel.of(compiled, c.modelFile(), true);
        tm.checkSeq(c.seq());
        boolean f32 = c.f32() != null ? c.f32() : compiled.model().precision() != Model.Precision.F64;
        long tc = System.nanoTime();
        CompletableFuture<LoadedModel> loading = TrainJob.loadAsync(compiled, f32, c.seed(), c.modelFile(), c.source(), c.backend());
        TextCorpus corpus = TextCorpus.read(c.text(), c.seq());
        int vocab = corpus.vocabulary().size();
        tm.checkVocabulary(vocab, c.text().toString());
        int perEpoch = Math.max(1, corpus.trainLength() / (c.batch() * c.seq()));
        int total = c.steps() > 0 ? c.steps() : perEpoch * c.epochs();
        int epochs = (total + perEpoch - 1) / perEpoch;

        out.printf(Locale.ROOT, "model %s (%s): %s%n", tm.name(), c.modelFile(), TrainJob.describeOptimizer(compiled.model()));
        out.printf(Locale.ROOT, "text %s: %,d characters, %d distinct (the vocabulary); training on the first %,d, holding out the last %,d%n",
                c.text(), corpus.length(), vocab, corpus.trainLength(), corpus.length() - corpus.trainLength());
        for (String line : tm.describe()) out.println(line);
        out.flush();
        LoadedModel lm = TrainJob.join(loading);
        out.printf(Locale.ROOT, "compiled %s to Java (%s) in memory (%.1f s); %d epoch%s of %d steps (%d steps), batch %d windows"
                + " of %d characters at random offsets, seed %d%n", tm.name(), f32 ? "f32" : "f64", (System.nanoTime() - tc) / 1e9,
                epochs, epochs == 1 ? "" : "s", perEpoch, total, c.batch(), c.seq(), c.seed());
        out.flush();

        long tt = System.nanoTime();
        TextCall step = new TextCall(lm, tm, "trainStep", c.batch(), c.seq());
        int heldWindows = Math.min(MAX_HELD_OUT_WINDOWS, corpus.heldOutWindows());
        TextCall held = new TextCall(lm, tm, "loss", Math.min(c.batch(), heldWindows), c.seq());
        SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x5DEECE66DL);
        Progress progress = new Progress(out, c.progress(), "windows");
        List<Double> heldOut = new ArrayList<>();
        int done = 0;
        for (int e = 1; e <= epochs; e++) {
            int steps = Math.min(perEpoch, total - done);
            progress.epochStart("", e, epochs, steps * c.batch());
            double sum = 0;
            int finite = 0;
            for (int s = 0; s < steps; s++) {
                for (int w = 0; w < c.batch(); w++) corpus.trainWindow(rng, step.tokens, step.next, w);
                double loss = step.loss();
                if (Double.isFinite(loss)) {
                    sum += loss;
                    finite++;
                }
                progress.step((s + 1) * c.batch(), loss);
            }
            done += steps;
            if (finite == 0) {
                progress.finish();
                throw new DataException("training diverged: no step of epoch " + e + " had a finite loss; try a smaller learning rate"
                        + " in the model's optimizer");
            }
            double h = heldOutLoss(corpus, held, heldWindows);
            heldOut.add(h);
            progress.epochEnd(sum / finite, String.format(Locale.ROOT, ", held-out loss %.4f", h));
        }
        progress.finish();
        long skipped = lm.skippedSteps();
        if (skipped > 0) {
            progress.note(String.format(Locale.ROOT, "%d of %d training steps were skipped: their loss or a gradient was not finite,"
                    + " so they changed nothing", skipped, skipped + lm.steps()));
        }
        out.printf(Locale.ROOT, "held-out loss %.4f after %d steps (%d windows of the last %,d characters); a uniform guess over the"
                + " %d characters scores ln %d = %.4f%n", heldOut.get(heldOut.size() - 1), done, heldWindows / held.batch() * held.batch(),
                corpus.length() - corpus.trainLength(), vocab, vocab, Math.log(vocab));
        double trainSeconds = (System.nanoTime() - tt) / 1e9;
        if (c.save() != null) {
            new TextMetadata(tm.name(), corpus.vocabulary(), c.seq()).save(c.save(), lm, tm);
            out.printf(Locale.ROOT, "saved the parameters and the vocabulary (%d characters, seq %d) to %s%n", vocab, c.seq(), c.save());
        }
        out.printf(Locale.ROOT, "time: %.1f s training, %.1f s in all%n", trainSeconds, (System.nanoTime() - t0) / 1e9);
        out.flush();
        return new Result(vocab, done, List.copyOf(heldOut));
    }

    /** The mean loss (dropout off) over the first held-out windows, a whole number of {@code call}'s batches. */
    private static double heldOutLoss(TextCorpus corpus, TextCall call, int windows) {
        int b = call.batch(), calls = windows / b;
        double sum = 0;
        for (int k = 0; k < calls; k++) {
            for (int w = 0; w < b; w++) corpus.heldOutWindow(k * b + w, call.tokens, call.next, w);
            sum += call.loss();
        }
        return sum / calls;
    }
}
