package dev.nnc.cli;

import dev.nnc.build.Generator;
import dev.nnc.ir.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc compile FILE... -d OUTDIR}: one Java source per model, through {@link Generator} as the Maven goal. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Generates one self-contained Java class per model.",
                "Files are written only when every input compiles; each is written to a temporary file and moved into place."})
final class CompileCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .nn files")
    List<Path> files;

    @Option(names = "-d", required = true, paramLabel = "OUTDIR", description = "the output folder (package folders are created in it)")
    Path outDir;

    @Option(names = "--package", paramLabel = "P", description = "the Java package (default: the file's package statement, else none)")
    String pkg;

    @CommandLine.Mixin
    Options.Precision precision = new Options.Precision();

    @Option(names = "--backend", defaultValue = "scalar", paramLabel = "scalar|vector",
            description = "kernels as plain loops (default) or with the Vector API (jdk.incubator.vector; "
                    + "the class then needs --add-modules jdk.incubator.vector to compile and run)")
    Backend backend;

    enum Backend {
        scalar, vector;

        dev.nnc.codegen.JavaEmitter.Backend codegen() {
            return this == vector ? dev.nnc.codegen.JavaEmitter.Backend.VECTOR : dev.nnc.codegen.JavaEmitter.Backend.SCALAR;
        }

        /**
         * The backend of a class that runs in this JVM ({@code nnc eval}, {@code train}, {@code demo}):
         * the vector backend needs the JVM option, which the {@code ./nnc} launcher adds.
         */
        dev.nnc.codegen.JavaEmitter.Backend inThisJvm() {
            if (this == vector && ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                throw new UserError("--backend vector needs the JVM option --add-modules jdk.incubator.vector "
                        + "(the ./nnc launcher adds it when you pass --backend vector)");
            }
            return codegen();
        }
    }

    @Option(names = "--preprocessing", paramLabel = "P.safetensors",
            description = "parameters saved by 'nnc train --save': generate the encoder of their model beside its class (repeatable)")
    List<Path> preprocessing = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Generator.Options options;
        try {
            options = new Generator.Options(pkg, precision.precision(), backend.codegen(), preprocessing);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--package: " + e.getMessage());
        }
        List<Generator.Source> sources = new ArrayList<>();
        for (Path f : files) sources.add(new Generator.Source(f));
        Generator.Report report;
        try {
            report = Generator.run(sources, outDir, options);
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        if (!report.ok()) {
            for (Generator.Failure f : report.failures()) err.print(f.render());
            int n = report.errorCount();
            err.println("nnc: nothing written: " + n + " error" + (n == 1 ? "" : "s"));
            err.flush();
            return Main.USER_ERROR;
        }
        for (Path p : report.written()) out.println("wrote " + p);
        out.flush();
        return 0;
    }
}
