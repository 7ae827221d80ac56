package dev.nnc.cli;

import dev.nnc.data.DataException;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorFile;
import dev.nnc.train.Sample;
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

/** {@code nnc sample MODEL.nn --params P --prompt "…" --length 200}: text from a model trained by {@code nnc train --text}. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generates text with a character-level language model trained by 'nnc train --text … --save'.",
                "Prints the prompt followed by the generated characters, each drawn from the softmax of the logits at the last "
                        + "position divided by the temperature, given the last characters (at most --seq of the training)."})
final class SampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.nn", description = "the .nn file the parameters were trained with")
    Path file;

    @Option(names = "--params", required = true, paramLabel = "P.safetensors", description = "parameters saved by nnc train --text --save")
    Path params;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the text to continue (characters of the training text)")
    String prompt;

    @Option(names = "--length", defaultValue = "200", paramLabel = "N", description = "the characters to generate (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--temperature", defaultValue = "1", paramLabel = "T",
            description = "divides the logits: below 1 likelier characters, above 1 more varied; 0 always the likeliest (default: ${DEFAULT-VALUE})")
    double temperature;

    @CommandLine.Mixin
    Options.Seed seed = new Options.Seed();

    @CommandLine.Mixin
    Options.ModelName model = new Options.ModelName(); // default: the one the parameters were saved from

    @CommandLine.Mixin
    Options.Precision precision = new Options.Precision();

    @Option(names = "--backend", defaultValue = "scalar", paramLabel = "scalar|vector",
            description = "the generated class: plain loops (default) or the Vector API (run nnc with --add-modules jdk.incubator.vector)")
    CompileCommand.Backend backend;

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
        String text;
        try {
            text = Sample.run(file.toString(), source, p, params.toString(), model.name, precision.f32(), backend.inThisJvm(),
                    new Sample.Request(prompt, length, temperature, seed.seed));
        } catch (DataException e) {
            throw new UserError(e.getMessage());
        } catch (TrainJob.CompileError e) {
            PrintWriter err = spec.commandLine().getErr();
            err.print(e.getMessage());
            err.flush();
            return Main.USER_ERROR;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(text);
        out.flush();
        return 0;
    }
}
