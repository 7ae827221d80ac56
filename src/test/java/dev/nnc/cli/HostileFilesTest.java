package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import dev.nnc.train.TrainJob;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file a user hands to nnc, whatever its bytes: exit 1, the cause on one line that names
 * the file (for a source, its diagnostics, each at {@code file:line:col}), no stack trace, and
 * nothing written. One test per kind of file: sources, safetensors inputs, safetensors
 * parameters (eval and predict), CSV data (train, its --stats-data, predict) and the training
 * metadata inside a parameters file. The source-level edge cases of the compiler itself are in
 * {@code dev.nnc.fuzz.HostileInputsTest}; this class runs the command line, in its own package
 * because the fuzz tests' JVM carries Jazzer's agent, which writes to stderr.
 */
class HostileFilesTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private static final String MODEL = CliTest.MODEL;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ what every failure must look like

    /** Runs nnc; it must fail with one line on stderr that names {@code file}, and leave {@code outputs} absent. */
    private Cli.Run fails(Path file, List<Path> outputs, String... args) {
        Cli.Run r = assertTimeoutPreemptively(BOUND, () -> Cli.run(args), "no hang");
        String what = "nnc " + String.join(" ", args) + "\n" + r.all();
        assertEquals(Main.USER_ERROR, r.code(), what);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat ") || r.err().contains("Error:"), "a stack trace: " + what);
        assertTrue(r.err().startsWith("nnc: " + file), "the cause names " + file + ": " + what);
        assertEquals(1, r.err().lines().count(), "one line: " + what);
        for (Path out : outputs) assertFalse(Files.exists(out), out + " was written: " + what);
        return r;
    }

    /** A source that does not compile: every diagnostic at file:line:col, no stack trace, nothing written. */
    private void sourceFails(Path file, List<Path> outputs, String... args) {
        Cli.Run r = assertTimeoutPreemptively(BOUND, () -> Cli.run(args), "no hang");
        String what = "nnc " + String.join(" ", args) + "\n" + r.all();
        assertEquals(Main.USER_ERROR, r.code(), what);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "a stack trace: " + what);
        assertTrue(r.err().startsWith(file + ":1:") || r.err().matches("(?s)" + java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: error\\[E\\d+].*"),
                "file:line:col: " + what);
        for (Path out : outputs) assertFalse(Files.exists(out), out + " was written: " + what);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path write(String name, String text) throws Exception {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** safetensors bytes: the 8-byte little-endian length, the header, the data. */
    private static byte[] st(long headerLength, byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] st(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return st(h.length, h, new byte[dataBytes]);
    }

    /** Malformed safetensors files, by what is wrong with them. */
    private static Map<String, byte[]> hostileSafetensors() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("empty", new byte[0]);
        m.put("shorter than the length prefix", new byte[] {1, 2, 3});
        m.put("a header length of 2^63", st(Long.MIN_VALUE, new byte[0], new byte[0]));
        m.put("a header length past the end", st(1_000_000, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]));
        m.put("a header nested 300,000 levels deep", st("{\"__metadata__\": " + "[".repeat(300_000) + "]".repeat(300_000) + "}", 0));
        m.put("a header that is not UTF-8", st(3, new byte[] {'{', (byte) 0xff, '}'}, new byte[0]));
        m.put("a header that is not JSON", st("{\"x\": {\"dtype\": F32}}", 0));
        m.put("truncated data", st("{\"x\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[0,16]}}", 8));
        m.put("an unknown dtype", st("{\"x\":{\"dtype\":\"Q7\",\"shape\":[1,2],\"data_offsets\":[0,16]}}", 16));
        m.put("a shape that does not fit the data", st("{\"x\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[0,16]}}", 16));
        m.put("a shape of 2^62 elements", st("{\"x\":{\"dtype\":\"F64\",\"shape\":[2147483648,2147483648],\"data_offsets\":[0,16]}}", 16));
        m.put("garbage", "PK\u0003\u0004 this is a zip file, not safetensors".getBytes(StandardCharsets.ISO_8859_1));
        return m;
    }

    private static byte[] tensors(Map<String, TensorData> t, Map<String, String> metadata) throws Exception {
        Path tmp = Files.createTempFile("nnc", ".safetensors");
        try {
            SafeTensors.write(tmp, new TensorFile(t, metadata));
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ------------------------------------------------------------------ sources

    @Test
    void sources() throws Exception {
        Path csv = write("d.csv", "a,b,y\n1,2,3\n4,5,6\n");
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("nesting 100,000 deep", ("model M {\n    input x : [2]\n    output y = " + "(".repeat(100_000) + "x" + ")".repeat(100_000) + "\n}\n")
                .getBytes(StandardCharsets.UTF_8));
        bad.put("bytes that are not UTF-8", new byte[] {'m', 'o', 'd', 'e', 'l', ' ', (byte) 0xc3, (byte) 0x28, ' ', '{', '}', '\n'});
        bad.put("binary", new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 0x7f, '\n', 0});
        bad.put("truncated", MODEL.substring(0, MODEL.length() / 2).getBytes(StandardCharsets.UTF_8));
        bad.put("17 M characters", ("// " + "x".repeat(17 << 20)).getBytes(StandardCharsets.UTF_8));
        int i = 0;
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Path src = write("bad" + i++ + ".nn", e.getValue());
            Path out = dir.resolve("out" + i);
            sourceFails(src, List.of(out), "check", src.toString());
            sourceFails(src, List.of(out), "compile", src.toString(), "-d", out.toString());
            sourceFails(src, List.of(out), "eval", src.toString(), "--inputs", "none.safetensors", "--out", out.toString());
            sourceFails(src, List.of(out), "train", src.toString(), "--data", csv.toString(), "--save", out.toString(), "--progress", "none");
        }
        Path missing = dir.resolve("missing.nn");
        fails(missing, List.of(), "check", missing.toString());
        fails(missing, List.of(), "train", missing.toString(), "--data", csv.toString());
    }

    // ------------------------------------------------------------------ safetensors: inputs and parameters

    @Test
    void safetensorsInputs() throws Exception {
        Path model = write("affine.nn", MODEL);
        Path out = dir.resolve("out.safetensors");
        for (Map.Entry<String, byte[]> e : hostileSafetensors().entrySet()) {
            Path in = write("in.safetensors", e.getValue());
            fails(in, List.of(out), "eval", model.toString(), "--inputs", in.toString(), "--out", out.toString());
        }
        // well-formed files that do not fit the model
        Map<String, Map<String, TensorData>> misfits = new LinkedHashMap<>();
        misfits.put("a missing input", Map.of("x", TensorData.f64(new int[] {1, 2}, new double[2])));
        misfits.put("a wrong shape", Map.of("x", TensorData.f64(new int[] {1, 3}, new double[3]),
                "y", TensorData.f64(new int[] {1, 1}, new double[1])));
        misfits.put("dims that disagree", Map.of("x", TensorData.f64(new int[] {2, 2}, new double[4]),
                "y", TensorData.f64(new int[] {3, 1}, new double[3])));
        for (Map<String, TensorData> t : misfits.values()) {
            Path in = write("in.safetensors", tensors(new LinkedHashMap<>(t), Map.of()));
            fails(in, List.of(out), "eval", model.toString(), "--inputs", in.toString(), "--out", out.toString());
        }
    }

    @Test
    void safetensorsParameters() throws Exception {
        Path model = write("affine.nn", MODEL);
        Path in = write("in.safetensors", tensors(new LinkedHashMap<>(Map.of("x", TensorData.f64(new int[] {1, 2}, new double[2]),
                "y", TensorData.f64(new int[] {1, 1}, new double[1]))), Map.of()));
        Path csv = write("test.csv", "a,b\n1,2\n");
        Path out = dir.resolve("out.safetensors");
        Path predictions = dir.resolve("predictions.csv");
        List<byte[]> bad = new ArrayList<>(hostileSafetensors().values());
        bad.add(tensors(new LinkedHashMap<>(Map.of("w", TensorData.f64(new int[] {3, 1}, new double[3]))), Map.of())); // wrong shape
        bad.add(tensors(new LinkedHashMap<>(Map.of("w", TensorData.i64(new int[] {2, 1}, new long[2]))), Map.of()));   // wrong dtype
        for (byte[] bytes : bad) {
            Path params = write("p.safetensors", bytes);
            fails(params, List.of(out), "eval", model.toString(), "--inputs", in.toString(), "--params", params.toString(), "--out", out.toString());
            fails(params, List.of(predictions), "predict", model.toString(), "--params", params.toString(), "--data", csv.toString(),
                    "--out", predictions.toString());
        }
    }

    // ------------------------------------------------------------------ the training metadata of a parameters file

    @Test
    void savedMetadata() throws Exception {
        Path model = write("affine.nn", MODEL);
        Path csv = write("test.csv", "a,b\n1,2\n");
        Path out = dir.resolve("predictions.csv");
        Map<String, TensorData> params = new LinkedHashMap<>();
        params.put("w", TensorData.f32(new int[] {2, 1}, new float[2]));
        params.put("b", TensorData.f32(new int[] {1}, new float[1]));
        String prep = "\"preprocessing\": {\"na_values\": [], \"columns\": [{\"name\": \"a\", \"kind\": \"numeric\", \"mean\": 0, \"std\": 1},"
                + " {\"name\": \"b\", \"kind\": \"numeric\", \"mean\": 0, \"std\": 1}]}";
        List<String> metadata = List.of(
                "{\"targets\": " + "[".repeat(300_000) + "]".repeat(300_000) + ", " + prep + "}", // the crash of issue 18
                "{" + prep + ", \"targets\": [{\"scale\": {\"mean\": [\"12\"], \"std\": [1]}}]}",
                "{\"preprocessing\": {\"na_values\": [], \"columns\": [{\"name\": \"a\", \"kind\": \"numeric\", \"mean\": 0, \"std\": 0}]}}",
                "{" + prep + ", \"model\": 5}",
                "not JSON at all",
                "{" + prep.replace("\"b\"", "\"c\"") + "}"); // a column the data does not have
        for (String text : metadata) {
            Path p = write("p.safetensors", tensors(params, Map.of(dev.nnc.train.SavedMetadata.KEY, text)));
            // a saved column the data lacks is the data's fault; everything else the parameters file's
            Path blamed = text.contains("\"c\"") ? csv : p;
            fails(blamed, List.of(out), "predict", model.toString(), "--params", p.toString(), "--data", csv.toString(), "--out", out.toString());
        }
        Path none = write("p.safetensors", tensors(params, Map.of()));
        fails(none, List.of(out), "predict", model.toString(), "--params", none.toString(), "--data", csv.toString(), "--out", out.toString());
    }

    // ------------------------------------------------------------------ CSV

    @Test
    void csvData() throws Exception {
        Path model = write("affine.nn", MODEL);
        Path good = write("good.csv", "a,b,y\n1,2,3\n4,5,6\n");
        Path saved = dir.resolve("p.safetensors");
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("empty", new byte[0]);
        bad.put("not UTF-8", "a,b,y\n1,\u00ff,3\n".getBytes(StandardCharsets.ISO_8859_1));
        bad.put("an unclosed quote", "a,b,y\n\"1,2,3\n".getBytes(StandardCharsets.UTF_8));
        bad.put("a ragged row", "a,b,y\n1,2,3,4\n".getBytes(StandardCharsets.UTF_8));
        bad.put("text in a numeric target", "a,b,y\n1,2,x\n".getBytes(StandardCharsets.UTF_8));
        bad.put("a number beyond double", "a,b,y\n1,2,1e400\n".getBytes(StandardCharsets.UTF_8));
        bad.put("a field of 1,000,000 quotes and no close", ("a,b,y\n\"" + "\"\"".repeat(500_000)).getBytes(StandardCharsets.UTF_8));
        bad.put("binary", new byte[] {0, 0, 0, 1, (byte) 0x89, 'P', 'N', 'G'});
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Path csv = write("bad.csv", e.getValue());
            fails(csv, List.of(saved), "train", model.toString(), "--data", csv.toString(), "--target", "y", "--save", saved.toString(),
                    "--progress", "none");
            if (!List.of("text in a numeric target", "a number beyond double").contains(e.getKey())) {
                // --stats-data reads only the feature columns: its target and extra columns may be anything
                fails(csv, List.of(saved), "train", model.toString(), "--data", good.toString(), "--stats-data", csv.toString(),
                        "--target", "y", "--save", saved.toString(), "--progress", "none");
            }
        }
        // a good training run, then predict on hostile rows
        Cli.Run trained = Cli.run("train", model.toString(), "--data", good.toString(), "--target", "y", "--epochs", "1", "--save",
                saved.toString(), "--progress", "none");
        assertEquals(0, trained.code(), trained.all());
        Path out = dir.resolve("predictions.csv");
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            if (e.getKey().equals("text in a numeric target") || e.getKey().equals("a number beyond double")) {
                continue; // predict ignores the target column
            }
            Path csv = write("bad.csv", e.getValue());
            fails(csv, List.of(out), "predict", model.toString(), "--params", saved.toString(), "--data", csv.toString(), "--out", out.toString());
        }
        Path textFeature = write("bad.csv", "a,b\n1,x\n");
        fails(textFeature, List.of(out), "predict", model.toString(), "--params", saved.toString(), "--data", textFeature.toString(),
                "--out", out.toString());
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary files left");
        }
    }
}
