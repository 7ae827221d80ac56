package dev.nnc.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.cli.Main;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PyTorch conformance suite: for every case under {@code src/test/resources/conformance/}
 * (written by {@code src/test/conformance/make_fixtures.py}, see its README), runs
 * {@code nnc eval model.nn --inputs inputs.safetensors --params params.safetensors --out OUT}
 * in-process and compares every tensor of {@code expected.safetensors} with {@code OUT}: same
 * names, same shapes, and each element within {@code atol + rtol * |expected|}.
 *
 * <p>Two passes: the default f64 evaluation ({@code atol = 1e-9, rtol = 1e-6}) and
 * {@code --precision f32} ({@code atol = rtol = 1e-3} unless the case's metadata says
 * otherwise). Each case's {@code expected.safetensors} carries its settings in
 * {@code __metadata__}: {@code model} (passed as {@code --model}), {@code f32_atol},
 * {@code f32_rtol}, {@code f32_skip} (a reason to skip the f32 pass), and {@code train}
 * ({@code "true"}: evaluate in training mode, {@code --train}).
 *
 * <p>System properties: {@code nnc.conformance.dir} points at another fixture folder;
 * {@code nnc.conformance.engine}, if set, is a comma-separated list of the engines to run, of
 * {@code java}, {@code java-vector} (the generated code, scalar and vector backends) and
 * {@code interp} (default: all three). Only {@link Main#run(String...)} and {@code dev.nnc.io}
 * are used, so the suite also serves as a black-box test of the CLI.
 */
@Tag("conformance")
class ConformanceTest {
    static final double F64_ATOL = 1e-9;
    static final double F64_RTOL = 1e-6;
    static final double F32_ATOL = 1e-3;
    static final double F32_RTOL = 1e-3;

    /** Main.run may print through System.err; swapping it is global, so runs are serialized. */
    private static final Object STDERR_LOCK = new Object();

    @TempDir
    Path tmp;

    // ------------------------------------------------------------------ discovery

    static Path fixtureRoot() {
        String prop = System.getProperty("nnc.conformance.dir");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        URL url = ConformanceTest.class.getResource("/conformance");
        if (url != null && "file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return Path.of("src", "test", "resources", "conformance");
    }

    static Stream<String> cases() {
        Path root = fixtureRoot();
        if (!Files.isDirectory(root)) return Stream.empty();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("expected.safetensors")))
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void fixturesArePresentAndComplete() {
        Path root = fixtureRoot();
        List<String> names = cases().toList();
        assertFalse(names.isEmpty(), "no conformance cases under " + root.toAbsolutePath()
                + " (regenerate with /usr/bin/python3 src/test/conformance/make_fixtures.py)");
        for (String name : names) {
            for (String f : List.of("model.nn", "inputs.safetensors", "params.safetensors", "expected.safetensors")) {
                assertTrue(Files.isRegularFile(root.resolve(name).resolve(f)), "case " + name + " has no " + f);
            }
        }
    }

    // ------------------------------------------------------------------ the two passes

    /** Every case on each engine of {@code nnc.conformance.engine} (default: the generated code on both backends, and the reference interpreter). */
    static Stream<org.junit.jupiter.params.provider.Arguments> engineCases() {
        String only = System.getProperty("nnc.conformance.engine");
        List<String> all = List.of("java", "java-vector", "interp");
        List<String> engines = only == null || only.isBlank() ? all : List.of(only.split(","));
        for (String e : engines) {
            if (!all.contains(e)) throw new IllegalArgumentException("nnc.conformance.engine: unknown engine " + e + " (of " + all + ")");
        }
        List<String> names = cases().toList();
        List<org.junit.jupiter.params.provider.Arguments> out = new ArrayList<>();
        for (String e : engines) for (String n : names) out.add(org.junit.jupiter.params.provider.Arguments.of(e, n));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("engineCases")
    void f64(String engine, String name) throws IOException {
        check(name, false, engine);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("engineCases")
    void f32(String engine, String name) throws IOException {
        check(name, true, engine);
    }

    private void check(String name, boolean f32, String engine) throws IOException {
        Path dir = fixtureRoot().resolve(name);
        String pass = f32 ? "f32" : "f64";
        TensorFile expected = SafeTensors.read(dir.resolve("expected.safetensors"));
        Map<String, String> meta = expected.metadata();

        double atol = F64_ATOL;
        double rtol = F64_RTOL;
        if (f32) {
            String skip = meta.get("f32_skip");
            Assumptions.assumeTrue(skip == null, () -> "case " + name + ": f32 pass skipped: " + skip);
            atol = meta.containsKey("f32_atol") ? Double.parseDouble(meta.get("f32_atol")) : F32_ATOL;
            rtol = meta.containsKey("f32_rtol") ? Double.parseDouble(meta.get("f32_rtol")) : F32_RTOL;
        }

        Path out = tmp.resolve(name + "-" + pass + "-" + engine + ".safetensors");
        List<String> args = new ArrayList<>(List.of("eval", dir.resolve("model.nn").toString()));
        String model = meta.get("model");
        if (model != null) args.addAll(List.of("--model", model));
        args.addAll(List.of(
                "--inputs", dir.resolve("inputs.safetensors").toString(),
                "--params", dir.resolve("params.safetensors").toString(),
                "--out", out.toString()));
        if ("true".equals(meta.get("train"))) args.add("--train");
        if (f32) args.addAll(List.of("--precision", "f32"));
        if (engine.equals("java-vector")) args.addAll(List.of("--engine", "java", "--backend", "vector"));
        else args.addAll(List.of("--engine", engine));

        String[] argv = args.toArray(String[]::new);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        synchronized (STDERR_LOCK) {
            PrintStream saved = System.err;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                code = Main.run(argv);
            } finally {
                System.err.flush();
                System.setErr(saved);
            }
        }
        String stderr = err.toString(StandardCharsets.UTF_8).strip();
        String command = "nnc " + String.join(" ", args);
        assertEquals(0, code, () -> "case " + name + " [" + pass + "]: exit code " + code + " from\n  " + command
                + (stderr.isEmpty() ? "" : "\nstderr:\n" + stderr));
        assertTrue(Files.isRegularFile(out), () -> "case " + name + " [" + pass + "]: no output file from\n  " + command);

        TensorFile actual = SafeTensors.read(out);
        List<String> problems = compare(expected, actual, atol, rtol);
        if (!problems.isEmpty()) {
            fail("case " + name + " [" + pass + "] (atol " + atol + ", rtol " + rtol + "): " + problems.size()
                    + " problem(s)\n  " + String.join("\n  ", problems) + "\ncommand: " + command);
        }
    }

    // ------------------------------------------------------------------ comparison

    /** Every problem found, one line each; empty if the files agree. */
    static List<String> compare(TensorFile expected, TensorFile actual, double atol, double rtol) {
        List<String> problems = new ArrayList<>();
        Map<String, TensorData> want = expected.tensors();
        Map<String, TensorData> got = actual.tensors();
        for (String k : want.keySet()) {
            if (!got.containsKey(k)) problems.add("missing tensor " + k);
        }
        for (String k : got.keySet()) {
            if (!want.containsKey(k)) problems.add("unexpected tensor " + k);
        }
        for (Map.Entry<String, TensorData> e : want.entrySet()) {
            String k = e.getKey();
            TensorData w = e.getValue();
            TensorData g = got.get(k);
            if (g == null) continue;
            if (!Arrays.equals(w.shape(), g.shape())) {
                problems.add(k + ": shape " + Arrays.toString(g.shape()) + ", expected " + Arrays.toString(w.shape()));
                continue;
            }
            String worst = worstElement(k, w.shape(), w.asDoubles(), g.asDoubles(), atol, rtol);
            if (worst != null) problems.add(worst);
        }
        return problems;
    }

    /** Describes the element furthest outside the tolerance, or returns null if all are within. */
    static String worstElement(String name, int[] shape, double[] want, double[] got, double atol, double rtol) {
        int worst = -1;
        double worstRatio = 1;
        int bad = 0;
        for (int i = 0; i < want.length; i++) {
            double tol = atol + rtol * Math.abs(want[i]);
            double diff = Math.abs(got[i] - want[i]);
            // NaN, or an infinity where a finite value was expected, is the worst possible
            double ratio = Double.isNaN(diff) || Double.isInfinite(diff) ? Double.POSITIVE_INFINITY : diff / tol;
            if (got[i] == want[i]) ratio = 0; // equal infinities
            if (ratio > 1) {
                bad++;
                if (worst < 0 || ratio > worstRatio) {
                    worst = i;
                    worstRatio = ratio;
                }
            }
        }
        if (worst < 0) return null;
        double tol = atol + rtol * Math.abs(want[worst]);
        return name + " " + Arrays.toString(shape) + ": " + bad + " of " + want.length
                + " element(s) out of tolerance; worst at " + index(shape, worst)
                + ": got " + got[worst] + ", expected " + want[worst]
                + ", |diff| " + Math.abs(got[worst] - want[worst]) + " > tol " + tol;
    }

    /** The multi-index of a row-major flat index, e.g. {@code [1, 2] (flat 5)}. */
    static String index(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        int rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) break;
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        return Arrays.toString(idx) + " (flat " + flat + ")";
    }
}
