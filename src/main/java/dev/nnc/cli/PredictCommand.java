package dev.nnc.cli;

import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorFile;
import dev.nnc.train.Metric;
import dev.nnc.train.Predict;
import dev.nnc.train.TrainJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc predict MODEL.nn --params P --data test.csv --out predictions.csv}. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predicts the rows of a CSV file with parameters saved by 'nnc train --save'.",
                "Replays the saved preprocessing; writes a CSV with an id column and the prediction (Kaggle's submission "
                        + "format). --model defaults to the model the parameters were saved from."})
final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.nn", description = "the .nn file the parameters were trained with")
    Path file;

    @Option(names = "--params", required = true, paramLabel = "P.safetensors", description = "parameters saved by nnc train --save")
    Path params;

    @Option(names = "--data", required = true, paramLabel = "FILE.csv", description = "the rows to predict (the training columns; targets may be absent)")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "OUT.csv", description = "where to write the predictions")
    Path out;

    @Option(names = "--id", paramLabel = "COL", description = "the id column to copy (default: the one used in training; else row numbers)")
    String id;

    @CommandLine.Mixin
    Options.ModelName model = new Options.ModelName(); // default: the one the parameters were saved from

    @CommandLine.Mixin
    Options.Precision precision = new Options.Precision();

    @Option(names = "--probabilities", description = "for class labels: also write each class's probability (columns prob_CLASS)")
    boolean probabilities;

    @Option(names = "--metric", paramLabel = "M", description = "the metric reported when the data has the target columns (default: the training run's)")
    String metric;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String source = TrainCommand.readSource(file);
        TensorFile p;
        try {
            p = SafeTensors.read(params);
        } catch (NoSuchFileException e) {
            throw new UserError(params + ": no such parameters file");
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        Metric m = TrainCommand.parseMetric(metric);
        Predict.Output result;
        try {
            Csv.Table t = Csv.read(data);
            result = Predict.run(file.toString(), source, p, params.toString(), t, id, model.name, precision.f32(), probabilities, m);
        } catch (DataException e) {
            throw new UserError(e.getMessage());
        } catch (TrainJob.CompileError e) {
            PrintWriter err = spec.commandLine().getErr();
            err.print(e.getMessage());
            err.flush();
            return Main.USER_ERROR;
        }
        try {
            dev.nnc.build.Generator.writeAtomically(out, result.csv());
        } catch (IOException e) {
            throw new UserError(out + ": cannot write: " + e.getMessage());
        }
        spec.commandLine().getOut().printf("wrote %d predictions to %s%n", result.rows(), out);
        if (result.metric() != null) spec.commandLine().getOut().println(result.metric());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
