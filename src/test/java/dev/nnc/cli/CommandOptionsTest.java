package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the commands share: the options of {@link Options}, one way to pick a model, help text that reads. */
class CommandOptionsTest {
    private static final String TWO_MODELS = """
            model A {
                dim batch
                input x : [batch, 2]
                input y : [batch, 1]
                param w : [2, 1]
                output p = x @ w
                loss = mse(p, y)
                optimizer sgd(lr = 0.1)
            }
            model B {
                input x : [2]
                output q = tanh(x)
            }
            """;

    @Test
    void everyCommandPicksAModelOfSeveralTheSameWay(@TempDir Path dir) throws Exception {
        Path two = dir.resolve("two.nn");
        Files.writeString(two, TWO_MODELS);
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, "a,b,y\n1,2,3\n4,5,6\n");
        Map<String, List<String>> commands = Map.of(
                "eval", List.of("eval", two.toString(), "--inputs", dir.resolve("in.safetensors").toString(), "--out",
                        dir.resolve("out.safetensors").toString()),
                "graph", List.of("graph", two.toString(), "-o", dir.resolve("g.dot").toString()),
                "train", List.of("train", two.toString(), "--data", csv.toString(), "--target", "y", "--progress", "none"));
        for (Map.Entry<String, List<String>> e : commands.entrySet()) {
            Cli.Run none = Cli.run(e.getValue().toArray(String[]::new));
            assertEquals(Main.USER_ERROR, none.code(), e.getKey());
            assertEquals("nnc: " + two + " has 2 models (A, B); pick one with --model NAME\n", none.err(), e.getKey());
            List<String> named = new ArrayList<>(e.getValue());
            named.addAll(List.of("--model", "C"));
            Cli.Run unknown = Cli.run(named.toArray(String[]::new));
            assertEquals(Main.USER_ERROR, unknown.code(), e.getKey());
            assertEquals("nnc: " + two + ": error[E511]: no model named 'C'; the file has A, B\n", unknown.err(), e.getKey());
        }
        assertFalse(Files.exists(dir.resolve("out.safetensors")));
        assertFalse(Files.exists(dir.resolve("g.dot")));
    }

    @Test
    void sharedOptionsHaveOneHelpText() {
        CommandLine cl = new CommandLine(new Main());
        for (String option : List.of("--model", "--seed", "--progress", "--precision")) {
            List<String> texts = new ArrayList<>();
            for (String cmd : List.of("compile", "eval", "graph", "train", "predict", "sample", "demo")) {
                CommandLine.Model.OptionSpec o = cl.getSubcommands().get(cmd).getCommandSpec().findOption(option);
                // demo's --model picks one of its embedded models (mlp, cnn), not a model of a file
                boolean own = cmd.equals("eval") && option.equals("--precision") || cmd.equals("demo") && option.equals("--model");
                if (o != null && !own) texts.add(String.join(" ", o.description()));
            }
            assertTrue(texts.size() >= 2, option + " is shared");
            assertEquals(1, texts.stream().distinct().count(), option + ": " + texts);
        }
    }

    /**
     * picocli starts a new line at each element of a description array, so an element that ends
     * mid-sentence leaves a short line ("numbers") followed by one that starts in lower case.
     */
    @Test
    void helpTextBreaksNoSentence() {
        CommandLine cl = new CommandLine(new Main());
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            String[] lines = e.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF).split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                String a = lines[i].stripTrailing();
                String b = lines[i + 1].strip();
                boolean continues = !b.isEmpty() && Character.isLowerCase(b.charAt(0));
                assertFalse(continues && a.length() < 50 && !a.strip().startsWith("-") && !a.strip().startsWith("[")
                                && !a.endsWith("."), () -> "nnc " + e.getKey() + " --help breaks a sentence:\n" + a + "\n" + b);
            }
        }
    }
}
