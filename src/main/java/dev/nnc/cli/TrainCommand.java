package dev.nnc.cli;

import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.train.Metric;
import dev.nnc.train.TextTrainJob;
import dev.nnc.train.TrainJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nnc train MODEL.nn --data FILE.csv …}: trains the generated code on a CSV file; {@code --text FILE --seq N}: a
 * character-level language model on a plain text file ({@link TextTrainJob}).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a model on a CSV file (--data), or a character-level language model on a text file (--text), running its generated Java code.",
                "The class is compiled in memory. Numeric columns are standardized (missing numbers become 0), text columns "
                        + "one-hot encoded with a missing-value indicator; the feature count must match the model's input. "
                        + "See docs/training.md.",
                "With --text the characters of the file are the vocabulary; the model's int inputs get the characters, the next "
                        + "characters (the loss's labels) and the positions 0 … seq − 1, and the last tenth of the text is held out."})
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.nn", description = "the .nn file")
    Path file;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Source from;

    /** What to learn from: exactly one of a table and a text. */
    static final class Source {
        @Option(names = "--data", required = true, paramLabel = "FILE.csv", description = "the training data: a CSV file with a header row")
        Path data;

        @Option(names = "--text", required = true, paramLabel = "FILE", description = "or a plain text file (UTF-8) for a character-level language model")
        Path text;
    }

    @Option(names = "--seq", paramLabel = "N", defaultValue = "64", description = "with --text: characters per window (default: ${DEFAULT-VALUE})")
    int seq;

    @Option(names = "--steps", paramLabel = "K", description = "with --text: train K steps (of --batch windows each) instead of --epochs whole epochs")
    Integer steps;

    @Option(names = "--target", paramLabel = "COL", description = {"target columns, for the input(s) only the loss uses: COL or COL1,COL2,…",
            "(repeat for several inputs; INPUT=COL,… names the input). Default: a column named like the target input"})
    List<String> targets = new ArrayList<>();

    @Option(names = "--features", split = ",", paramLabel = "COL", description = "the feature columns (default: every column but the targets and the id)")
    List<String> features = new ArrayList<>();

    @Option(names = "--ignore", split = ",", paramLabel = "COL", description = "columns that are not features")
    List<String> ignore = new ArrayList<>();

    @Option(names = "--id", paramLabel = "COL", description = "the row id column, not a feature (default: a column named Id, in any case)")
    String id;

    @Option(names = "--categorical", split = ",", paramLabel = "COL", description = "one-hot encode these columns even if their values are numbers")
    List<String> categorical = new ArrayList<>();

    @Option(names = "--numeric", split = ",", paramLabel = "COL", description = "these columns must hold numbers (an error names any value that is not)")
    List<String> numeric = new ArrayList<>();

    @Option(names = "--na", split = ",", paramLabel = "TEXT", description = "the texts that mean a missing value (default: empty, NA, N/A, NaN, null, …; not None)")
    List<String> na;

    @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "standardize numeric feature columns (default: on)")
    boolean standardize;

    @Option(names = "--na-indicator", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "give each categorical column a missing-value indicator feature (default: on)")
    boolean naIndicator;

    @Option(names = "--stats-data", paramLabel = "FILE.csv", description = "more rows (e.g. the test set, as d2l does) whose features join the standardization statistics and categories")
    List<Path> statsData = new ArrayList<>();

    @Option(names = "--log-target", description = "learn the natural log of real targets (prices); predictions are mapped back")
    boolean logTarget;

    @Option(names = "--standardize-target", negatable = true, description = "standardize real targets with the training rows' mean and std (default: on for mse/huber losses)")
    Boolean standardizeTarget;

    @Option(names = "--epochs", defaultValue = "20", description = "passes over the training rows; with --text, epochs of (training characters / (batch · seq)) steps (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "rows per training step; with --text, windows of --seq characters (default: ${DEFAULT-VALUE})")
    int batch;

    @CommandLine.Mixin
    Options.Seed seed = new Options.Seed();

    @Option(names = "--shuffle", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "reshuffle the training rows every epoch (default: on)")
    boolean shuffle;

    @Option(names = "--kfold", paramLabel = "K", defaultValue = "0", description = "K-fold cross-validation with d2l's contiguous folds (fold i uses seed + i); prints per-fold and average metrics")
    int kfold;

    @Option(names = "--holdout", paramLabel = "FRACTION", defaultValue = "0", description = "hold out this fraction of the rows (shuffled with --seed) as a test set")
    double holdout;

    @Option(names = "--metric", paramLabel = "M", description = "log-rmse, rmse or accuracy (default: accuracy for class labels and bce/cross-entropy; log-rmse with --log-target; else rmse)")
    String metric;

    @Option(names = "--save", paramLabel = "P.safetensors", description = "save the parameters, with the preprocessing statistics in the metadata (after K-fold: a final model trained on all rows; with --text, the vocabulary)")
    Path save;

    @CommandLine.Mixin
    Options.ModelName model = new Options.ModelName();

    @Option(names = "--output", paramLabel = "NAME", description = "the output that predicts (default: the first)")
    String output;

    @CommandLine.Mixin
    Options.Precision precision = new Options.Precision();

    @CommandLine.Mixin
    Options.ProgressDisplay progress = new Options.ProgressDisplay();

    @Option(names = "--backend", defaultValue = "scalar", paramLabel = "scalar|vector",
            description = "the generated class: plain loops (default) or the Vector API (run nnc with --add-modules jdk.incubator.vector)")
    CompileCommand.Backend backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        checkOptions();
        String source = readSource(file);
        Metric m = parseMetric(metric);
        try {
            if (from.text != null) {
                TextTrainJob.run(new TextTrainJob.Config(file.toString(), source, model.name, precision.f32(), from.text, seq, epochs,
                        steps == null ? 0 : steps, batch, seed.seed, save, progress.mode(), backend.inThisJvm()), out);
                return 0;
            }
            List<Supplier<Csv.Table>> stats = new ArrayList<>();
            for (Path p : statsData) stats.add(() -> Csv.read(p));
            Preprocessing.Options po = new Preprocessing.Options(na != null ? na : Preprocessing.DEFAULT_NA, standardize, naIndicator,
                    Set.copyOf(numeric), Set.copyOf(categorical));
            TrainJob.Config c = new TrainJob.Config(file.toString(), source, model.name, output,
                    precision.f32(), () -> Csv.read(from.data), stats, targets,
                    features, ignore, id, po, logTarget, standardizeTarget, epochs, batch, seed.seed, shuffle, kfold, holdout, m,
                    save, progress.mode(), backend.inThisJvm());
            TrainJob.run(c, out);
        } catch (DataException e) {
            out.flush();
            throw new UserError(e.getMessage());
        } catch (TrainJob.CompileError e) {
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.print(e.getMessage());
            err.flush();
            return Main.USER_ERROR;
        }
        return 0;
    }

    /** The options of a CSV file that cannot go with --text, and those of a text that cannot go with --data. */
    private static final List<String> CSV_ONLY = List.of("--target", "--features", "--ignore", "--id", "--categorical", "--numeric",
            "--na", "--standardize", "--na-indicator", "--stats-data", "--log-target", "--standardize-target", "--shuffle", "--kfold",
            "--holdout", "--metric", "--output");
    private static final List<String> TEXT_ONLY = List.of("--seq", "--steps");

    private void checkOptions() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String o : from.text != null ? CSV_ONLY : TEXT_ONLY) {
            if (parsed.hasMatchedOption(o)) {
                throw new CommandLine.ParameterException(spec.commandLine(), o + " applies to " + (from.text != null
                        ? "--data (a CSV file), not to --text" : "--text (a language model), not to --data"));
            }
        }
        if (steps != null && steps < 1) throw new UserError("--steps must be at least 1, got " + steps);
    }

    static String readSource(Path f) {
        try {
            return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError(f + ": no such file");
        } catch (IOException e) {
            throw new UserError(f + ": cannot read: " + e.getMessage());
        }
    }

    static Metric parseMetric(String s) {
        if (s == null) return null;
        try {
            return Metric.parse(s);
        } catch (IllegalArgumentException e) {
            throw new UserError("--metric: " + e.getMessage());
        }
    }
}
