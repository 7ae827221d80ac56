package dev.nnc.io;

import static dev.nnc.io.StBytes.bytes;
import static dev.nnc.io.StBytes.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exact bytes written, and files laid out as the reference (Python/Rust) implementation writes them. */
class SafeTensorsFormatTest {

    @Test
    void smallFileIsByteExact() {
        TensorFile f = TensorFile.builder()
                .metadata("format", "nnc")
                .tensor("w", TensorData.f32(new int[] {2}, new float[] {1.0f, -2.0f}))
                .tensor("n", TensorData.i32(new int[0], new int[] {7}))
                .build();
        String json = "{\"__metadata__\":{\"format\":\"nnc\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"n\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        assertEquals(139, json.length()); // counted by hand: 33 + 56 + 50
        byte[] expected = concat(
                bytes(144, 0, 0, 0, 0, 0, 0, 0),            // 139 + 5 spaces = 144 = 0x90, little-endian u64
                json.getBytes(StandardCharsets.US_ASCII),
                bytes(' ', ' ', ' ', ' ', ' '),
                bytes(0x00, 0x00, 0x80, 0x3F),              // 1.0f  = 0x3F800000
                bytes(0x00, 0x00, 0x00, 0xC0),              // -2.0f = 0xC0000000
                bytes(0x07, 0x00, 0x00, 0x00));             // 7
        assertArrayEquals(expected, SafeTensors.toBytes(f));
    }

    @Test
    void f64AndI64AreLittleEndian() {
        TensorFile f = TensorFile.builder()
                .tensor("a", TensorData.f64(new int[] {1}, new double[] {1.0}))
                .tensor("b", TensorData.i64(new int[] {1}, new long[] {-2}))
                .build();
        byte[] bytes = SafeTensors.toBytes(f);
        byte[] data = java.util.Arrays.copyOfRange(bytes, bytes.length - 16, bytes.length);
        assertArrayEquals(concat(
                bytes(0, 0, 0, 0, 0, 0, 0xF0, 0x3F),                  // 1.0 = 0x3FF0000000000000
                bytes(0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)), // -2
                data);
        assertEquals(0, (bytes.length - 16) % 8, "data starts 8-byte aligned");
    }

    /**
     * What {@code safetensors.numpy.save(..., metadata={"format": "pt"})} produces: compact JSON
     * with "__metadata__" first, tensors sorted by dtype size then name with consecutive offsets,
     * non-ASCII names as raw UTF-8, header padded with spaces to a multiple of 8.
     */
    @Test
    void readsReferenceLayoutWithPadding() throws Exception {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"emb\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"w\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[16,32]},"
                + "\"bé\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[32,44]},"
                + "\"step\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[44,48]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        assertEquals(259, header.length);
        byte[] file = concat(
                StBytes.u64(264),
                header, bytes(' ', ' ', ' ', ' ', ' '),
                StBytes.i64(3, -1),
                StBytes.f64(0.5, -1e-300),
                StBytes.f32(1f, 2f, Float.NaN),
                StBytes.i32(123456));
        TensorFile f = SafeTensors.read(file, "ref.safetensors");
        assertEquals(Map.of("format", "pt"), f.metadata());
        assertEquals(List.of("emb", "w", "bé", "step"), List.copyOf(f.tensors().keySet()));
        assertEquals(TensorData.i64(new int[] {2}, new long[] {3, -1}), f.tensors().get("emb"));
        assertEquals(TensorData.f64(new int[] {1, 2}, new double[] {0.5, -1e-300}), f.tensors().get("w"));
        assertEquals(TensorData.f32(new int[] {3}, new float[] {1, 2, Float.NaN}), f.tensors().get("bé"));
        assertEquals(TensorData.i32(new int[0], new int[] {123456}), f.tensors().get("step"));
        // Writing it back in the same order reproduces the reference bytes exactly.
        assertArrayEquals(file, SafeTensors.toBytes(f));
    }

    /**
     * The exact bytes that safetensors 0.8 ({@code safetensors.numpy.save_file}) wrote for six
     * tensors, including an empty one and a name with a quote, a backslash and a newline, and
     * metadata with escapes. The header happens to be 400 bytes, a multiple of 8, so it has no
     * padding. Reading and rewriting it reproduces it byte for byte.
     */
    @Test
    void readsFileWrittenByPythonSafetensors() throws Exception {
        String json = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"é\\n\\\"x\\\"\"},"
                + "\"emb\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"w\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[16,32]},"
                + "\"bé\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[32,44]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[44,44]},"
                + "\"q\\\"\\\\\\n\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[44,48]},"
                + "\"step\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[48,52]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        assertEquals(400, header.length);
        byte[] file = concat(bytes(0x90, 0x01, 0, 0, 0, 0, 0, 0), header, java.util.HexFormat.of().parseHex(
                "0300000000000000ffffffffffffffff000000000000e03f59f3f8c21f6ea581"
                + "0000803f000000400000c07f0700000040e20100"));
        TensorFile f = SafeTensors.read(file, "python.safetensors");
        assertEquals(Map.of("format", "pt", "note", "é\n\"x\""), f.metadata());
        assertEquals(List.of("emb", "w", "bé", "empty", "q\"\\\n", "step"), List.copyOf(f.tensors().keySet()));
        assertEquals(TensorData.f64(new int[] {1, 2}, new double[] {0.5, -1e-300}), f.tensors().get("w"));
        assertEquals(TensorData.f32(new int[] {0, 3}, new float[0]), f.tensors().get("empty"));
        assertEquals(TensorData.i32(new int[] {1}, new int[] {7}), f.tensors().get("q\"\\\n"));
        assertArrayEquals(file, SafeTensors.toBytes(f));
    }

    @Test
    void toleratesUnpaddedHeaderExtraWhitespaceEscapesAndMetadataAnywhere() throws Exception {
        String json = "\n{ \"x\" : {\"shape\": [ 2 ], \"data_offsets\": [0, 8], \"dtype\": \"I32\"},\r\n"
                + "\t\"__metadata__\": {\"k\\u00e9y\": \"v\\n\\ud83d\\ude00\"}, \"\\u0041\": {\"dtype\": \"F32\","
                + " \"shape\": [], \"data_offsets\": [8, 12]} }" + " ".repeat(11);
        TensorFile f = SafeTensors.read(StBytes.file(json, concat(StBytes.i32(1, 2), StBytes.f32(3f))), "loose");
        assertEquals(Map.of("kéy", "v\n😀"), f.metadata());
        assertEquals(List.of("x", "A"), List.copyOf(f.tensors().keySet()));
        assertEquals(TensorData.f32(new int[0], new float[] {3}), f.tensors().get("A"));
    }

    @Test
    void nullMetadataIsNoMetadataAndTensorsMayBeOutOfOffsetOrder() throws Exception {
        String json = "{\"__metadata__\":null,"
                + "\"second\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"empty\":{\"dtype\":\"F64\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
                + "\"first\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        TensorFile f = SafeTensors.read(StBytes.padded(json, StBytes.i32(10, 20)), "order");
        assertEquals(Map.of(), f.metadata());
        assertEquals(List.of("second", "empty", "first"), List.copyOf(f.tensors().keySet()));
        assertArrayEquals(new long[] {20}, f.tensors().get("second").asLongs());
        assertArrayEquals(new long[] {10}, f.tensors().get("first").asLongs());
        assertEquals(0, f.tensors().get("empty").numel());
    }
}
