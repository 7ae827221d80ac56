package dev.nnc.io;

import dev.nnc.io.JsonReader.JsonException;
import dev.nnc.io.JsonReader.Kind;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;

/** The safetensors JSON header: parsing and validation (reading), formatting (writing). */
final class Header {

    /** One tensor's header entry: where its data is, relative to the start of the data section. */
    record Entry(String name, DType dtype, int[] shape, int numel, long begin, long end) {
    }

    final List<Entry> entries;           // header order
    final Map<String, String> metadata;  // header order

    private Header(List<Entry> entries, Map<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Safetensors dtypes nnc does not support, named in the "unsupported dtype" error. */
    private static final Set<String> OTHER_DTYPES = Set.of(
            "BOOL", "U8", "I8", "U16", "I16", "U32", "U64", "F16", "BF16", "C64",
            "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4");

    private static final String SUPPORTED = "F64, F32, I64, I32";

    // ------------------------------------------------------------------ reading

    /**
     * Decodes, parses and validates a header.
     *
     * @param bytes      the header bytes (after the 8-byte length prefix)
     * @param source     the file name for messages
     * @param dataLength the number of bytes after the header
     */
    static Header parse(byte[] bytes, String source, long dataLength) throws SafeTensorsException {
        String text = decodeUtf8(bytes, source);
        Parser p = new Parser(text, dataLength);
        try {
            p.parseTop();
        } catch (JsonException e) {
            String where = "header byte " + JsonReader.byteOffset(text, e.index);
            throw new SafeTensorsException(source, e.syntax
                    ? "header is not valid JSON: " + e.getMessage() + " (at " + where + ")"
                    : e.getMessage() + " (at " + where + ")");
        }
        checkLayout(p.entries, dataLength, source);
        return new Header(p.entries, p.metadata);
    }

    private static String decodeUtf8(byte[] bytes, String source) throws SafeTensorsException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never needs more chars than bytes
        CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) r = dec.flush(out);
        if (r.isError()) {
            int at = in.position();
            throw new SafeTensorsException(source, "header is not valid UTF-8: invalid byte sequence at header byte "
                    + at + " (file offset " + (at + 8L) + ", byte 0x"
                    + String.format("%02X", bytes[at] & 0xFF) + ")");
        }
        if (r.isOverflow()) throw new IllegalStateException("UTF-8 decode overflow"); // cannot happen
        out.flip();
        return out.toString();
    }

    /** Walks the header with a {@link JsonReader}, checking each entry as it goes. */
    private static final class Parser {
        private final JsonReader json;
        private final long dataLength;
        final List<Entry> entries = new ArrayList<>();
        final Map<String, String> metadata = new LinkedHashMap<>();
        private final Set<String> names = new HashSet<>();
        private boolean sawMetadata;

        Parser(String text, long dataLength) {
            this.json = new JsonReader(text);
            this.dataLength = dataLength;
        }

        void parseTop() throws JsonException {
            json.validate(); // syntax errors first, wherever they are
            Kind k = json.peek();
            if (k != Kind.OBJECT) {
                throw semantic("header must be a JSON object, found " + k.description, json.position());
            }
            json.readObject((name, at) -> {
                if (name.equals(TensorFile.METADATA_KEY)) {
                    if (sawMetadata) throw semantic("duplicate \"" + TensorFile.METADATA_KEY + "\" entry", at);
                    sawMetadata = true;
                    parseMetadata();
                } else {
                    if (!names.add(name)) {
                        throw semantic("duplicate tensor name " + quote(name), at);
                    }
                    entries.add(parseEntry(name));
                }
            });
            json.expectEnd();
        }

        private void parseMetadata() throws JsonException {
            int at = json.position();
            Kind k = json.peek();
            if (k == Kind.NULL) { // the reference implementation accepts null as "no metadata"
                json.readNull();
                return;
            }
            if (k != Kind.OBJECT) {
                throw semantic("\"" + TensorFile.METADATA_KEY + "\" must be an object of strings, found "
                        + k.description, at);
            }
            json.readObject((key, keyAt) -> {
                int valueAt = json.position();
                Kind vk = json.peek();
                if (vk != Kind.STRING) {
                    throw semantic("\"" + TensorFile.METADATA_KEY + "\" value for key " + quote(key)
                            + " must be a string, found " + vk.description, valueAt);
                }
                if (metadata.containsKey(key)) {
                    throw semantic("duplicate \"" + TensorFile.METADATA_KEY + "\" key " + quote(key), keyAt);
                }
                metadata.put(key, json.readString());
            });
        }

        private Entry parseEntry(String name) throws JsonException {
            String t = "tensor " + quote(name) + ": ";
            int at = json.position();
            Kind k = json.peek();
            if (k != Kind.OBJECT) {
                throw semantic(t + "expected an object with \"dtype\", \"shape\" and \"data_offsets\", found "
                        + k.description, at);
            }
            DType[] dtype = {null};
            int[][] shape = {null};
            long[][] offsets = {null};
            json.readObject((field, fieldAt) -> {
                switch (field) {
                    case "dtype":
                        if (dtype[0] != null) throw semantic(t + "duplicate field \"dtype\"", fieldAt);
                        dtype[0] = parseDType(t);
                        break;
                    case "shape":
                        if (shape[0] != null) throw semantic(t + "duplicate field \"shape\"", fieldAt);
                        shape[0] = parseShape(t);
                        break;
                    case "data_offsets":
                        if (offsets[0] != null) throw semantic(t + "duplicate field \"data_offsets\"", fieldAt);
                        offsets[0] = parseOffsets(t);
                        break;
                    default:
                        throw semantic(t + "unknown field " + quote(field)
                                + " (expected \"dtype\", \"shape\", \"data_offsets\")", fieldAt);
                }
            });
            if (dtype[0] == null) throw semantic(t + "missing \"dtype\"", at);
            if (shape[0] == null) throw semantic(t + "missing \"shape\"", at);
            if (offsets[0] == null) throw semantic(t + "missing \"data_offsets\"", at);
            DType dt = dtype[0];
            int[] sh = shape[0];
            long begin = offsets[0][0];
            long end = offsets[0][1];
            String offs = "data_offsets [" + begin + ", " + end + "]";
            int numel = numel(sh, t, at);
            if (begin > end) throw semantic(t + offs + " are reversed (begin > end)", at);
            if (end > dataLength) {
                throw semantic(t + offs + " extend past the end of the data section ("
                        + dataLength + " bytes)", at);
            }
            long need = (long) numel * dt.byteSize();
            if (end - begin != need) {
                throw semantic(t + offs + " span " + (end - begin) + " bytes, but shape "
                        + Arrays.toString(sh) + " of " + dt + " needs " + need + " bytes ("
                        + numel + " elements of " + dt.byteSize() + " bytes)", at);
            }
            return new Entry(name, dt, sh, numel, begin, end);
        }

        private DType parseDType(String t) throws JsonException {
            int at = json.position();
            Kind k = json.peek();
            if (k != Kind.STRING) throw semantic(t + "\"dtype\" must be a string, found " + k.description, at);
            String s = json.readString();
            return DType.fromName(s).orElseThrow(() -> semantic(t + "unsupported dtype " + quote(s)
                    + (OTHER_DTYPES.contains(s) ? "" : " (not a safetensors dtype)")
                    + "; nnc supports " + SUPPORTED, at));
        }

        private int[] parseShape(String t) throws JsonException {
            int at = json.position();
            Kind k = json.peek();
            if (k != Kind.ARRAY) throw semantic(t + "\"shape\" must be an array, found " + k.description, at);
            int[][] dims = {new int[4]};
            int[] n = {0};
            json.readArray(i -> {
                long d = readInteger(t + "\"shape\"");
                int dAt = lastIntegerAt;
                if (d < 0) throw semantic(t + "negative dimension " + d + " in \"shape\"", dAt);
                if (d > Integer.MAX_VALUE) {
                    throw semantic(t + "dimension " + d + " in \"shape\" is too large (nnc supports at most "
                            + Integer.MAX_VALUE + ")", dAt);
                }
                if (n[0] == dims[0].length) dims[0] = Arrays.copyOf(dims[0], n[0] * 2);
                dims[0][n[0]++] = (int) d;
            });
            return Arrays.copyOf(dims[0], n[0]);
        }

        private long[] parseOffsets(String t) throws JsonException {
            int at = json.position();
            Kind k = json.peek();
            if (k != Kind.ARRAY) {
                throw semantic(t + "\"data_offsets\" must be an array [begin, end], found " + k.description, at);
            }
            long[] v = new long[2];
            int[] n = {0};
            json.readArray(i -> {
                long o = readInteger(t + "\"data_offsets\"");
                if (o < 0) throw semantic(t + "negative offset " + o + " in \"data_offsets\"", lastIntegerAt);
                if (i >= 2) throw semantic(t + "\"data_offsets\" must have 2 elements [begin, end], found more", lastIntegerAt);
                v[i] = o;
                n[0]++;
            });
            if (n[0] != 2) {
                throw semantic(t + "\"data_offsets\" must have 2 elements [begin, end], found " + n[0], at);
            }
            return v;
        }

        private int lastIntegerAt;

        /** Reads an integer that fits in a long; {@code what} names the field for messages. */
        private long readInteger(String what) throws JsonException {
            int at = json.position();
            lastIntegerAt = at;
            Kind k = json.peek();
            if (k != Kind.NUMBER) throw semantic(what + " must contain integers, found " + k.description, at);
            String s = json.readNumber();
            Long v = JsonReader.parseLong(s);
            if (v == null) {
                throw semantic(what + " must contain integers, found " + abbreviate(s)
                        + (s.matches("-?[0-9]+") ? " (out of range)" : ""), at);
            }
            return v;
        }

        private static int numel(int[] shape, String t, int at) throws JsonException {
            try {
                return TensorData.numel(shape);
            } catch (IllegalArgumentException e) {
                BigInteger n = BigInteger.ONE;
                for (int d : shape) n = n.multiply(BigInteger.valueOf(d));
                throw semantic(t + "shape " + abbreviate(Arrays.toString(shape)) + " has " + n
                        + " elements; nnc supports at most " + Integer.MAX_VALUE, at);
            }
        }
    }

    /**
     * Checks that the tensors exactly tile the data section: sorted by offsets, each begins where
     * the previous ends, the first at 0, the last at the end. Gaps, overlaps and trailing bytes are
     * rejected, as in the reference implementation.
     */
    private static void checkLayout(List<Entry> entries, long dataLength, String source)
            throws SafeTensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin() > expected) {
                long gap = e.begin() - expected;
                throw new SafeTensorsException(source, prev == null
                        ? "data section begins with " + gap + " unused bytes before tensor " + quote(e.name())
                                + " (data_offsets [" + e.begin() + ", " + e.end() + "])"
                        : gap + " unused bytes between tensor " + quote(prev.name()) + " (ends at "
                                + prev.end() + ") and tensor " + quote(e.name()) + " (begins at " + e.begin() + ")");
            }
            if (e.begin() < expected) {
                throw new SafeTensorsException(source, "tensors " + quote(prev.name()) + " (data_offsets ["
                        + prev.begin() + ", " + prev.end() + "]) and " + quote(e.name()) + " (data_offsets ["
                        + e.begin() + ", " + e.end() + "]) overlap");
            }
            expected = e.end();
            prev = e;
        }
        if (expected < dataLength) {
            throw new SafeTensorsException(source, prev == null
                    ? "data section has " + dataLength + " bytes but the header describes no tensors"
                    : (dataLength - expected) + " unused bytes at the end of the data section after tensor "
                            + quote(prev.name()) + " (ends at " + expected + ", data section is "
                            + dataLength + " bytes)");
        }
    }

    private static JsonException semantic(String message, int index) {
        return new JsonException(message, index, false);
    }

    /** A name for messages: JSON-quoted (so control characters are visible), shortened if long. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        String shown = s.length() > 80 ? s.substring(0, Character.isHighSurrogate(s.charAt(76)) ? 76 : 77) : s;
        JsonWriter.appendQuoted(sb, shown);
        if (shown.length() < s.length()) sb.insert(sb.length() - 1, "...");
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    // ------------------------------------------------------------------ writing

    /**
     * The header for {@code file}, UTF-8 encoded and padded with spaces to a multiple of 8 bytes.
     * Entries are in the file's order with consecutive data offsets; {@code "__metadata__"} comes
     * first and only if there is metadata. The JSON is compact, like the reference writer's.
     */
    static byte[] format(TensorFile file) {
        StringBuilder sb = new StringBuilder("{");
        if (!file.metadata().isEmpty()) {
            JsonWriter.appendQuoted(sb, TensorFile.METADATA_KEY);
            sb.append(":{");
            boolean first = true;
            for (Map.Entry<String, String> e : file.metadata().entrySet()) {
                if (!first) sb.append(',');
                first = false;
                JsonWriter.appendQuoted(sb, e.getKey());
                sb.append(':');
                JsonWriter.appendQuoted(sb, e.getValue());
            }
            sb.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : file.tensors().entrySet()) {
            if (sb.length() > 1) sb.append(',');
            TensorData t = e.getValue();
            JsonWriter.appendQuoted(sb, e.getKey());
            sb.append(":{\"dtype\":\"").append(t.dtype().name()).append("\",\"shape\":[");
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) sb.append(',');
                sb.append(shape[i]);
            }
            long end = offset + t.byteSize();
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (json.length > SafeTensors.MAX_HEADER_BYTES - 7) {
            throw new IllegalArgumentException("the header would be " + json.length
                    + " bytes, more than the " + SafeTensors.MAX_HEADER_BYTES + "-byte limit readers accept");
        }
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
