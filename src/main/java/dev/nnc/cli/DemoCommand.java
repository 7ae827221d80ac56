package dev.nnc.cli;

import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.train.TrainJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nnc demo}: the embedded digits MLP or CNN, trained and tested with no download. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains an embedded digits model and prints its test accuracy (no download).",
                "An MLP (digits_mlp.nn) or a CNN (digits_cnn.nn: convolutions, batch norm, pooling) learns the 1797 8x8 "
                        + "handwritten digits (UCI/scikit-learn, BSD-3); 20%% of the images are held out as the test set.",
                "The same as: nnc train digits_mlp.nn (or digits_cnn.nn) --data digits.csv --target label --holdout 0.2 --epochs 30 --batch 32"})
final class DemoCommand implements Callable<Integer> {
    static final String DIR = "/dev/nnc/demo/";

    /** The demo's models. */
    enum Kind {
        mlp("an MLP", "digits_mlp.nn"), cnn("a CNN", "digits_cnn.nn");

        final String label, file;

        Kind(String label, String file) {
            this.label = label;
            this.file = file;
        }
    }

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "mlp|cnn",
            description = "the model: an MLP (default) or a CNN with two convolutions, batch norm and max pooling")
    Kind model;

    @Option(names = "--epochs", defaultValue = "30", description = "passes over the training images (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "images per training step (default: ${DEFAULT-VALUE})")
    int batch;

    @CommandLine.Mixin
    Options.Seed seed = new Options.Seed();

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
        out.println("nnc demo: " + model.label + " learns to read 8x8 handwritten digits (1797 images, UCI/scikit-learn, BSD-3)");
        out.flush();
        String source = resource(model.file);
        try {
            Csv.Table table = Csv.readResource(DIR + "digits.csv", "digits.csv");
            TrainJob.Config c = new TrainJob.Config(model.file, source, null, null, null, () -> table, List.of(), List.of("label"),
                    List.of(), List.of(), null, new Preprocessing.Options(Preprocessing.DEFAULT_NA, true, true, Set.of(), Set.of()),
                    false, null, epochs, batch, seed.seed, true, 0, 0.2, null, null, progress.mode(), backend.inThisJvm());
            TrainJob.Result r = TrainJob.run(c, out);
            out.printf(Locale.ROOT, "test accuracy: %.1f%% on %d held-out images%n", 100 * r.validation(),
                    Math.round(table.rowCount() * 0.2));
            out.flush();
        } catch (DataException e) {
            throw new UserError(e.getMessage());
        }
        return 0;
    }

    static String resource(String name) {
        try (InputStream in = DemoCommand.class.getResourceAsStream(DIR + name)) {
            if (in == null) throw new UserError("missing resource " + DIR + name + " (a broken build?)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot read resource " + DIR + name + ": " + e.getMessage());
        }
    }
}
