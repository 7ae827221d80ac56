package dev.nnc.cli;

import dev.nnc.Compiler;
import dev.nnc.inspect.Statistics;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import dev.nnc.passes.Stats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc check FILE...}: diagnostics, or a summary of each model. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Checks .nn files and summarizes each model (inputs, params, outputs, node counts).")
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .nn files to check")
    List<Path> files;

    @Option(names = {"-v", "--verbose"}, description = "also print ops per phase, FLOPs per call of each generated method, "
            + "and work-buffer bytes after memory planning (the numbers nnc graph shows)")
    boolean verbose;

    @Option(names = "--dim", paramLabel = "NAME=VALUE", description = "with --verbose, the value of a runtime dim for FLOPs and "
            + "buffer bytes (repeatable; default 1)")
    Map<String, Integer> dims = new LinkedHashMap<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failed = 0;
        if (!dims.isEmpty() && !verbose) throw new CommandLine.ParameterException(spec.commandLine(), "--dim needs --verbose");
        Set<String> usedDims = new HashSet<>();
        for (Path f : files) {
            Compiler.Result r = compile(f);
            if (!r.ok()) {
                err.print(r.render());
                err.flush();
                failed++;
                continue;
            }
            for (Compiled c : r.compiled()) {
                out.print(summary(f.toString(), c));
                if (verbose) out.print(Statistics.text(c, r.source(), bind(c, usedDims)));
            }
        }
        boolean badDim = false;
        for (String d : dims.keySet()) {
            if (failed == 0 && !usedDims.contains(d)) { // a file with errors may declare it
                err.println("nnc: --dim " + d + ": no model declares a dim named " + d);
                badDim = true;
            }
        }
        if (failed > 0) {
            err.printf("nnc: %d of %d file%s had errors%n", failed, files.size(), files.size() == 1 ? "" : "s");
        }
        out.flush();
        err.flush();
        return failed == 0 && !badDim ? 0 : Main.USER_ERROR;
    }

    static Compiler.Result compile(Path f) {
        try {
            return Compiler.compile(f);
        } catch (NoSuchFileException e) {
            throw new UserError(f + ": no such file");
        } catch (IOException e) {
            throw new UserError(f + ": cannot read: " + e.getMessage());
        }
    }

    /** The given dims that {@code c}'s model declares, the others 1; records which were used. */
    private Map<String, Integer> bind(Compiled c, Set<String> used) {
        Map<String, Integer> mine = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : dims.entrySet()) {
            if (c.model().dims().contains(e.getKey())) {
                mine.put(e.getKey(), e.getValue());
                used.add(e.getKey());
            }
        }
        try {
            return Statistics.bind(c.model(), mine);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** The text summary of one compiled model. */
    static String summary(String file, Compiled c) {
        Model m = c.model();
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(": model ").append(m.name()).append('\n');
        List<String> ins = new ArrayList<>();
        for (Model.Input i : m.inputs()) ins.add(i.name() + " " + (i.isInt() ? "int" : "") + i.node().shape());
        sb.append("  inputs:  ").append(ins.isEmpty() ? "(none)" : String.join(", ", ins)).append('\n');
        List<String> ps = new ArrayList<>();
        long count = 0;
        for (Model.Param p : m.params()) {
            ps.add(p.name() + " " + p.node().shape());
            count += p.node().shape().staticProduct();
        }
        sb.append("  params:  ").append(ps.isEmpty() ? "(none)" : String.join(", ", ps))
                .append(String.format(Locale.ROOT, "  (%,d parameters)", count)).append('\n');
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < m.outputs().size(); i++) outs.add(m.outputs().get(i).name() + " " + c.eval().outputs().get(i).shape());
        sb.append("  outputs: ").append(outs.isEmpty() ? "(none)" : String.join(", ", outs)).append('\n');
        if (m.loss() != null) {
            sb.append("  loss:    scalar");
            if (m.optimizer() != null) {
                List<String> args = new ArrayList<>();
                for (String k : OPTIMIZER_ARGS.get(m.optimizer().kind())) {
                    double v = m.optimizer().arg(k);
                    args.add(k + " = " + (k.equals("nesterov") ? (v != 0 ? "true" : "false") : fmt(v)));
                }
                if (m.optimizer().clipNorm() != null) args.add("clip_norm = " + fmt(m.optimizer().clipNorm()));
                sb.append(", optimizer ").append(m.optimizer().kind()).append('(').append(String.join(", ", args)).append(')');
            }
            sb.append('\n');
        }
        Stats s = c.stats();
        sb.append(String.format(Locale.ROOT, "  nodes:   checked %d; forward ops %d → %d optimized", s.checkedNodes(), s.forwardOps(), s.optForwardOps()));
        if (c.eval().loss() != null) {
            sb.append(String.format(Locale.ROOT, "; loss+gradients ops %d → %d optimized (%.2f× the %d of the loss alone)",
                    s.trainOps(), s.optTrainOps(), s.gradientCost(), s.optLossOps()));
        }
        sb.append('\n');
        return sb.toString();
    }

    private static final java.util.Map<String, List<String>> OPTIMIZER_ARGS = java.util.Map.of(
            "sgd", List.of("lr", "momentum", "weight_decay", "nesterov"),
            "adam", List.of("lr", "beta1", "beta2", "eps", "weight_decay"),
            "adamw", List.of("lr", "beta1", "beta2", "eps", "weight_decay"));

    /** A number as a user would write it: 3, 0.01, 1e-08. */
    private static String fmt(double v) {
        String s = dev.nnc.passes.Fold.format(v);
        return s.contains("E") ? s.replace(".0E", "E").replace("E", "e") : s;
    }

}
