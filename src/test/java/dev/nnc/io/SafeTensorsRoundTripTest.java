package dev.nnc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {

    @TempDir
    Path dir;

    private static TensorFile roundTrip(TensorFile f) throws Exception {
        byte[] bytes = SafeTensors.toBytes(f);
        TensorFile back = SafeTensors.read(bytes, "mem");
        assertEquals(f, back);
        assertEquals(List.copyOf(f.tensors().keySet()), List.copyOf(back.tensors().keySet()));
        assertEquals(List.copyOf(f.metadata().keySet()), List.copyOf(back.metadata().keySet()));
        assertArrayEquals(bytes, SafeTensors.toBytes(back), "re-serializing gives the same bytes");
        return back;
    }

    @Test
    void everyDtypeWithExtremeValues() throws Exception {
        roundTrip(TensorFile.builder()
                .tensor("f64", TensorData.f64(new int[] {2, 3}, new double[] {
                    0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NEGATIVE_INFINITY, Double.NaN}))
                .tensor("f32", TensorData.f32(new int[] {5}, new float[] {
                    1.5f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY}))
                .tensor("i64", TensorData.i64(new int[] {3}, new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}))
                .tensor("i32", TensorData.i32(new int[] {1, 3}, new int[] {Integer.MIN_VALUE, -1, Integer.MAX_VALUE}))
                .build());
    }

    @Test
    void scalarsOfEveryDtype() throws Exception {
        TensorFile back = roundTrip(TensorFile.builder()
                .tensor("a", TensorData.f64(new int[0], new double[] {Math.PI}))
                .tensor("b", TensorData.f32(new int[0], new float[] {2.5f}))
                .tensor("c", TensorData.i64(new int[0], new long[] {-42}))
                .tensor("d", TensorData.i32(new int[0], new int[] {42}))
                .build());
        assertEquals(0, back.tensor("a").orElseThrow().rank());
        assertEquals(1, back.tensor("d").orElseThrow().numel());
    }

    @Test
    void emptyTensorsAndEmptyFile() throws Exception {
        roundTrip(TensorFile.builder()
                .tensor("e64", TensorData.f64(new int[] {0}, new double[0]))
                .tensor("x", TensorData.i32(new int[] {2}, new int[] {1, 2}))
                .tensor("e32", TensorData.f32(new int[] {3, 0, 2}, new float[0]))
                .tensor("ei", TensorData.i64(new int[] {0, 5}, new long[0]))
                .build());
        TensorFile empty = TensorFile.builder().build();
        byte[] bytes = SafeTensors.toBytes(empty);
        assertArrayEquals(StBytes.concat(StBytes.u64(8), "{}      ".getBytes()), bytes);
        roundTrip(empty);
    }

    @Test
    void metadataAndUnusualNames() throws Exception {
        roundTrip(TensorFile.builder()
                .metadata("format", "pt")
                .metadata("note", "quote \" backslash \\ newline \n tab \t nul \u0000 é 😀")
                .metadata("", "")
                .tensor("layer.0/weight", TensorData.f32(new int[] {1}, new float[] {1}))
                .tensor("ünïcödé 😀", TensorData.f32(new int[] {1}, new float[] {2}))
                .tensor("", TensorData.i32(new int[] {1}, new int[] {3}))
                .tensor("\"\\\u0001", TensorData.i32(new int[] {1}, new int[] {4}))
                .build());
        roundTrip(new TensorFile(Map.of(), Map.of("only", "metadata")));
    }

    @Test
    void orderIsInsertionOrderAndOutputDeterministic() throws Exception {
        List<String> names = new ArrayList<>();
        TensorFile.Builder b = TensorFile.builder();
        for (int i = 0; i < 20; i++) {
            String name = "t" + ((i * 7) % 20);
            names.add(name);
            b.tensor(name, TensorData.i64(new int[] {1}, new long[] {i}));
        }
        TensorFile f = b.build();
        TensorFile back = roundTrip(f);
        assertEquals(names, List.copyOf(back.tensors().keySet()));
        assertArrayEquals(SafeTensors.toBytes(f), SafeTensors.toBytes(b.build()));
    }

    @Test
    void largeTensorCrossesIoChunks() throws Exception {
        int n = 100_003; // several 64 KiB chunks, not a multiple of the chunk
        double[] d = new double[n];
        float[] f = new float[n];
        int[] k = new int[n];
        for (int i = 0; i < n; i++) {
            d[i] = Math.sin(i) * 1e300;
            f[i] = (float) Math.cos(i);
            k[i] = i * 31 - n;
        }
        TensorFile file = TensorFile.builder()
                .tensor("d", TensorData.f64(new int[] {n}, d))
                .tensor("f", TensorData.f32(new int[] {n}, f))
                .tensor("k", TensorData.i32(new int[] {n}, k))
                .build();
        roundTrip(file);
        Path p = dir.resolve("big.safetensors");
        SafeTensors.write(p, file);
        assertEquals(file, SafeTensors.read(p));
        assertArrayEquals(SafeTensors.toBytes(file), Files.readAllBytes(p));
    }

    @Test
    void writeAndReadThroughFiles() throws Exception {
        TensorFile f = TensorFile.builder()
                .metadata("k", "v")
                .tensor("w", TensorData.f32(new int[] {2, 2}, new float[] {1, 2, 3, 4}))
                .build();
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, f);
        assertEquals(f, SafeTensors.read(p));
        // Overwriting replaces the file.
        TensorFile g = TensorFile.of(Map.of("s", TensorData.i64(new int[0], new long[] {9})));
        SafeTensors.write(p, g);
        assertEquals(g, SafeTensors.read(p));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList(), "no temporary files left");
        }
        // A relative path works too (its parent is the working directory).
        Path rel = Path.of("target", "rel-" + System.nanoTime() + ".safetensors");
        try {
            SafeTensors.write(rel, g);
            assertEquals(g, SafeTensors.read(rel));
        } finally {
            Files.deleteIfExists(rel);
        }
    }
}
