package dev.nnc.train;

import dev.nnc.Compiler;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.codegen.LoadedModel;
import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@code nnc train} (and {@code nnc demo}): preprocess a table, compile the model's generated
 * class in memory, train it with mini-batches, score it (K-fold, holdout or on the training rows)
 * and optionally save the parameters with the preprocessing statistics.
 */
public final class TrainJob {
    private TrainJob() {}

    /**
     * Everything a training run needs.
     *
     * @param modelFile         the .nn file name, for messages
     * @param source            its text
     * @param modelName         the model to train when the file has several (else null)
     * @param outputName        the output that predicts (else null: the first)
     * @param f32               element type, or null for the model's own precision
     * @param data              reads the training table (called once, while the generated class compiles)
     * @param statsData         read more tables whose feature columns join the statistics (d2l uses the test set)
     * @param targets           {@code COL,COL,…} or {@code INPUT=COL,COL,…} (see {@link TableColumns#columns})
     * @param features          the feature columns, or null for all the others
     * @param ignore            columns that are not features
     * @param id                the id column, or null to take a column named "id" (any case) if there is one
     * @param prep              the preprocessing options
     * @param logTarget         log-transform real targets
     * @param standardizeTarget standardize real targets; null to decide from the loss (yes for mse/huber)
     * @param epochs            passes over the training rows
     * @param batch             rows per training step
     * @param seed              parameter initialization, dropout, shuffling and the holdout split
     * @param shuffle           reshuffle the rows every epoch
     * @param kfold             K for K-fold cross-validation, 0 for none
     * @param holdout           the fraction of rows held out for testing, 0 for none
     * @param metric            the metric, or null for the default of the loss
     * @param save              where to save the trained parameters, or null
     * @param progress          how to show progress
     * @param backend           how the generated class is written (the vector backend needs the JVM option
     *                          {@code --add-modules jdk.incubator.vector})
     */
    public record Config(String modelFile, String source, String modelName, String outputName, Boolean f32,
                         Supplier<Csv.Table> data, List<Supplier<Csv.Table>> statsData, List<String> targets, List<String> features,
                         List<String> ignore, String id, Preprocessing.Options prep, boolean logTarget,
                         Boolean standardizeTarget, int epochs, int batch, long seed, boolean shuffle, int kfold,
                         double holdout, Metric metric, Path save, Progress.Mode progress, JavaEmitter.Backend backend) {
        public Config {
            if (backend == null) backend = JavaEmitter.Backend.SCALAR;
        }
    }

    /**
     * What came out.
     *
     * @param metric      the metric used
     * @param train       its value on the training rows (the K-fold average for K-fold)
     * @param validation  on the validation/test rows (K-fold average; NaN without K-fold or holdout)
     * @param folds       per fold {train, validation} (empty without K-fold)
     * @param features    the feature count
     * @param lastLoss    the mean training loss of the last epoch (of the last run)
     * @param firstLoss   the mean training loss of the first epoch (of the last run)
     */
    public record Result(Metric metric, double train, double validation, List<double[]> folds, int features,
                         double firstLoss, double lastLoss) {}

    /** Runs the job, writing progress and results to {@code out}. */
    public static Result run(Config c, PrintWriter out) {
        long t0 = System.nanoTime();
        if (c.epochs() < 1) throw new DataException("--epochs must be at least 1, got " + c.epochs());
        if (c.batch() < 1) throw new DataException("--batch must be at least 1, got " + c.batch());
        if (c.kfold() != 0 && c.kfold() < 2) throw new DataException("--kfold needs at least 2 folds, got " + c.kfold());
        if (c.kfold() > 0 && c.holdout() > 0) throw new DataException("--kfold and --holdout cannot be combined; choose one");
        if (c.holdout() < 0 || c.holdout() >= 1) throw new DataException("--holdout is a fraction of the rows, above 0 and below 1; got " + c.holdout());

        Compiled compiled = compile(c.modelFile(), c.source(), c.modelName());
        ModelInfo info = ModelInfo.of(compiled, c.modelFile(), c.source(), c.outputName(), true);
        boolean f32 = c.f32() != null ? c.f32() : compiled.model().precision() != Model.Precision.F64;
        // javac takes most of a second: let it run while the data is read and preprocessed
        long tc = System.nanoTime();
        CompletableFuture<LoadedModel> loading = loadAsync(compiled, f32, c.seed(), c.modelFile(), c.source(), c.backend());
        Csv.Table t = c.data().get();
        List<Csv.Table> statsTables = new ArrayList<>();
        for (Supplier<Csv.Table> s : c.statsData()) statsTables.add(s.get());

        TableColumns.Columns cols = TableColumns.columns(c, info, t, statsTables);
        Preprocessing prep = cols.prep();
        TableColumns.checkWidth(info, prep, t, statsTables);
        Dataset all = TableColumns.dataset(info, cols, t, c.logTarget());
        List<int[]> targetCols = cols.targetCols();
        String id = cols.id();
        List<Csv.Table> fitTables = new ArrayList<>();
        fitTables.add(t);
        fitTables.addAll(statsTables);
        int statsRows = 0;
        for (Csv.Table s : fitTables) statsRows += s.rowCount();

        boolean standardizeTarget = c.standardizeTarget() != null ? c.standardizeTarget() : info.regression();
        Metric metric = c.metric() != null ? c.metric() : defaultMetric(info, c.logTarget());

        // ---- what is about to happen
        out.printf(Locale.ROOT, "model %s (%s): %s%n", info.name(), c.modelFile(), describeOptimizer(compiled.model()));
        out.printf(Locale.ROOT, "data %s: %d rows; %s -> input %s%n", t.file(), t.rowCount(), prep.explain(), ModelInfo.describe(info.features()));
        if (!statsTables.isEmpty()) {
            out.printf(Locale.ROOT, "  feature statistics from %d rows (%s)%n", statsRows,
                    String.join(" + ", fitTables.stream().map(Csv.Table::file).toList()));
        }
        for (int k = 0; k < info.labels().size(); k++) {
            ModelInfo.Label l = info.labels().get(k);
            StringBuilder how = new StringBuilder();
            if (l.isInt()) {
                ClassLabels names = cols.labels().get(k);
                how.append(names.integers() ? "class labels" : "class labels " + names.describe());
            } else {
                if (c.logTarget()) how.append("log");
                if (standardizeTarget) how.append(how.length() > 0 ? ", " : "").append("standardized");
            }
            out.printf(Locale.ROOT, "  target %s -> input %s%s%n", String.join(", ", TableColumns.columnNames(t, targetCols.get(k))),
                    ModelInfo.describe(l.input()), how.length() > 0 ? " (" + how + ")" : "");
        }
        if (info.labels().isEmpty()) {
            out.printf(Locale.ROOT, "  no target: the loss compares output %s with the features (an autoencoder)%n", info.output().name());
        }
        if (id != null) out.printf(Locale.ROOT, "  id column %s (not a feature)%n", id);
        out.flush();

        LoadedModel lm = join(loading);
        Trainer trainer = new Trainer(lm, info, true);
        out.printf(Locale.ROOT, "compiled %s to Java (%s) in memory (%.1f s); %d epochs, batch %d, seed %d, %s%n", info.name(),
                f32 ? "f32" : "f64", (System.nanoTime() - tc) / 1e9, c.epochs(), c.batch(), c.seed(),
                c.shuffle() ? "shuffled" : "in file order");
        out.flush();

        Progress progress = new Progress(out, c.progress());
        long tt = System.nanoTime();
        Result result;
        List<TargetScale> scales;
        if (c.kfold() > 0) {
            result = kfold(c, info, trainer, all, metric, standardizeTarget, progress, out);
            scales = null;
        } else if (c.holdout() > 0) {
            Run[] run = new Run[1];
            result = holdout(c, info, trainer, all, metric, standardizeTarget, progress, out, run);
            scales = run[0].scales;
        } else {
            Run r = train(c, info, trainer, all, c.seed(), standardizeTarget, progress, "");
            double m = metric.score(trainer.predict(all), all, info, r.scales.isEmpty() ? null : r.scales.get(0));
            out.printf(Locale.ROOT, "train %s %s (%d rows)%n", metric.label(), metric.format(m), all.rows());
            result = new Result(metric, m, Double.NaN, List.of(), prep.width(), r.firstLoss, r.lastLoss);
            scales = r.scales;
        }
        double trainSeconds = (System.nanoTime() - tt) / 1e9;

        if (c.save() != null) {
            if (c.kfold() > 0) {
                out.printf(Locale.ROOT, "final model: training on all %d rows%n", all.rows());
                Run r = train(c, info, trainer, all, c.seed(), standardizeTarget, progress, "final");
                scales = r.scales;
            }
            SavedMetadata.save(c.save(), lm, info, cols, t, scales, metric);
            out.printf(Locale.ROOT, "saved the parameters and preprocessing statistics to %s%n", c.save());
        }
        out.printf(Locale.ROOT, "time: %.1f s training, %.1f s in all%n", trainSeconds, (System.nanoTime() - t0) / 1e9);
        out.flush();
        return result;
    }

    /** Generates and compiles the class of {@code compiled} on a thread of its own (javac takes most of a second). */
    static CompletableFuture<LoadedModel> loadAsync(Compiled compiled, boolean f32, long seed, String modelFile, String source,
                                                    JavaEmitter.Backend backend) {
        return CompletableFuture.supplyAsync(
                () -> LoadedModel.load(compiled, f32, seed, Path.of(modelFile).getFileName().toString(), source, backend),
                r -> {
                    Thread th = new Thread(r, "nnc-javac");
                    th.setDaemon(true);
                    th.start();
                });
    }

    /** The class {@link #loadAsync} loaded, or its failure as thrown. */
    static LoadedModel join(CompletableFuture<LoadedModel> loading) {
        try {
            return loading.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private record Run(List<TargetScale> scales, double firstLoss, double lastLoss) {}

    /** Trains from scratch ({@code seed}) on {@code d}: fits the target scaling on it, then runs every epoch. */
    private static Run train(Config c, ModelInfo info, Trainer trainer, Dataset d, long seed, boolean standardizeTarget,
                             Progress progress, String prefix) {
        List<TargetScale> scales = new ArrayList<>();
        for (int k = 0; k < info.labels().size(); k++) {
            ModelInfo.Label l = info.labels().get(k);
            scales.add(l.isInt() ? null : TargetScale.fit((double[]) d.target(k), l.width(), c.logTarget(), standardizeTarget));
        }
        List<Object> targets = trainer.modelTargets(d, scales);
        trainer.reset(seed);
        int[] order = new int[d.rows()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double first = Double.NaN, last = Double.NaN;
        for (int e = 1; e <= c.epochs(); e++) {
            if (c.shuffle()) shuffle(order, rng);
            progress.epochStart(prefix, e, c.epochs(), d.rows());
            double loss = trainer.epoch(d, targets, order, c.batch(), progress::step);
            if (!Double.isFinite(loss)) {
                progress.finish();
                throw new DataException("training diverged: the loss is " + loss + " in epoch " + e
                        + "; try a smaller learning rate in the model's optimizer, or standardized targets");
            }
            progress.epochEnd(loss);
            if (e == 1) first = loss;
            last = loss;
        }
        progress.finish();
        long skipped = trainer.model().skippedSteps();
        if (skipped > 0) {
            progress.note(String.format(Locale.ROOT, "%s%s%d of %d training steps were skipped: their loss or a gradient was not finite"
                    + " (NaN or infinite), so they changed nothing; a smaller learning rate or standardized targets may help",
                    prefix, prefix.isEmpty() ? "" : ": ", skipped, skipped + trainer.model().steps()));
        }
        return new Run(scales, first, last);
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * d2l's {@code get_k_fold_data}: fold {@code i} of {@code k} over {@code n} rows is the
     * contiguous block {@code [i·⌊n/k⌋, (i+1)·⌊n/k⌋)}; the other folds are the training rows, in
     * order. The last {@code n mod k} rows belong to no fold and are not used.
     *
     * @return {training row indices, validation row indices}
     */
    public static int[][] kfoldSplit(int n, int k, int i) {
        int size = n / k;
        int[] valid = new int[size];
        int[] train = new int[size * (k - 1)];
        int t = 0;
        for (int j = 0; j < k; j++) {
            for (int r = j * size; r < (j + 1) * size; r++) {
                if (j == i) valid[r - j * size] = r;
                else train[t++] = r;
            }
        }
        return new int[][] {train, valid};
    }

    private static Result kfold(Config c, ModelInfo info, Trainer trainer, Dataset all, Metric metric, boolean stdTarget,
                                Progress progress, PrintWriter out) {
        int k = c.kfold(), n = all.rows();
        if (n / k < 1) throw new DataException("--kfold " + k + " needs at least " + k + " rows; the data has " + n);
        if (n % k != 0) {
            out.printf(Locale.ROOT, "%d-fold cross-validation: folds of %d rows; the last %d row%s belong to no fold (as in d2l)%n",
                    k, n / k, n % k, n % k == 1 ? "" : "s");
        }
        List<double[]> folds = new ArrayList<>();
        double trSum = 0, vaSum = 0;
        Run r = null;
        for (int i = 0; i < k; i++) {
            int[][] split = kfoldSplit(n, k, i);
            Dataset tr = all.subset(split[0]), va = all.subset(split[1]);
            r = train(c, info, trainer, tr, c.seed() + i, stdTarget, progress, String.format(Locale.ROOT, "fold %d/%d", i + 1, k));
            TargetScale s = r.scales.isEmpty() ? null : r.scales.get(0);
            double mt = metric.score(trainer.predict(tr), tr, info, s);
            double mv = metric.score(trainer.predict(va), va, info, s);
            folds.add(new double[] {mt, mv});
            trSum += mt;
            vaSum += mv;
            out.printf(Locale.ROOT, "fold %d/%d: train %s %s, validation %s %s (%d + %d rows)%n", i + 1, k, metric.label(),
                    metric.format(mt), metric.label(), metric.format(mv), tr.rows(), va.rows());
            out.flush();
        }
        double at = trSum / k, av = vaSum / k;
        out.printf(Locale.ROOT, "%d-fold average: train %s %s, validation %s %s%n", k, metric.label(), metric.format(at),
                metric.label(), metric.format(av));
        return new Result(metric, at, av, folds, all.width(), r.firstLoss, r.lastLoss);
    }

    private static Result holdout(Config c, ModelInfo info, Trainer trainer, Dataset all, Metric metric, boolean stdTarget,
                                  Progress progress, PrintWriter out, Run[] run) {
        int n = all.rows();
        int test = (int) Math.round(n * c.holdout());
        if (test < 1 || test >= n) throw new DataException("--holdout " + c.holdout() + " of " + n + " rows leaves no test or no training rows");
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        shuffle(perm, new SplittableRandom(c.seed()));
        Dataset tr = all.subset(Arrays.copyOfRange(perm, 0, n - test)), te = all.subset(Arrays.copyOfRange(perm, n - test, n));
        out.printf(Locale.ROOT, "holdout: %d training rows, %d test rows (%.0f%%, drawn with seed %d)%n", tr.rows(), te.rows(),
                100 * c.holdout(), c.seed());
        Run r = train(c, info, trainer, tr, c.seed(), stdTarget, progress, "");
        run[0] = r;
        TargetScale s = r.scales.isEmpty() ? null : r.scales.get(0);
        double mt = metric.score(trainer.predict(tr), tr, info, s);
        double mv = metric.score(trainer.predict(te), te, info, s);
        out.printf(Locale.ROOT, "train %s %s, test %s %s (%d test rows)%n", metric.label(), metric.format(mt), metric.label(),
                metric.format(mv), te.rows());
        return new Result(metric, mt, mv, List.of(), all.width(), r.firstLoss, r.lastLoss);
    }

    static Metric defaultMetric(ModelInfo info, boolean logTarget) {
        if (info.labels().isEmpty()) return Metric.RMSE;
        if (info.labels().get(0).isInt() || info.lossFns().contains("bce_with_logits") || info.lossFns().contains("cross_entropy")) {
            return Metric.ACCURACY;
        }
        return logTarget ? Metric.LOG_RMSE : Metric.RMSE;
    }

    static String describeOptimizer(Model m) {
        Model.Optimizer o = m.optimizer();
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, Double> e : new java.util.TreeMap<>(o.args()).entrySet()) {
            args.add(e.getKey() + "=" + dev.nnc.passes.Fold.format(e.getValue()));
        }
        long params = 0;
        for (Model.Param p : m.params()) params += p.node().shape().staticProduct();
        return String.format(Locale.ROOT, "%,d parameters, optimizer %s(%s)", params, o.kind(), String.join(", ", args));
    }

    /** Compiles {@code source}, selecting {@code name} when the file has several models. */
    public static Compiled compile(String file, String source, String name) {
        return compile(file, source, name, null);
    }

    /**
     * Compiles {@code source}, selecting {@code name}, else {@code preferred} when the file has
     * several models and one has that name, else its only model.
     */
    public static Compiled compile(String file, String source, String name, String preferred) {
        Compiler.Result r = Compiler.compile(file, source);
        if (!r.ok()) throw new CompileError(r.render());
        try {
            return r.select(name, preferred);
        } catch (Compiler.NoSuchModelException e) {
            List<String> names = r.compiled().stream().map(Compiled::name).toList();
            String near = name == null || names.contains(name) ? null : dev.nnc.diag.Suggest.closest(name, names);
            throw new DataException(e.getMessage() + (near != null ? "; did you mean '" + near + "'?" : ""));
        }
    }

    /** The model file does not compile: the rendered diagnostics. */
    public static final class CompileError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CompileError(String rendered) {
            super(rendered, null, false, false);
        }
    }
}
