package dev.nnc.inspect;

import dev.nnc.ir.Size;

import dev.nnc.codegen.Plans;
import dev.nnc.inspect.GraphView.Phase;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers behind {@code nnc check --verbose} and the totals of {@code nnc graph --format
 * html}: ops per phase, FLOPs per call of each generated method, parameter count, and the
 * bytes of work buffers after memory planning.
 */
public final class Statistics {
    private Statistics() {}

    /** One generated method. */
    public record EntryStats(String name, int kernels, Size flops, Size update, int buffers, long bufferBytes, long unsharedBytes) {}

    /**
     * Binds every runtime dim of {@code m}: the value given, else 1.
     *
     * @throws IllegalArgumentException for a dim the model does not declare, or a value below 1
     */
    public static Map<String, Integer> bind(Model m, Map<String, Integer> given) {
        for (Map.Entry<String, Integer> e : given.entrySet()) {
            if (!m.dims().contains(e.getKey())) {
                throw new IllegalArgumentException("model " + m.name() + " has no dim '" + e.getKey() + "'"
                        + (m.dims().isEmpty() ? " (it declares none)" : "; its dims are " + String.join(", ", m.dims())));
            }
            if (e.getValue() < 1) throw new IllegalArgumentException("dim " + e.getKey() + " must be at least 1, got " + e.getValue());
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String d : m.dims()) out.put(d, given.getOrDefault(d, 1));
        return out;
    }

    /** "batch=64, seq=8", or "" for a model without dims. */
    public static String bindingText(Map<String, Integer> dims) {
        List<String> s = new ArrayList<>();
        dims.forEach((k, v) -> s.add(k + "=" + v));
        return String.join(", ", s);
    }

    /** Bytes per element of generated code for the model's declared precision. */
    public static int elementBytes(Model m) {
        return m.precision() == Model.Precision.F64 ? 8 : 4;
    }

    public static long parameterCount(Model m) {
        long n = 0;
        for (Model.Param p : m.params()) n += p.node().shape().staticProduct();
        return n;
    }

    /** Per generated method: kernels, FLOPs, work buffers at {@code dims}. */
    public static List<EntryStats> entries(Compiled c, Map<String, Integer> dims) {
        int eb = elementBytes(c.model());
        List<EntryStats> out = new ArrayList<>();
        for (Plans.Entry e : Plans.entries(c)) {
            Size update = e.name().equals("trainStep") ? Flops.update(c.model()) : Size.ZERO;
            long bytes = 0;
            for (long s : e.slotElements(dims)) bytes += s * eb;
            out.add(new EntryStats(e.name(), e.kernels().size(), Flops.reachable(e.roots()), update,
                    e.slotNodes().size(), bytes, e.unsharedElements(dims) * eb));
        }
        return out;
    }

    /** The verbose lines of {@code nnc check}, indented by two spaces. */
    public static String text(Compiled c, String source, Map<String, Integer> dims) {
        Model m = c.model();
        StringBuilder sb = new StringBuilder();
        boolean hasLoss = m.loss() != null;
        GraphView parsed = GraphView.build(c, source, GraphView.Stage.PARSED, hasLoss, false);
        GraphView optimized = GraphView.build(c, source, GraphView.Stage.OPTIMIZED, hasLoss, false);
        sb.append("  ops per phase (nodes that compute, leaves and constants not counted):\n");
        sb.append(String.format(Locale.ROOT, "    checked    %,d nodes created by the checker\n", c.stats().checkedNodes()));
        sb.append(phaseLine("parsed", parsed, hasLoss));
        sb.append(phaseLine("optimized", optimized, hasLoss));
        String at = dims.isEmpty() ? "" : " at " + bindingText(dims);
        List<EntryStats> es = entries(c, dims);
        List<Plans.Entry> plans = Plans.entries(c);
        if (es.isEmpty()) {
            sb.append("  no generated methods compute anything (no outputs and no loss)\n");
        } else {
            sb.append("  per generated method").append(at).append(":\n");
            int w = 0;
            for (EntryStats e : es) w = Math.max(w, e.name().length());
            for (EntryStats e : es) {
                StringBuilder f = new StringBuilder(e.flops().toString());
                long total = e.flops().eval(dims);
                if (!e.update().isZero()) {
                    f.append(" + ").append(e.update()).append(" for the ").append(m.optimizer().kind()).append(" update");
                    total += e.update().eval(dims);
                }
                if (!e.flops().isStatic() || !e.update().isZero()) f.append(" = ").append(Size.group(total));
                sb.append(String.format(Locale.ROOT, "    %-" + w + "s  FLOPs %s\n", e.name(), f));
                sb.append(String.format(Locale.ROOT, "    %-" + w + "s  %d kernel%s; %d work buffer%s, %s bytes (%s bytes without reuse)\n", "",
                        e.kernels(), e.kernels() == 1 ? "" : "s", e.buffers(), e.buffers() == 1 ? "" : "s",
                        Size.group(e.bufferBytes()), Size.group(e.unsharedBytes())));
            }
        }
        long params = parameterCount(m);
        int eb = elementBytes(m);
        String prec = eb == 8 ? "f64" : "f32";
        sb.append(String.format(Locale.ROOT, "  parameters: %s (%s bytes as %s)\n", Size.group(params), Size.group(params * eb), prec));
        sb.append(String.format(Locale.ROOT, "  work buffers after memory planning%s: %d, %s bytes as %s (shared by all methods)\n", at,
                Plans.bufferCount(plans), Size.group(Plans.bufferBytes(plans, dims, eb)), prec));
        return sb.toString();
    }

    private static String phaseLine(String stage, GraphView v, boolean hasLoss) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "    %-9s  forward %,d", stage, v.ops(Phase.FORWARD)));
        if (hasLoss) {
            s.append(String.format(Locale.ROOT, ", backward %,d", v.ops(Phase.BACKWARD)));
            int f = v.ops(Phase.FORWARD);
            if (f > 0) s.append(String.format(Locale.ROOT, " (%.2f× forward)", (double) v.ops(Phase.BACKWARD) / f));
        }
        if (!v.entries().isEmpty()) s.append(", as ").append(v.entries()).append(" computes them");
        return s.append('\n').toString();
    }
}
