package dev.nnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.Compiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden DOT files in {@code src/test/resources/graph/}: the exact text {@code nnc graph}
 * writes for two small models, regenerated and compared byte for byte. After an intended
 * change, rewrite them with {@code mvn test -Dtest=DotGoldenTest -Dnnc.updateGolden=true}
 * and review the diff (and the pictures: {@code dot -Tsvg FILE.dot -o FILE.svg}).
 */
class DotGoldenTest {
    static final Path DIR = Path.of("src", "test", "resources", "graph");

    /** A golden file and how to make it. */
    record Case(String file, String model, GraphView.Stage stage, boolean grad) {}

    static final List<Case> CASES = List.of(
            // forward and backward, optimized: fused loops of trainStep, reuse edges
            new Case("logistic_regression.grad.dot", "logistic_regression.nn", GraphView.Stage.OPTIMIZED, true),
            // the checker's graph with grad() inside the forward graph (a Hessian-vector product), and its gradients
            new Case("rosenbrock.parsed.grad.dot", "rosenbrock.nn", GraphView.Stage.PARSED, true),
            // forward only, optimized: fused loops of infer and loss
            new Case("logistic_regression.dot", "logistic_regression.nn", GraphView.Stage.OPTIMIZED, false));

    static String render(Case k) {
        Compiler.Result r = Examples.compile(Examples.DIR.resolve(k.model()));
        return Dot.render(GraphView.build(Examples.only(r), r.source(), k.stage(), k.grad(), false));
    }

    @Test
    void dotMatchesTheGoldenFiles() throws IOException {
        boolean update = Boolean.getBoolean("nnc.updateGolden");
        List<String> stale = new ArrayList<>();
        for (Case k : CASES) {
            String now = render(k);
            Path f = DIR.resolve(k.file());
            String have = Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : null;
            if (now.equals(have)) continue;
            if (update) {
                Files.createDirectories(DIR);
                Files.writeString(f, now, StandardCharsets.UTF_8);
            } else {
                stale.add(f + (have == null ? " (missing)" : firstDifference(have, now)));
            }
        }
        assertEquals(List.of(), stale, "DOT output changed; if intended, run "
                + "mvn test -Dtest=DotGoldenTest -Dnnc.updateGolden=true and review the diff");
    }

    @Test
    void renderingIsDeterministic() {
        for (Case k : CASES) assertEquals(render(k), render(k), k.file());
    }

    private static String firstDifference(String a, String b) {
        String[] x = a.split("\n", -1), y = b.split("\n", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!x[i].equals(y[i])) return " line " + (i + 1) + ":\n  golden: " + x[i] + "\n  now:    " + y[i];
        }
        return " (lengths differ)";
    }
}
