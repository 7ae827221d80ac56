package dev.nnc;

import dev.nnc.check.Checker;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Renderer;
import dev.nnc.ir.GraphTooLargeException;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import dev.nnc.passes.Pipeline;
import dev.nnc.syntax.Ast;
import dev.nnc.syntax.Parser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one entry point of the compiler, shared by the CLI, the Maven goal, tests and
 * benchmarks: source text → parsed → checked → differentiated and optimized models.
 */
public final class Compiler {
    private Compiler() {}

    /**
     * The result of compiling one file.
     *
     * @param path        the file name used in diagnostics
     * @param source      its text
     * @param compiled    one entry per model, in file order; empty when there are errors
     * @param diagnostics every error found
     */
    public record Result(String path, String source, List<Compiled> compiled, Diagnostics diagnostics) {
        public boolean ok() {
            return !diagnostics.hasErrors();
        }

        /** All diagnostics rendered as nnc shows them. */
        public String render() {
            return Renderer.renderAll(diagnostics.sorted(), Map.of(path, source));
        }

        /** The compiled model named {@code name}, or null. */
        public Compiled model(String name) {
            for (Compiled c : compiled) if (c.model().name().equals(name)) return c;
            return null;
        }

        /**
         * The model a command works on (its {@code --model NAME}): {@code name} if given; else
         * {@code preferred} (may be null) when the file has several models and one of that name;
         * else the file's only model.
         *
         * @throws NoSuchModelException naming the file, with error E511 for an unknown name
         */
        public Compiled select(String name, String preferred) {
            List<String> names = compiled.stream().map(Compiled::name).toList();
            String list = String.join(", ", names);
            if (name == null && preferred != null && compiled.size() > 1 && model(preferred) != null) name = preferred;
            if (name != null) {
                Compiled c = model(name);
                if (c != null) return c;
                ErrorKind k = ErrorKind.UNKNOWN_MODEL;
                throw new NoSuchModelException(path + ": error[" + k.code() + "]: " + k.format(name, names.isEmpty() ? "none" : list));
            }
            if (compiled.size() == 1) return compiled.get(0);
            if (compiled.isEmpty()) throw new NoSuchModelException(path + " declares no model");
            throw new NoSuchModelException(path + " has " + names.size() + " models (" + list + "); pick one with --model NAME");
        }
    }

    /** No model of a file fits the name a command was given, or the file has several and none was named. */
    public static final class NoSuchModelException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoSuchModelException(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads and compiles a file (UTF-8). */
    public static Result compile(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return compile(file.toString(), new String(bytes, StandardCharsets.UTF_8));
    }

    /** Compiles source text; {@code path} names it in diagnostics. */
    public static Result compile(String path, String source) {
        Diagnostics diags = new Diagnostics();
        Ast.File ast = Parser.parse(path, source, diags);
        List<Compiled> out = new ArrayList<>();
        if (ast != null && !diags.hasErrors()) {
            List<Model> models = Checker.check(ast, diags);
            if (!diags.hasErrors()) {
                for (Model m : models) {
                    try {
                        out.add(Pipeline.compile(m));
                    } catch (GraphTooLargeException e) { // differentiating the loss can outgrow the limit
                        diags.errorWithHint(ErrorKind.TOO_LARGE, m.span(), Checker.GRAPH_HINT, Checker.graphTooLarge(m.name()));
                    }
                }
            }
        }
        return new Result(path, source, diags.hasErrors() ? List.of() : out, diags);
    }
}
