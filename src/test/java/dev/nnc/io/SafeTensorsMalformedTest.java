package dev.nnc.io;

import static dev.nnc.io.StBytes.bytes;
import static dev.nnc.io.StBytes.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per kind of malformed input, checking the whole error message. */
class SafeTensorsMalformedTest {

    private static final String NAME = "bad.safetensors";

    /** The message of the SafeTensorsException that reading {@code bytes} throws, without the file name. */
    private static String error(byte[] bytes) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(bytes, NAME));
        assertEquals(NAME, e.source());
        assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        return e.getMessage().substring(NAME.length() + 2);
    }

    /** Error for a header (unpadded) followed by {@code dataLength} zero bytes. */
    private static String error(String header, int dataLength) {
        return error(StBytes.file(header, new byte[dataLength]));
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
                + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static void assertMessage(String expected, String actual) {
        assertEquals(expected, actual);
    }

    // ------------------------------------------------------------------ prefix

    @Test
    void fileShorterThanLengthPrefix() {
        assertMessage("file is 5 bytes, shorter than the 8-byte header length at its start", error(new byte[5]));
        assertMessage("file is 0 bytes, shorter than the 8-byte header length at its start", error(new byte[0]));
    }

    @Test
    void headerLengthAbsurd() {
        assertMessage("header length 200000000 is larger than the 100000000-byte limit (is this a safetensors file?)",
                error(concat(StBytes.u64(200_000_000), "{}".getBytes())));
    }

    @Test
    void headerLengthWithHighBitSetIsUnsigned() {
        assertMessage("header length 18446744073709551615 is larger than the 100000000-byte limit"
                + " (is this a safetensors file?)", error(StBytes.u64(-1)));
    }

    @Test
    void headerLengthLargerThanFile() {
        assertMessage("header length 100 is larger than the 2 bytes that follow the length prefix (file truncated?)",
                error(concat(StBytes.u64(100), "{}".getBytes())));
    }

    // ------------------------------------------------------------------ header text

    @Test
    void headerNotUtf8() {
        byte[] header = concat("{\"a".getBytes(), bytes(0xFF), "\":1}".getBytes());
        assertMessage("header is not valid UTF-8: invalid byte sequence at header byte 3 (file offset 11, byte 0xFF)",
                error(StBytes.file(header, new byte[0])));
    }

    @Test
    void headerWithOverlongUtf8() {
        byte[] header = concat("{\"".getBytes(), bytes(0xC0, 0x80), "\":1}".getBytes());
        assertMessage("header is not valid UTF-8: invalid byte sequence at header byte 2 (file offset 10, byte 0xC0)",
                error(StBytes.file(header, new byte[0])));
    }

    @Test
    void headerNotJson() {
        assertMessage("header is not valid JSON: expected ',' or '}' after object member, found '\"' (at header byte 20)",
                error("{\"a\":{\"dtype\":\"F32\" \"shape\":[]}}", 0));
    }

    @Test
    void jsonErrorOffsetCountsUtf8Bytes() {
        // "é" is 2 bytes, "€" 3: the stray '}' is at character 9 but byte 12.
        assertMessage("header is not valid JSON: expected a value, found '}' (at header byte 12)",
                error("{\"é€\":[1,}]}", 0));
    }

    @Test
    void truncatedJson() {
        assertMessage("header is not valid JSON: unexpected end of text, expected a value (at header byte 5)",
                error("{\"a\":", 0));
    }

    @Test
    void emptyHeader() {
        assertMessage("header is not valid JSON: unexpected end of text, expected a value (at header byte 0)",
                error("", 0));
    }

    @Test
    void garbageAfterJson() {
        assertMessage("header is not valid JSON: unexpected 'x' after the end of the JSON value (at header byte 3)",
                error("{} x", 0));
        assertMessage("header is not valid JSON: unexpected U+0000 after the end of the JSON value (at header byte 2)",
                error("{}\0\0\0\0\0\0", 0));
    }

    @Test
    void headerNotAnObject() {
        assertMessage("header must be a JSON object, found an array (at header byte 0)", error("[]", 0));
    }

    // ------------------------------------------------------------------ entries

    @Test
    void entryNotAnObject() {
        assertMessage("tensor \"w\": expected an object with \"dtype\", \"shape\" and \"data_offsets\", found a string"
                + " (at header byte 5)", error("{\"w\":\"F32\"}", 0));
    }

    @Test
    void missingDtype() {
        assertMessage("tensor \"w\": missing \"dtype\" (at header byte 5)",
                error("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
    }

    @Test
    void missingShape() {
        assertMessage("tensor \"w\": missing \"shape\" (at header byte 5)",
                error("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4));
    }

    @Test
    void missingDataOffsets() {
        assertMessage("tensor \"w\": missing \"data_offsets\" (at header byte 5)",
                error("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4));
    }

    @Test
    void unknownField() {
        assertMessage("tensor \"w\": unknown field \"data_offset\" (expected \"dtype\", \"shape\", \"data_offsets\")"
                + " (at header byte 32)",
                error("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offset\":[0,4]}}", 4));
    }

    @Test
    void duplicateField() {
        assertMessage("tensor \"w\": duplicate field \"dtype\" (at header byte 20)",
                error("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
    }

    @Test
    void dtypeNotAString() {
        assertMessage("tensor \"w\": \"dtype\" must be a string, found a number (at header byte 14)",
                error("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "U8", "BOOL", "I8", "U64", "F8_E4M3"})
    void unsupportedDtype(String dtype) {
        assertMessage("tensor \"w\": unsupported dtype \"" + dtype + "\"; nnc supports F64, F32, I64, I32"
                + " (at header byte 14)", error("{" + entry("w", dtype, "[1]", 0, 2) + "}", 2));
    }

    @Test
    void unknownDtype() {
        assertMessage("tensor \"w\": unsupported dtype \"f32\" (not a safetensors dtype); nnc supports F64, F32,"
                + " I64, I32 (at header byte 14)", error("{" + entry("w", "f32", "[1]", 0, 4) + "}", 4));
    }

    @Test
    void shapeNotAnArray() {
        assertMessage("tensor \"w\": \"shape\" must be an array, found a number (at header byte 28)",
                error("{\"w\":{\"dtype\":\"F32\",\"shape\":3,\"data_offsets\":[0,12]}}", 12));
    }

    @Test
    void shapeWithNonInteger() {
        assertMessage("tensor \"w\": \"shape\" must contain integers, found 1.5 (at header byte 29)",
                error("{" + entry("w", "F32", "[1.5]", 0, 4) + "}", 4));
        assertMessage("tensor \"w\": \"shape\" must contain integers, found a string (at header byte 29)",
                error("{" + entry("w", "F32", "[\"2\"]", 0, 8) + "}", 8));
        assertMessage("tensor \"w\": \"shape\" must contain integers, found 2e0 (at header byte 29)",
                error("{" + entry("w", "F32", "[2e0]", 0, 8) + "}", 8));
    }

    @Test
    void negativeDimension() {
        assertMessage("tensor \"w\": negative dimension -2 in \"shape\" (at header byte 31)",
                error("{" + entry("w", "F32", "[3,-2]", 0, 0) + "}", 0));
    }

    @Test
    void dimensionTooLargeForInt() {
        assertMessage("tensor \"w\": dimension 3000000000 in \"shape\" is too large (nnc supports at most 2147483647)"
                + " (at header byte 29)", error("{" + entry("w", "F32", "[3000000000]", 0, 0) + "}", 0));
        assertMessage("tensor \"w\": \"shape\" must contain integers, found 99999999999999999999999 (out of range)"
                + " (at header byte 29)", error("{" + entry("w", "F32", "[99999999999999999999999]", 0, 0) + "}", 0));
    }

    @Test
    void elementCountTooLargeForInt() {
        assertMessage("tensor \"w\": shape [65536, 65536] has 4294967296 elements; nnc supports at most 2147483647"
                + " (at header byte 5)", error("{" + entry("w", "I32", "[65536,65536]", 0, 4) + "}", 4));
    }

    @Test
    void dataOffsetsNotTwoNonNegativeIntegers() {
        assertMessage("tensor \"w\": \"data_offsets\" must be an array [begin, end], found an object"
                + " (at header byte 47)", error("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{}}}", 4));
        assertMessage("tensor \"w\": \"data_offsets\" must have 2 elements [begin, end], found 1"
                + " (at header byte 47)", error("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", 4));
        assertMessage("tensor \"w\": \"data_offsets\" must have 2 elements [begin, end], found more"
                + " (at header byte 52)", error("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4));
        assertMessage("tensor \"w\": negative offset -4 in \"data_offsets\" (at header byte 48)",
                error("{" + entry("w", "F32", "[1]", -4, 0) + "}", 4));
        assertMessage("tensor \"w\": \"data_offsets\" must contain integers, found null (at header byte 50)",
                error("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,null]}}", 4));
    }

    @Test
    void dataOffsetsReversed() {
        assertMessage("tensor \"w\": data_offsets [8, 4] are reversed (begin > end) (at header byte 5)",
                error("{" + entry("w", "F32", "[1]", 8, 4) + "}", 8));
    }

    @Test
    void dataOffsetsPastEndOfData() {
        assertMessage("tensor \"w\": data_offsets [0, 100] extend past the end of the data section (40 bytes)"
                + " (at header byte 5)", error("{" + entry("w", "I32", "[25]", 0, 100) + "}", 40));
    }

    @Test
    void hugeClaimedSizeIsRejectedWithoutAllocating() {
        assertMessage("tensor \"w\": data_offsets [0, 17179869176] extend past the end of the data section"
                + " (8 bytes) (at header byte 5)",
                error("{" + entry("w", "F64", "[2147483647]", 0, 17179869176L) + "}", 8));
    }

    @Test
    void dataOffsetsLengthDisagreesWithShape() {
        assertMessage("tensor \"w\": data_offsets [0, 20] span 20 bytes, but shape [2, 3] of F32 needs 24 bytes"
                + " (6 elements of 4 bytes) (at header byte 5)", error("{" + entry("w", "F32", "[2,3]", 0, 20) + "}", 20));
        assertMessage("tensor \"s\": data_offsets [0, 8] span 8 bytes, but shape [] of I32 needs 4 bytes"
                + " (1 elements of 4 bytes) (at header byte 5)", error("{" + entry("s", "I32", "[]", 0, 8) + "}", 8));
    }

    // ------------------------------------------------------------------ layout

    @Test
    void overlappingTensors() {
        assertMessage("tensors \"a\" (data_offsets [0, 16]) and \"b\" (data_offsets [8, 24]) overlap",
                error("{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 8, 24) + "}", 24));
    }

    @Test
    void sameRegionTwice() {
        assertMessage("tensors \"a\" (data_offsets [0, 8]) and \"b\" (data_offsets [0, 8]) overlap",
                error("{" + entry("a", "F64", "[1]", 0, 8) + "," + entry("b", "I64", "[1]", 0, 8) + "}", 8));
    }

    @Test
    void gapBetweenTensors() {
        assertMessage("4 unused bytes between tensor \"a\" (ends at 4) and tensor \"b\" (begins at 8)",
                error("{" + entry("b", "I32", "[1]", 8, 12) + "," + entry("a", "I32", "[1]", 0, 4) + "}", 12));
    }

    @Test
    void gapBeforeFirstTensor() {
        assertMessage("data section begins with 4 unused bytes before tensor \"a\" (data_offsets [4, 8])",
                error("{" + entry("a", "I32", "[1]", 4, 8) + "}", 8));
    }

    @Test
    void unusedBytesAfterLastTensor() {
        assertMessage("4 unused bytes at the end of the data section after tensor \"a\" (ends at 4,"
                + " data section is 8 bytes)", error("{" + entry("a", "I32", "[1]", 0, 4) + "}", 8));
    }

    @Test
    void dataButNoTensors() {
        assertMessage("data section has 3 bytes but the header describes no tensors", error("{}", 3));
    }

    // ------------------------------------------------------------------ names and metadata

    @Test
    void duplicateTensorName() {
        assertMessage("duplicate tensor name \"a\" (at header byte 54)",
                error("{" + entry("a", "I32", "[1]", 0, 4) + "," + entry("a", "I32", "[1]", 4, 8) + "}", 8));
    }

    @Test
    void duplicateNameAfterEscapesIsStillDuplicate() {
        assertMessage("duplicate tensor name \"a\" (at header byte 54)",
                error("{" + entry("a", "I32", "[1]", 0, 4) + "," + entry("\\u0061", "I32", "[1]", 4, 8) + "}", 8));
    }

    @Test
    void duplicateMetadataEntry() {
        assertMessage("duplicate \"__metadata__\" entry (at header byte 19)",
                error("{\"__metadata__\":{},\"__metadata__\":{}}", 0));
    }

    @Test
    void metadataNotAnObject() {
        assertMessage("\"__metadata__\" must be an object of strings, found an array (at header byte 16)",
                error("{\"__metadata__\":[\"a\"]}", 0));
    }

    @Test
    void metadataValueNotAString() {
        assertMessage("\"__metadata__\" value for key \"epochs\" must be a string, found a number (at header byte 26)",
                error("{\"__metadata__\":{\"epochs\":3}}", 0));
        assertMessage("\"__metadata__\" value for key \"k\" must be a string, found null (at header byte 21)",
                error("{\"__metadata__\":{\"k\":null}}", 0));
        assertMessage("\"__metadata__\" value for key \"k\" must be a string, found an object (at header byte 21)",
                error("{\"__metadata__\":{\"k\":{}}}", 0));
        assertMessage("\"__metadata__\" value for key \"k\" must be a string, found true (at header byte 21)",
                error("{\"__metadata__\":{\"k\":true}}", 0));
    }

    @Test
    void duplicateMetadataKey() {
        assertMessage("duplicate \"__metadata__\" key \"k\" (at header byte 25)",
                error("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0));
    }

    @Test
    void namesInMessagesAreEscapedAndShortened() {
        assertMessage("tensor \"a\\nb\": missing \"dtype\" (at header byte 8)",
                error("{\"a\\nb\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        String longName = "n".repeat(200);
        String msg = error("{\"" + longName + "\":1}", 0);
        assertTrue(msg.startsWith("tensor \"" + "n".repeat(77) + "...\": expected an object"), msg);
    }

    // ------------------------------------------------------------------ files

    @TempDir
    Path dir;

    @Test
    void fileErrorsNameThePath() throws Exception {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[3]);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p));
        assertEquals(p + ": file is 3 bytes, shorter than the 8-byte header length at its start", e.getMessage());
        Path q = dir.resolve("bad-utf8.safetensors");
        Files.write(q, StBytes.file(bytes('{', 0xE2, 0x82), new byte[0]));
        e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(q));
        assertEquals(q + ": header is not valid UTF-8: invalid byte sequence at header byte 1 (file offset 9, byte 0xE2)",
                e.getMessage());
    }

    @Test
    void missingFileIsAnIoErrorNotAFormatError() {
        assertThrows(NoSuchFileException.class, () -> SafeTensors.read(dir.resolve("absent.safetensors")));
    }

    @Test
    void headerCharsetIsUtf8() {
        // Latin-1 "é" (0xE9) alone is not UTF-8.
        byte[] header = "{\"\u00e9\":1}".getBytes(StandardCharsets.ISO_8859_1);
        assertMessage("header is not valid UTF-8: invalid byte sequence at header byte 2 (file offset 10, byte 0xE9)",
                error(StBytes.file(header, new byte[0])));
    }
}
