package dev.nnc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, checked without timing anything: fresh JVMs call generated vector classes as an
 * application does ({@link AppLoop} {@code --check}: a plain loop until the JIT is quiet) and
 * must reach zero bytes allocated per call (with {@code setThreads(2)}, at most the few hundred
 * bytes of the tasks it hands its pool, {@link AppLoop#TASK_BYTES}), on the calling thread and on
 * the instance's pool threads; and C2 must have compiled every method of the generated classes
 * with Vector API code, on its own or inlined into a caller (JFR's {@code jdk.Compilation} and {@code jdk.CompilerInlining} events, recorded by the child
 * itself: no JVM flag). Before the fix, the W1 train step allocated about 101 KB per call in
 * every JVM (its dropout mask's vectors boxed), and in some JVMs 1 to 35 MB (every product's).
 *
 * <p>Each case is a JVM of its own, in the adversary conditions of the issue: another user of
 * the Vector API first ({@code --pollute}), two models, the vector and scalar backends and
 * threads in one JVM (W2 at batch 256 splits its first product over two), f64 besides f32, and
the convolutions of W4 (LeNet-5: the forward product, both gradients, unfold and fold). The
 * child runs on the JDK running the tests (CI runs them on JDK 17 and 25). Warm-up ends when no compilation finished for half a
 * second after at least 2,000 calls of each, and goes on while C2 has not compiled some method
 * with vector code yet or a call still allocates, for at most 90 s: on a quiet machine each JVM takes 5 to
 * 20 s; only a machine too loaded for C2 to keep up with its queue comes near the limit.
 */
class VectorJitTest {
    private static final Pattern ALLOC = Pattern.compile("^alloc (\\S+) caller=(\\d+) pool=(\\d+)$", Pattern.MULTILINE);
    private static final Pattern COMPILED = Pattern.compile("^compiled (\\S+ \\S+) vector=(true|false) levels=(\\S*) c2=(true|false)$",
            Pattern.MULTILINE);

    @ParameterizedTest
    @ValueSource(strings = {
            "--pollute w1:64,vector,f32,trainStep",
            "w2:256,vector,f32,infer,2 w3:1,scalar,f32,trainStep bn:16,vector,f32,trainStep",
            "--pollute w1:64,vector,f64,trainStep w2:1,vector,f32,trainStep bn:16,vector,f32,infer w4:4,vector,f32,trainStep",
    })
    void freshJvmAllocatesNothingAndC2CompilesVectorCode(String args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
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
            long allowed = a.group(1).split(",").length > 4 && !a.group(1).endsWith(",1") ? AppLoop.TASK_BYTES : 0;
            if (Long.parseLong(a.group(2)) > allowed || Long.parseLong(a.group(3)) > allowed) allocating.add(a.group());
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
    }
}
