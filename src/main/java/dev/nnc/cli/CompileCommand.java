package dev.nnc.cli;

import dev.nnc.Compiler;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc compile FILE... -d OUTDIR}: one Java source per model, written atomically. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Generates one self-contained Java class per model.",
                "Files are written only when every input compiles; each is written to a temporary file and moved into place."})
final class CompileCommand implements Callable<Integer> {
    enum Precision { f32, f64 }

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .nn files")
    List<Path> files;

    @Option(names = "-d", required = true, paramLabel = "OUTDIR", description = "the output folder (package folders are created in it)")
    Path outDir;

    @Option(names = "--package", paramLabel = "P", description = "the Java package (default: the file's package statement, else none)")
    String pkg;

    @Option(names = "--precision", paramLabel = "f32|f64", description = "element type (default: the model's precision statement, else f32)")
    Precision precision;

    @Option(names = "--backend", defaultValue = "scalar", paramLabel = "scalar|vector",
            description = "kernels as plain loops (default) or with the Vector API (jdk.incubator.vector; needs --add-modules jdk.incubator.vector to compile and run)")
    Backend backend;

    enum Backend { scalar, vector }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Map<Path, String> sources = new LinkedHashMap<>();
        int failed = 0;
        for (Path f : files) {
            Compiler.Result r = CheckCommand.compile(f);
            if (!r.ok()) {
                err.print(r.render());
                failed++;
                continue;
            }
            for (Compiled c : r.compiled()) {
                boolean f32 = precision != null ? precision == Precision.f32
                        : c.model().precision() != dev.nnc.ir.Model.Precision.F64;
                JavaEmitter.Output o = JavaEmitter.emit(c, new JavaEmitter.Options(pkg, f32, f.getFileName().toString(), r.source(),
                        backend == Backend.vector ? JavaEmitter.Backend.VECTOR : JavaEmitter.Backend.SCALAR));
                Path dest = outDir;
                if (!o.packageName().isEmpty()) dest = dest.resolve(o.packageName().replace('.', '/'));
                dest = dest.resolve(o.className() + ".java");
                if (sources.put(dest, o.source()) != null) {
                    err.println("nnc: two models would both be written to " + dest);
                    failed++;
                }
            }
        }
        err.flush();
        if (failed > 0) {
            err.println("nnc: nothing written: " + failed + " error" + (failed == 1 ? "" : "s"));
            err.flush();
            return Main.USER_ERROR;
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            try {
                writeAtomically(e.getKey(), e.getValue());
            } catch (IOException ex) {
                throw new UserError(e.getKey() + ": cannot write: " + ex.getMessage()
                        + (written.isEmpty() ? "" : " (already written: " + written + ")"));
            }
            written.add(e.getKey());
            out.println("wrote " + e.getKey());
        }
        out.flush();
        return 0;
    }

    /** Writes {@code text} to a temporary file beside {@code dest}, then moves it into place. */
    static void writeAtomically(Path dest, String text) throws IOException {
        Path dir = dest.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + dest.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
