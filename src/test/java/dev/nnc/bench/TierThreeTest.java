package dev.nnc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.codegen.InMemoryJavac;
import dev.nnc.codegen.JavaEmitter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every method of every generated {@code Simd$} class (the vector backend's kernels, f32 and f64,
 * of the examples, the benchmark models and the attention conformance model, whose attention has a
 * mask) compiles at C1's tier 3, checked without timing: one
 * fresh JVM on the JDK running the tests (CI runs them on JDK 17 and 25) with {@code -Xcomp
 * -XX:TieredStopAtLevel=3 -XX:+PrintCompilation}, compiling only those classes, calls each method
 * once ({@link TierThreeChild}), so each is compiled at tier 3 before it runs.
 *
 * <p>Why: C1 inlines every Vector API call of a kernel ({@code @ForceInline}), and past about 60
 * of them gives up ("COMPILE SKIPPED: out of virtual registers", docs/architecture.md). A kernel
 * that the tiered policy first compiles at tier 2 (when C2's queue is long) then asks for tier 3
 * again, fails, and never reaches C2: every vector of it is allocated, in some JVMs only (issue 16:
 * char_lm's vector GELU, 4.76 MB per call in one CI run).
 *
 * <p>Every method must compile, with no exceptions: the attention kernels, which inlined about 100 to
 * 140 Vector API calls each, call {@code Simd$} methods of about 30 (codegen's {@code AttentionMembers}).
 */
class TierThreeTest {

    /** A line of {@code -XX:+PrintCompilation} about a generated method: level, class, method, bytes, the rest. */
    private static final Pattern LINE = Pattern.compile("\\s(\\d)\\s+(t3\\.\\S+)::(\\S+) \\((\\d+) bytes\\)(.*)$", Pattern.MULTILINE);
    private static final Pattern CALLED = Pattern.compile("^called (\\S+)::(\\S+)$", Pattern.MULTILINE);
    /** A kernel's op, from its javadoc's first line ({@code "mul → [batch, …], from …"}). */
    private static final Pattern KERNEL_OP = Pattern.compile("\\*\\s+(\\w+) → [^\\n]*\\n\\s*\\*/\\n\\s*private static \\S+ (\\S+)\\(");

    @TempDir
    static Path classes;

    @Test
    void everyVectorKernelCompilesAtTierThree() throws Exception {
        Map<String, String> sources = new TreeMap<>();
        for (Path model : models()) {
            String text = Files.readString(model);
            Compiler.Result r = Compiler.compile(model.getFileName().toString(), text);
            assertTrue(r.ok(), r::render);
            for (boolean f32 : new boolean[] {true, false}) {
                JavaEmitter.Output out = JavaEmitter.emit(r.compiled().get(0), new JavaEmitter.Options(f32 ? "t3.f32" : "t3.f64", f32,
                        model.getFileName().toString(), text, JavaEmitter.Backend.VECTOR));
                sources.put(out.qualifiedName(), out.source());
            }
        }
        // the op of each kernel, by "class::method", from the sources' javadoc
        Map<String, String> ops = new TreeMap<>();
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Matcher k = KERNEL_OP.matcher(s.getValue());
            while (k.find()) ops.put(s.getKey() + "$Simd$::" + k.group(2), k.group(1));
        }
        InMemoryJavac.Classes all = InMemoryJavac.compile(sources);
        List<String> simd = new ArrayList<>();
        for (Map.Entry<String, byte[]> c : all.bytecode().entrySet()) {
            Path f = classes.resolve(c.getKey().replace('.', '/') + ".class");
            Files.createDirectories(f.getParent());
            Files.write(f, c.getValue());
            if (c.getKey().endsWith("$Simd$")) simd.add(c.getKey());
        }
        assertTrue(simd.size() >= 40, "vector classes: " + simd);

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xcomp", "-Xbatch", "-XX:TieredStopAtLevel=3", "-XX:+PrintCompilation",
                "-XX:CompileCommand=quiet", "-cp", classes + java.io.File.pathSeparator + System.getProperty("java.class.path")));
        for (String c : simd) cmd.add("-XX:CompileCommand=compileonly," + c + "::*");
        cmd.add(TierThreeChild.class.getName());
        cmd.addAll(simd);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), out);

        Set<String> compiled = new TreeSet<>();
        List<String> failed = new ArrayList<>();
        Matcher m = LINE.matcher(out);
        while (m.find()) {
            if (!m.group(1).equals("3")) continue;
            String method = m.group(2) + "::" + m.group(3), rest = m.group(5).trim();
            if (rest.isEmpty() || rest.equals("made not entrant")) {
                compiled.add(method);
            } else if (rest.contains("SKIPPED") || rest.contains("fail")) {
                failed.add(method + " (" + m.group(4) + " bytes, op " + ops.get(method) + "): " + rest);
            }
        }
        List<String> notCompiled = new ArrayList<>();
        Matcher c = CALLED.matcher(out);
        int called = 0;
        while (c.find()) {
            called++;
            String method = c.group(1) + "::" + c.group(2);
            if (!compiled.contains(method)) notCompiled.add(method);
        }
        assertTrue(called >= 500, "too few methods called: " + called + "\n" + out);
        assertEquals(List.of(), failed, "generated methods that C1 cannot compile at tier 3");
        assertEquals(List.of(), notCompiled, "methods called but not compiled at tier 3:\n" + out);
    }

    static List<Path> models() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String dir : List.of("generated-examples", "bench/models")) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(f -> f.toString().endsWith(".nn")).sorted().forEach(all::add);
            }
        }
        // attention with an additive mask (AttentionKernels' row-by-row kernels on the vector backend), which no example has
        all.add(Path.of("src/test/resources/conformance/scaled_dot_product_attention/model.nn"));
        return all;
    }
}
