package dev.nnc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Any bytes give a TensorFile or a SafeTensorsException, never another exception; whatever is
 * accepted writes back to a file that reads back equal. 1100 tries in all: random bytes (with and
 * without a plausible length prefix), mutations of a valid file, random JSON token soup, and
 * well-formed headers with one part sometimes wrong (dtypes, shapes, offsets, fields, metadata).
 */
class SafeTensorsFuzzTest {

    private static final byte[] VALID = SafeTensors.toBytes(TensorFile.builder()
            .metadata("format", "pt")
            .tensor("w", TensorData.f32(new int[] {2, 2}, new float[] {1, 2, 3, 4}))
            .tensor("b", TensorData.f64(new int[] {2}, new double[] {-1, 0.5}))
            .tensor("i", TensorData.i64(new int[0], new long[] {7}))
            .tensor("e", TensorData.i32(new int[] {0, 3}, new int[0]))
            .tensor("j", TensorData.i32(new int[] {3}, new int[] {1, 2, 3}))
            .build());

    /** Reads, allowing only success or SafeTensorsException; a success must re-serialize and read back equal. */
    private static void readsOrRejects(byte[] bytes) {
        TensorFile f;
        try {
            f = SafeTensors.read(bytes, "fuzz");
        } catch (SafeTensorsException expected) {
            return;
        }
        assertEquals(f, readBack(SafeTensors.toBytes(f)));
    }

    private static TensorFile readBack(byte[] bytes) {
        try {
            return SafeTensors.read(bytes, "rewritten");
        } catch (SafeTensorsException e) {
            throw new AssertionError("rewritten file is invalid: " + e.getMessage(), e);
        }
    }

    @Property(tries = 200)
    void randomBytes(@ForAll @Size(max = 300) byte[] bytes) {
        readsOrRejects(bytes);
    }

    @Property(tries = 200)
    void randomBytesAfterPlausibleLength(@ForAll @Size(max = 200) byte[] rest) {
        byte[] bytes = StBytes.concat(StBytes.u64(rest.length / 2), rest);
        readsOrRejects(bytes);
    }

    @Property(tries = 300)
    void mutationsOfValidFile(@ForAll("mutated") byte[] bytes) {
        readsOrRejects(bytes);
    }

    @Property(tries = 150)
    void jsonLikeHeaders(@ForAll("jsonish") String header, @ForAll @Size(max = 48) byte[] data) {
        readsOrRejects(StBytes.file(header, data));
    }

    @Property(tries = 250)
    void plausibleHeaders(@ForAll("plausible") byte[] file) {
        readsOrRejects(file);
    }

    @Example
    void validFileIsStable() {
        assertArrayEquals(VALID, SafeTensors.toBytes(readBack(VALID)));
    }

    private enum Op { FLIP, SET, INSERT, DELETE, TRUNCATE, LENGTH, DIGIT }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<Op> op = Arbitraries.of(Op.class);
        Arbitrary<Integer> pos = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Byte> value = Arbitraries.oneOf(Arbitraries.bytes(),
                Arbitraries.of("{}[]\":,-.e0123456789 \\u".chars().mapToObj(c -> (byte) c).toList()));
        Arbitrary<long[]> one = Combinators.combine(op, pos, value)
                .as((o, p, v) -> new long[] {o.ordinal(), p, v});
        return one.list().ofMinSize(1).ofMaxSize(4).map(SafeTensorsFuzzTest::apply);
    }

    private static byte[] apply(List<long[]> ops) {
        byte[] b = VALID.clone();
        for (long[] m : ops) {
            Op op = Op.values()[(int) m[0]];
            int p = (int) m[1];
            byte v = (byte) m[2];
            if (b.length == 0) break;
            int i = p % b.length;
            switch (op) {
                case FLIP -> b[i] ^= (byte) (1 << (p % 8));
                case SET -> b[i] = v;
                case INSERT -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, i);
                    c[i] = v;
                    System.arraycopy(b, i, c, i + 1, b.length - i);
                    b = c;
                }
                case DELETE -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, i);
                    System.arraycopy(b, i + 1, c, i, b.length - i - 1);
                    b = c;
                }
                case TRUNCATE -> b = Arrays.copyOf(b, i);
                case LENGTH -> b[i % 8] = v; // corrupt the header-length prefix
                case DIGIT -> { // change a digit in the header (shapes and offsets)
                    for (int k = 0; k < b.length; k++) {
                        int j = 8 + (i + k) % Math.max(1, b.length - 8);
                        if (j < b.length && b[j] >= '0' && b[j] <= '9') {
                            b[j] = (byte) ('0' + Math.floorMod(v, 10));
                            break;
                        }
                    }
                }
            }
        }
        return b;
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> tokens = Arbitraries.of(
                "{", "}", "[", "]", ",", ":", " ", "\"", "\"w\"", "\"__metadata__\"", "\"dtype\"", "\"shape\"",
                "\"data_offsets\"", "\"F32\"", "\"F64\"", "\"I64\"", "\"I32\"", "\"BF16\"", "0", "1", "4", "8", "12",
                "-1", "1.5", "1e3", "99999999999999999999", "2147483648", "null", "true", "\"\\u00e9\"", "\"\\ud800\"",
                "\"\\n\"", "\"é\"", "\\", "\"x", "\u0000");
        return tokens.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    /** Headers shaped like real ones, sometimes subtly wrong: exercises the checks after parsing. */
    @Provide
    Arbitrary<byte[]> plausible() {
        Arbitrary<String> name = Arbitraries.of("\"a\"", "\"b\"", "\"c\"", "\"d\"", "\"\\u0062\"", "\"é\"");
        Arbitrary<String> dtype = Arbitraries.frequency(
                Tuple.of(4, "F64"), Tuple.of(4, "F32"), Tuple.of(4, "I64"), Tuple.of(4, "I32"), Tuple.of(1, "BF16"));
        Arbitrary<String> shape = Arbitraries.frequency(Tuple.of(3, "[]"), Tuple.of(3, "[1]"), Tuple.of(3, "[2]"),
                Tuple.of(2, "[0]"), Tuple.of(3, "[2,1]"), Tuple.of(2, "[0,9]"), Tuple.of(1, "[-1]"),
                Tuple.of(1, "[1.5]"), Tuple.of(1, "\"x\""));
        // variant 0..19 is a well-formed entry; the others break one thing
        Arbitrary<Integer> variant = Arbitraries.integers().between(0, 27);
        Arbitrary<List<String>> entry = Combinators.combine(name, dtype, shape, variant)
                .as((n, d, sh, v) -> List.of(n, d, sh, String.valueOf(v)));
        Arbitrary<String> metadata = Arbitraries.frequency(Tuple.of(6, ""),
                Tuple.of(3, "\"__metadata__\":{\"k\":\"v\"}"), Tuple.of(1, "\"__metadata__\":null"),
                Tuple.of(1, "\"__metadata__\":{\"k\":1}"), Tuple.of(1, "\"__metadata__\":[]"));
        Arbitrary<Integer> extraData = Arbitraries.frequency(Tuple.of(8, 0), Tuple.of(1, 4), Tuple.of(1, -4));
        return Combinators.combine(metadata, entry.list().ofMaxSize(4), extraData, Arbitraries.randoms())
                .as(SafeTensorsFuzzTest::assemble);
    }

    private static byte[] assemble(String metadata, List<List<String>> entries, int extraData, java.util.Random rnd) {
        List<String> parts = new java.util.ArrayList<>();
        if (!metadata.isEmpty()) parts.add(metadata);
        long offset = 0;
        for (List<String> e : entries) {
            String dtype = e.get(1);
            String shape = e.get(2);
            int v = Integer.parseInt(e.get(3));
            int numel = switch (shape) {
                case "[]", "[1]" -> 1;
                case "[2]", "[2,1]" -> 2;
                default -> 0;
            };
            int size = dtype.endsWith("64") ? 8 : dtype.endsWith("32") ? 4 : 2;
            long begin = offset;
            long end = begin + (long) numel * size;
            offset = end;
            switch (v) {
                case 20 -> end += 4;                     // wrong length (and later tensors shifted)
                case 21 -> { begin += 4; end += 4; }     // gap
                case 22 -> { if (begin >= 4) { begin -= 4; end -= 4; } } // overlap the previous tensor
                case 23 -> { long t = begin; begin = end; end = t; }     // reversed
                default -> { }
            }
            String offs = v == 24 ? "[" + begin + "]" : "[" + begin + "," + end + "]";
            String body = (v == 25 ? "" : "\"dtype\":\"" + dtype + "\",")
                    + "\"shape\":" + shape + ","
                    + "\"data_offsets\":" + offs
                    + (v == 26 ? ",\"extra\":1" : "")
                    + (v == 27 ? ",\"shape\":[]" : "");
            parts.add(rnd.nextInt(4) == 0 ? rnd.nextInt(parts.size() + 1) : parts.size(), e.get(0) + ":{" + body + "}");
        }
        String header = "{" + String.join(",", parts) + "}" + " ".repeat(rnd.nextInt(8));
        return StBytes.file(header, new byte[(int) Math.max(0, offset + extraData)]);
    }
}
