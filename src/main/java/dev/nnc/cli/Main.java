package dev.nnc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nnc} command line: a thin shell over {@link dev.nnc.Compiler}. */
@Command(name = "nnc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Compiles .nn neural-network models to dependency-free Java.",
        subcommands = {CheckCommand.class, CompileCommand.class, EvalCommand.class, GraphCommand.class, TrainCommand.class,
                PredictCommand.class, SampleCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a user error (bad model or data)", "2:a usage error (bad command line)"})
public final class Main implements Runnable {
    /** Exit code for errors in the user's model or data. */
    public static final int USER_ERROR = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'nnc check FILE'");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (ex instanceof UserError) {
                cmd.getErr().println("nnc: " + ex.getMessage());
                return USER_ERROR;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"nnc " + (v == null ? "(development build)" : v)};
        }
    }
}
