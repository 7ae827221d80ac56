package dev.nnc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.codegen.JavaEmitter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Issue 12, checked without timing anything: fresh JVMs call generated vector classes as an
 * application does ({@link AppLoop} {@code --check}: a plain loop until the JIT is quiet) and
 * must reach zero bytes allocated per call, on the calling thread and (with {@code setThreads(2)})
 * on the instance's pool threads; and C2 must have compiled every method of the generated classes
 * with Vector API code, on its own or inlined into a caller (JFR's {@code jdk.Compilation} and {@code jdk.CompilerInlining} events, recorded by the child
 * itself: no JVM flag). Before the fix, the W1 train step allocated about 101 KB per call in
 * every JVM (its dropout mask's vectors boxed), and in some JVMs 1 to 35 MB (every product's).
 *
 * <p>Each case is a JVM of its own, in the adversary conditions of the issue: another user of
 * the Vector API first ({@code --pollute}), two models, the vector and scalar backends and
 * threads in one JVM (W2 at batch 256 splits its first product over two), f64 besides f32; the
 * convolutions of W4 (LeNet-5: the forward product, both gradients, unfold and fold); and the
 * version-2 examples char_lm.nn and tabular_embeddings.nn (batched products, embeddings and
 * their scatter-add, layer norm, where); W6, a transformer block at batch 1 (blocked attention,
 * GELU). W4, char_lm, tabular_embeddings and W6 run in JVMs of their own. Without another Vector
 * API user, no method of the API that a compilation of a generated method inlined may take a
 * class-check trap once the generated classes exist (JFR's {@code jdk.Deoptimization} and
 * {@code jdk.CompilerInlining}): C2 sums those traps over every method it inlines into a kernel,
 * and W6's attention kernels allocated in some JVMs when four traps in one API method crossed
 * the limit (codegen's {@code VectorPrime}). Traps in API methods that only the API's fallback
 * code calls ({@code VectorPayload.getPayload} took 5 in one CI run) reach no kernel's sum. The
 * child runs on the JDK running the tests (CI runs them on JDK 17 and 25). Warm-up ends when no compilation finished for half a
 * second after at least 2,000 calls of each, and goes on while C2 has not compiled some method
 * with vector code yet or a call still allocates, for at most 90 s: on a quiet machine each JVM takes 5 to
 * 20 s; only a machine too loaded for C2 to keep up with its queue comes near the limit. The
 * children's generated classes (and the other Vector API user's) are compiled once, here, where
 * javac is warm ({@link ClassCache}): a cold javac in each child took more than a third of its
 * time. A child prints how long each phase took (its last line), shown when a case fails.
 */
class VectorJitTest {
    private static final Pattern ALLOC = Pattern.compile("^alloc (\\S+) caller=(\\d+) pool=(\\d+)$", Pattern.MULTILINE);
    private static final Pattern API_TRAP = Pattern.compile("^apitrap .*$", Pattern.MULTILINE);
    private static final Pattern COMPILED = Pattern.compile("^compiled (\\S+ \\S+) vector=(true|false) levels=(\\S*) c2=(true|false)$",
            Pattern.MULTILINE);

    static final String[] SCENARIOS = {
            "--pollute w1:64,vector,f32,trainStep",
            "w2:256,vector,f32,infer,2 w3:1,scalar,f32,trainStep bn:16,vector,f32,trainStep",
            "--pollute w1:64,vector,f64,trainStep w2:1,vector,f32,trainStep bn:16,vector,f32,infer",
            "--pollute w4:4,vector,f32,trainStep",
            "lm:4x16,vector,f32,trainStep",
            "tab:64,vector,f32,trainStep",
            "w6:1,vector,f32,trainStep",
    };

    /** Every child's classes, compiled here in one javac run ({@link ClassCache}). */
    @TempDir
    static Path classes;

    @BeforeAll
    static void compileTheChildrensClasses() throws Exception {
        Map<String, String> sources = new TreeMap<>(Map.of(VectorApiUser.NAME, VectorApiUser.SOURCE));
        for (String scenario : SCENARIOS) {
            for (String spec : scenario.split(" ")) {
                if (spec.startsWith("--")) continue;
                String[] f = spec.split(",");
                JavaEmitter.Output out = Workload.source(f[0], JavaEmitter.Backend.valueOf(f[1].toUpperCase(Locale.ROOT)), f[2].equals("f32")).output();
                sources.put(out.qualifiedName(), out.source());
            }
        }
        ClassCache.write(classes, sources);
    }

    @ParameterizedTest
    @FieldSource("SCENARIOS")
    void freshJvmAllocatesNothingAndC2CompilesVectorCode(String args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-D" + ClassCache.PROPERTY + "=" + classes, "-cp", System.getProperty("java.class.path"),
                AppLoop.class.getName(), "--check", "--min-calls", "2000", "--quiet-ms", "500", "--max-warm-s", "90"));
        cmd.addAll(List.of(args.split(" ")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), out);

        int specs = (int) List.of(args.split(" ")).stream().filter(a -> !a.startsWith("--")).count();
        Matcher a = ALLOC.matcher(out);
        int allocLines = 0;
        List<String> allocating = new ArrayList<>();
        while (a.find()) {
            allocLines++;
            if (Long.parseLong(a.group(2)) != 0 || Long.parseLong(a.group(3)) != 0) allocating.add(a.group());
        }
        assertEquals(specs, allocLines, out);
        assertEquals(List.of(), allocating, "bytes allocated per call after warm-up:\n" + out);

        Matcher c = COMPILED.matcher(out);
        int vectorMethods = 0;
        List<String> notC2 = new ArrayList<>();
        while (c.find()) {
            if (!c.group(2).equals("true")) continue;
            vectorMethods++;
            if (!c.group(4).equals("true")) notC2.add(c.group(1) + " (levels " + c.group(3) + ")");
        }
        assertTrue(vectorMethods >= 5, "too few compiled methods with vector code seen: " + vectorMethods + "\n" + out);
        assertEquals(List.of(), notC2, "methods with vector code that C2 did not compile:\n" + out);

        // after another Vector API user, the API's methods may trap on the classes the generated code brings
        if (args.contains("--pollute")) return;
        List<String> traps = new ArrayList<>();
        Matcher t = API_TRAP.matcher(out);
        while (t.find()) traps.add(t.group());
        assertEquals(List.of(), traps, "class-check traps in the Vector API's methods, which C2 sums over each kernel:\n" + out);
    }
}
