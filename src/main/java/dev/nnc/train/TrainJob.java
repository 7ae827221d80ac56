package dev.nnc.train;

import dev.nnc.Compiler;
import dev.nnc.codegen.LoadedModel;
import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.io.Json;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

    /** The metadata key under which the preprocessing and target scaling are saved (JSON). */
    public static final String METADATA_KEY = "nnc.training";

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
     * @param targets           {@code COL} or {@code INPUT=COL}, one per target column
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
     */
    public record Config(String modelFile, String source, String modelName, String outputName, Boolean f32,
                         Supplier<Csv.Table> data, List<Supplier<Csv.Table>> statsData, List<String> targets, List<String> features,
                         List<String> ignore, String id, Preprocessing.Options prep, boolean logTarget,
                         Boolean standardizeTarget, int epochs, int batch, long seed, boolean shuffle, int kfold,
                         double holdout, Metric metric, Path save, Progress.Mode progress) {}

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
        CompletableFuture<LoadedModel> loading = CompletableFuture.supplyAsync(
                () -> LoadedModel.load(compiled, f32, c.seed(), Path.of(c.modelFile()).getFileName().toString(), c.source()),
                r -> {
                    Thread th = new Thread(r, "nnc-javac");
                    th.setDaemon(true);
                    th.start();
                });
        Csv.Table t = c.data().get();
        List<Csv.Table> statsTables = new ArrayList<>();
        for (Supplier<Csv.Table> s : c.statsData()) statsTables.add(s.get());

        Columns cols = columns(c, info, t, statsTables);
        Preprocessing prep = cols.prep();
        checkWidth(info, prep, t, statsTables);
        Dataset all = dataset(info, cols, t, c.logTarget());
        List<int[]> targetCols = cols.targetCols();
        List<String> targetNames = cols.targetNames();
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
            if (l.isInt()) how.append("class labels");
            else {
                if (c.logTarget()) how.append("log");
                if (standardizeTarget) how.append(how.length() > 0 ? ", " : "").append("standardized");
            }
            out.printf(Locale.ROOT, "  target %s -> input %s%s%n", String.join(", ", columnNames(t, targetCols.get(k))),
                    ModelInfo.describe(l.input()), how.length() > 0 ? " (" + how + ")" : "");
        }
        if (id != null) out.printf(Locale.ROOT, "  id column %s (not a feature)%n", id);
        out.flush();

        LoadedModel lm;
        try {
            lm = loading.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
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
            save(c.save(), lm, info, prep, targetNames, targetCols, t, scales, id, metric, c);
            out.printf(Locale.ROOT, "saved the parameters and preprocessing statistics to %s%n", c.save());
        }
        out.printf(Locale.ROOT, "time: %.1f s training, %.1f s in all%n", trainSeconds, (System.nanoTime() - t0) / 1e9);
        out.flush();
        return result;
    }

    /**
     * How a table's columns meet a model: per target input its column indices (and their names),
     * the id column (or null), the feature columns and their preprocessing, fitted on {@code t}
     * and {@code statsTables}.
     */
    public record Columns(List<int[]> targetCols, List<String> targetNames, String id, List<String> featureNames,
                          Preprocessing prep) {}

    /**
     * The first step from a table to tensors: assigns the target columns ({@code --target}), the
     * id column and the feature columns ({@code --features}, {@code --ignore}), and fits the
     * preprocessing on them. The feature count may still differ from the model's: see
     * {@link #checkWidth}.
     *
     * @throws DataException if a named column is absent, no feature column is left, or a column cannot be encoded
     */
    public static Columns columns(Config c, ModelInfo info, Csv.Table t, List<Csv.Table> statsTables) {
        List<int[]> targetCols = new ArrayList<>();
        List<String> targetNames = new ArrayList<>();
        assignTargets(c, info, t, targetCols, targetNames);
        Set<String> notFeatures = new HashSet<>(targetNames);
        String id = c.id();
        if (id != null) {
            t.require(id, "--id");
        } else {
            for (String h : t.header()) {
                if (h.equalsIgnoreCase("id") && !notFeatures.contains(h)) id = h;
            }
        }
        if (id != null) notFeatures.add(id);
        List<String> featureNames = new ArrayList<>();
        if (c.features() != null && !c.features().isEmpty()) {
            for (String f : c.features()) {
                t.require(f, "--features");
                if (notFeatures.contains(f)) throw new DataException("column '" + f + "' is both a feature and " + (f.equals(id) ? "the id" : "a target"));
                featureNames.add(f);
            }
        } else {
            for (String f : c.ignore()) t.require(f, "--ignore");
            for (String h : t.header()) if (!notFeatures.contains(h) && !c.ignore().contains(h)) featureNames.add(h);
        }
        if (featureNames.isEmpty()) throw new DataException(t.file() + ": no feature columns are left (besides the targets" + (id != null ? " and the id" : "") + ")");

        List<Csv.Table> fitTables = new ArrayList<>();
        fitTables.add(t);
        fitTables.addAll(statsTables);
        Preprocessing prep = Preprocessing.fit(featureNames, fitTables, c.prep());
        return new Columns(targetCols, targetNames, id, featureNames, prep);
    }

    /** @throws DataException saying how the features arose, if their count is not the model's feature width */
    public static void checkWidth(ModelInfo info, Preprocessing prep, Csv.Table t, List<Csv.Table> statsTables) {
        if (prep.width() == 0) {
            // only categorical columns without a value and without a missing-value indicator give no feature;
            // "change the model's input width to 0" would be no advice
            List<String> empty = new ArrayList<>();
            for (Preprocessing.Column col : prep.columns()) if (col.width(prep.naIndicator()) == 0) empty.add(col.name());
            throw new DataException(t.file() + ": the feature columns give no features (" + prep.explain() + "): every value of "
                    + summarize(empty, 20) + " is missing, and with --no-na-indicator such a column gives no feature;"
                    + " leave it out with --ignore, or keep the missing-value indicator");
        }
        if (prep.width() != info.width()) {
            throw new DataException(widthMismatch(info, prep, t, statsTables));
        }
    }

    /**
     * The last step from a table to tensors: the preprocessed features and the raw targets of
     * every row of {@code t} (the features' count must be the model's, {@link #checkWidth}).
     *
     * @throws DataException if a value cannot be read (a target that is missing or not a number, a label out of range, …)
     */
    public static Dataset dataset(ModelInfo info, Columns cols, Csv.Table t, boolean logTarget) {
        List<Boolean> isInt = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (ModelInfo.Label l : info.labels()) {
            isInt.add(l.isInt());
            classes.add(l.isInt() && info.outputWidth() > 1 ? info.outputWidth() : 0);
        }
        List<Object> rawTargets = Dataset.readTargets(t, cols.targetCols(), isInt, classes, logTarget, cols.prep());
        return new Dataset(t.rowCount(), cols.prep().width(), cols.prep().transform(t), rawTargets);
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
        if (info.labels().get(0).isInt() || info.lossFns().contains("bce_with_logits") || info.lossFns().contains("cross_entropy")) {
            return Metric.ACCURACY;
        }
        return logTarget ? Metric.LOG_RMSE : Metric.RMSE;
    }

    private static String describeOptimizer(Model m) {
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
            throw new DataException(e.getMessage());
        }
    }

    /** The model file does not compile: the rendered diagnostics. */
    public static final class CompileError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CompileError(String rendered) {
            super(rendered, null, false, false);
        }
    }

    private static List<String> columnNames(Csv.Table t, int[] cols) {
        List<String> names = new ArrayList<>();
        for (int c : cols) names.add(t.header().get(c));
        return names;
    }

    /**
     * Maps the {@code --target} columns to the model's target inputs: {@code INPUT=COL} names the
     * input; plain {@code COL}s fill the target inputs in declaration order (an input of width w
     * takes w columns). With no {@code --target}, a column named like a target input is used.
     */
    private static void assignTargets(Config c, ModelInfo info, Csv.Table t, List<int[]> cols, List<String> names) {
        List<ModelInfo.Label> labels = info.labels();
        List<List<Integer>> byInput = new ArrayList<>();
        for (int k = 0; k < labels.size(); k++) byInput.add(new ArrayList<>());
        List<String> plain = new ArrayList<>();
        for (String spec : c.targets()) {
            int eq = spec.indexOf('=');
            if (eq > 0) {
                String in = spec.substring(0, eq), col = spec.substring(eq + 1);
                int k = -1;
                for (int i = 0; i < labels.size(); i++) if (labels.get(i).input().name().equals(in)) k = i;
                if (k < 0 && t.column(spec) < 0) {
                    throw new DataException("--target " + spec + ": model " + info.name() + " has no target input named '" + in
                            + "'; its target inputs are " + labels.stream().map(l -> ModelInfo.describe(l.input())).toList());
                }
                if (k >= 0) {
                    byInput.get(k).add(t.require(col, "--target"));
                    continue;
                }
            }
            plain.add(spec);
        }
        if (c.targets().isEmpty()) {
            for (int k = 0; k < labels.size(); k++) {
                int col = t.column(labels.get(k).input().name());
                if (col >= 0 && labels.get(k).width() == 1) byInput.get(k).add(col);
            }
        }
        int next = 0;
        for (int k = 0; k < labels.size(); k++) {
            List<Integer> got = byInput.get(k);
            while (got.size() < labels.get(k).width() && next < plain.size()) got.add(t.require(plain.get(next++), "--target"));
        }
        if (next < plain.size()) {
            throw new DataException("--target " + plain.get(next) + ": there are more target columns than the model's target inputs take ("
                    + labels.stream().map(l -> ModelInfo.describe(l.input())).toList() + ")");
        }
        for (int k = 0; k < labels.size(); k++) {
            ModelInfo.Label l = labels.get(k);
            List<Integer> got = byInput.get(k);
            if (got.size() != l.width()) {
                String need = l.width() == 1 ? "one column" : l.width() + " columns";
                throw new DataException("model " + info.name() + ": target input " + ModelInfo.describe(l.input()) + " takes " + need
                        + " of " + t.file() + ", " + (got.isEmpty() ? "but none was given" : "but " + got.size() + " were given")
                        + "; name " + (l.width() == 1 ? "it" : "them") + " with --target COLUMN"
                        + (labels.size() > 1 ? " (or --target " + l.input().name() + "=COLUMN)" : ""));
            }
            int[] a = new int[got.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = got.get(i);
                names.add(t.header().get(a[i]));
            }
            cols.add(a);
        }
    }

    private static String widthMismatch(ModelInfo info, Preprocessing prep, Csv.Table t, List<Csv.Table> stats) {
        StringBuilder sb = new StringBuilder();
        sb.append("the data gives ").append(Preprocessing.count(prep.width(), "feature")).append(", but input ").append(ModelInfo.describe(info.features()))
                .append(" of model ").append(info.name()).append(" (").append(info.file()).append(") takes ").append(info.width()).append(".\n");
        sb.append("  how the ").append(Preprocessing.count(prep.width(), "feature")).append(" arose from ").append(t.file());
        for (Csv.Table s : stats) sb.append(" + ").append(s.file());
        sb.append(": ").append(prep.explain()).append('\n');
        List<String> numeric = new ArrayList<>();
        for (Preprocessing.Column col : prep.columns()) if (col.kind() == Preprocessing.Kind.NUMERIC) numeric.add(col.name());
        if (!numeric.isEmpty()) sb.append("  numeric (1 feature each): ").append(summarize(numeric, 20)).append('\n');
        List<String> cats = prep.categoricalSummary();
        if (!cats.isEmpty()) {
            sb.append("  categorical (features = categories").append(prep.naIndicator() ? " + 1 missing-value indicator" : "")
                    .append("): ").append(summarize(cats, 20)).append('\n');
        }
        sb.append("  change the model's input width to ").append(prep.width())
                .append(", or choose the columns with --features/--ignore and their encoding with --categorical/--numeric");
        if (stats.isEmpty()) sb.append(" (categories seen only in other data, such as a test set, count once you pass it with --stats-data)");
        return sb.toString();
    }

    private static String summarize(List<String> items, int max) {
        if (items.size() <= max) return String.join(", ", items);
        return String.join(", ", items.subList(0, max)) + ", … (" + (items.size() - max) + " more)";
    }

    private static void save(Path file, LoadedModel lm, ModelInfo info, Preprocessing prep, List<String> targetNames,
                             List<int[]> targetCols, Csv.Table t, List<TargetScale> scales, String id, Metric metric, Config c) {
        TensorFile.Builder b = TensorFile.builder();
        b.metadata("format", "nnc").metadata("model", info.name());
        b.metadata(METADATA_KEY, metadata(info, prep, targetCols, t, scales, id, metric));
        for (Model.Param p : info.compiled().model().params()) {
            int[] shape = p.node().shape().sizes(Map.of());
            Object a = lm.parameterArray(p.name());
            b.tensor(p.name(), a instanceof float[] f ? TensorData.f32(shape, f) : TensorData.f64(shape, (double[]) a));
        }
        try {
            SafeTensors.write(file, b.build());
        } catch (IOException e) {
            throw new DataException(file + ": cannot write: " + e.getMessage());
        }
    }

    /**
     * The {@value #METADATA_KEY} metadata that {@code --save} writes and {@code nnc predict} reads
     * (JSON): the roles of the columns, the target scaling ({@code scales}, null for labels) and
     * the preprocessing.
     */
    public static String metadata(ModelInfo info, Preprocessing prep, List<int[]> targetCols, Csv.Table t,
                                  List<TargetScale> scales, String id, Metric metric) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", info.name());
        meta.put("features_input", info.features().name());
        meta.put("output", info.output().name());
        meta.put("id", id);
        meta.put("metric", metric.label());
        List<Object> targets = new ArrayList<>();
        for (int k = 0; k < info.labels().size(); k++) {
            ModelInfo.Label l = info.labels().get(k);
            Map<String, Object> tj = new LinkedHashMap<>();
            tj.put("input", l.input().name());
            tj.put("columns", columnNames(t, targetCols.get(k)));
            tj.put("kind", l.isInt() ? "class" : "real");
            if (!l.isInt()) tj.put("scale", scales.get(k).toJson());
            targets.add(tj);
        }
        meta.put("targets", targets);
        meta.put("preprocessing", prep.toJson());
        return Json.write(meta);
    }
}
