package dev.nnc.cli;

import dev.nnc.Compiler;
import dev.nnc.inspect.Dot;
import dev.nnc.inspect.GraphView;
import dev.nnc.inspect.Graphviz;
import dev.nnc.inspect.Html;
import dev.nnc.inspect.Statistics;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc graph MODEL.nn -o FILE}: the forward graph, and with {@code --grad} the backward graph, as DOT, SVG or HTML. */
@Command(name = "graph", mixinStandardHelpOptions = true,
        description = {"Draws a model's computational graph: the forward graph (nodes hold values) and, with --grad, "
                + "the backward graph beside it (nodes hold gradients).",
                "svg and html need Graphviz's dot on the PATH; without it nnc writes the DOT instead and says how to install Graphviz."})
final class GraphCommand implements Callable<Integer> {
    enum Stage { parsed, optimized }

    enum Format { dot, svg, html }

    @Parameters(index = "0", paramLabel = "MODEL.nn", description = "the .nn file")
    Path file;

    @CommandLine.Mixin
    Options.ModelName model = new Options.ModelName();

    @Option(names = "--stage", paramLabel = "parsed|optimized", defaultValue = "optimized",
            description = "parsed: the checker's graph (and autodiff's gradients before simplification); "
                    + "optimized: the graph the generated code computes, fused loops boxed (default: ${DEFAULT-VALUE})")
    Stage stage;

    @Option(names = "--grad", description = "also draw the backward graph of the loss: the gradient of every parameter")
    boolean grad;

    @Option(names = "--input-grads", description = "with --grad, also the gradients of the real-valued inputs (as the gradients() method computes them)")
    boolean inputGrads;

    @Option(names = "--format", paramLabel = "dot|svg|html", description = "output format (default: from the extension of -o)")
    Format format;

    @Option(names = "-o", required = true, paramLabel = "FILE", description = "the file to write; - for standard output")
    String output;

    @Option(names = "--dim", paramLabel = "NAME=VALUE", description = "the value of a runtime dim for FLOP counts in the html table "
            + "(repeatable; default 1)")
    Map<String, Integer> dims = new LinkedHashMap<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Format fmt = format != null ? format : formatOf(output);
        if (inputGrads && !grad) throw new CommandLine.ParameterException(spec.commandLine(), "--input-grads needs --grad");
        Compiler.Result r = CheckCommand.compile(file);
        if (!r.ok()) {
            err.print(r.render());
            err.flush();
            return Main.USER_ERROR;
        }
        Compiled c = model.select(r);
        Map<String, Integer> bound;
        GraphView v;
        try {
            bound = Statistics.bind(c.model(), dims);
            v = GraphView.build(c, r.source(), stage == Stage.parsed ? GraphView.Stage.PARSED : GraphView.Stage.OPTIMIZED, grad, inputGrads);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        String dot = Dot.render(v);
        if (fmt == Format.dot) {
            write(output, dot, out);
            return 0;
        }
        String svg;
        try {
            svg = Graphviz.svg(dot);
        } catch (Graphviz.Unavailable e) {
            String dotFile = output.equals("-") ? "-" : withExtension(output, ".dot");
            err.println("nnc: " + e.getMessage());
            if (fmt == Format.html) {
                write(output, Html.page(v, file.getFileName().toString(), null, dot, bound), out);
                err.println("nnc: wrote " + output + " with the DOT text instead of the picture");
            } else {
                write(dotFile, dot, out);
            }
            err.println("nnc: to draw " + fmt + ", " + Graphviz.INSTALL_HINT + (fmt == Format.svg
                    ? "; wrote the DOT to " + dotFile + " (render it later with: dot -Tsvg " + dotFile + " -o " + output + ")"
                    : ""));
            err.flush();
            return Main.USER_ERROR;
        }
        write(output, fmt == Format.svg ? svg : Html.page(v, file.getFileName().toString(), svg, dot, bound), out);
        return 0;
    }

    private Format formatOf(String out) {
        String lower = out.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".dot") || lower.endsWith(".gv")) return Format.dot;
        if (lower.endsWith(".svg")) return Format.svg;
        if (lower.endsWith(".html") || lower.endsWith(".htm")) return Format.html;
        throw new CommandLine.ParameterException(spec.commandLine(),
                "cannot tell the format from '" + out + "': give --format dot|svg|html");
    }

    static String withExtension(String path, String ext) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        int dot = path.lastIndexOf('.');
        return (dot > slash ? path.substring(0, dot) : path) + ext;
    }

    private static void write(String to, String text, PrintWriter out) {
        if (to.equals("-")) {
            out.print(text);
            out.flush();
            return;
        }
        Path p = Path.of(to);
        try {
            Path dir = p.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(p + ": cannot write: " + e.getMessage());
        }
    }
}
