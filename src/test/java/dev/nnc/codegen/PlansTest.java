package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.ir.Node;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Plans} describes the schedules the generator really uses: for every example, the
 * kernel calls in each generated run method and the work-buffer fields of the class match it.
 */
class PlansTest {
    static List<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("generated-examples"))) {
            return s.filter(p -> p.toString().endsWith(".nn")).sorted().toList();
        }
    }

    @Test
    void entriesMatchTheGeneratedClass() throws IOException {
        int checked = 0;
        for (Path f : examples()) {
            Compiler.Result r = Compiler.compile(f);
            assertTrue(r.ok(), r.render());
            for (Compiled c : r.compiled()) {
                String src = JavaEmitter.emit(c, new JavaEmitter.Options(null, true, f.getFileName().toString(), r.source())).source();
                List<Plans.Entry> entries = Plans.entries(c);
                String what = f.getFileName() + " " + c.name();
                assertEquals(countMatches(src, "private float\\[\\] buf\\$\\d+;"), Plans.bufferCount(entries), what + ": work buffers");
                List<String> names = new ArrayList<>();
                for (Plans.Entry e : entries) {
                    names.add(e.name());
                    assertEquals(kernelCalls(src, e.name()), e.kernels().size(), what + ": kernels of " + e.name());
                    checkPartition(e, what);
                }
                List<String> want = new ArrayList<>(c.eval().loss() == null ? List.of("infer")
                        : c.model().optimizer() == null ? List.of("infer", "loss", "gradients")
                        : List.of("infer", "loss", "gradients", "trainStep"));
                // a trainingPass of its own only where the modes differ (else it calls infer and gradients)
                if (!c.train().equals(c.eval())) want.add("trainingPass");
                assertEquals(want, names, what);
                checked++;
            }
        }
        assertTrue(checked >= 5);
    }

    /** Each FUSED node is in exactly one kernel's loop; every KERNEL node is a kernel. */
    private static void checkPartition(Plans.Entry e, String what) {
        Set<Node> seen = new HashSet<>();
        for (Plans.Kernel k : e.kernels()) {
            assertEquals(Plans.How.KERNEL, e.how().get(k.result()), what);
            for (Node n : k.fused()) {
                assertEquals(Plans.How.FUSED, e.how().get(n), what);
                assertTrue(seen.add(n), what + ": " + n + " fused twice");
            }
        }
        for (Map.Entry<Node, Plans.How> h : e.how().entrySet()) {
            if (h.getValue() == Plans.How.FUSED) assertTrue(seen.contains(h.getKey()), what + ": " + h.getKey() + " in no kernel");
        }
    }

    @Test
    void bufferBytesFollowTheDims() throws IOException {
        Compiler.Result r = Compiler.compile(Path.of("generated-examples", "house_prices.nn"));
        List<Plans.Entry> entries = Plans.entries(r.compiled().get(0));
        long one = Plans.bufferBytes(entries, Map.of("batch", 1), 4);
        long many = Plans.bufferBytes(entries, Map.of("batch", 64), 4);
        assertTrue(one > 0 && many > one, one + " " + many);
        for (Plans.Entry e : entries) {
            long shared = 0;
            for (long s : e.slotElements(Map.of("batch", 64))) shared += s;
            assertTrue(shared <= e.unsharedElements(Map.of("batch", 64)), e.name() + ": reuse never costs memory");
        }
    }

    /**
     * The {@code k$N(} calls in {@code run$NAME} and its parts {@code run$NAME$i}; a kernel whose
     * rows split over threads is one call written twice ({@code rows$(…, (w$, lo$, hi$) -> k$N(…));
     * else k$N(…)}), counted once.
     */
    private static int kernelCalls(String src, String entry) {
        int calls = 0;
        Matcher m = Pattern.compile("private void run\\$" + entry + "(\\$\\d+)?\\(\\) \\{\\n(.*?)\\n    \\}", Pattern.DOTALL).matcher(src);
        while (m.find()) calls += countMatches(m.group(2), "\\bk\\$\\d+\\(") - countMatches(m.group(2), "-> k\\$\\d+\\(");
        return calls;
    }

    private static int countMatches(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
