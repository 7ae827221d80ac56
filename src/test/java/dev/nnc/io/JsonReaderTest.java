package dev.nnc.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.io.JsonReader.JsonException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {

    /** Reads any JSON value into maps, lists, strings, number texts, booleans and null. */
    private static Object value(JsonReader r) throws JsonException {
        return Json.value(r, number -> number);
    }

    private static Object parse(String text) throws JsonException {
        JsonReader r = new JsonReader(text);
        Object v = value(r);
        r.expectEnd();
        return v;
    }

    private static JsonException fail(String text) {
        return assertThrows(JsonException.class, () -> parse(text));
    }

    @Test
    void readsNestedValuesInOrder() throws JsonException {
        assertEquals(Map.of("a", List.of("1", "-2.5e+3"), "b", Map.of(), "c", List.of()),
                parse(" {\"a\" : [1, -2.5e+3], \"b\":{}, \"c\":[ ]}  \n"));
        assertNull(parse("null"));
        assertEquals(List.of(true, false), parse("[true,false]"));
    }

    @Test
    void stringEscapes() throws JsonException {
        assertEquals("q\"b\\s/\b\f\n\r\tA\u00e9\u20ac", parse("\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u0041\\u00E9\\u20ac\""));
        assertEquals("\uD83D\uDE00", parse("\"\\uD83D\\uDE00\""));
        assertEquals("\uD83D\uDE00 raw é", parse("\"\uD83D\uDE00 raw é\""));
    }

    @Test
    void stringErrors() {
        assertTrue(fail("\"a\\uD83Dx\"").getMessage().contains("unpaired surrogate \\uD83D"));
        assertTrue(fail("\"a\\uD83D\\u0041\"").getMessage().contains("not a low surrogate"));
        assertTrue(fail("\"\\uDE00\"").getMessage().contains("unpaired low surrogate"));
        assertTrue(fail("\"\\u12G4\"").getMessage().contains("4 hex digits"));
        assertTrue(fail("\"\\u12\"").getMessage().contains("incomplete \\u escape"));
        assertTrue(fail("\"\\u١٢٣٤\"").getMessage().contains("4 hex digits")); // non-ASCII digits
        assertTrue(fail("\"\\x\"").getMessage().contains("invalid escape '\\x'"));
        assertTrue(fail("\"a\nb\"").getMessage().contains("unescaped control character U+000A"));
        JsonException e = fail("  \"abc");
        assertTrue(e.getMessage().contains("unterminated string"));
        assertEquals(2, e.index);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}",
        "01", "-", "1.", "1e", "+1", ".5", "1 2", "[1]x", "nul", "tru", "{\"a\":1}}", "// c\n1", "\u00a01"})
    void rejectsInvalidJson(String text) {
        JsonException e = fail(text);
        assertTrue(e.syntax, e.getMessage());
    }

    @Test
    void errorPositionIsUtf8ByteOffset() {
        String text = "{\"é€\uD83D\uDE00\":x}";
        JsonException e = fail(text);
        assertEquals(text.indexOf('x'), e.index);
        // '{' 1 + '"' 1 + é 2 + € 3 + emoji 4 + '"' 1 + ':' 1 = 13
        assertEquals(13, JsonReader.byteOffset(text, e.index));
        assertTrue(e.getMessage().contains("expected a value, found 'x'"), e.getMessage());
    }

    @Test
    void nestingIsBounded() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertTrue(fail(deep).getMessage().contains("nesting deeper than 64"));
        String ok = "[".repeat(64) + "]".repeat(64);
        assertFalse(assertDoesNotThrow(ok) == null);
    }

    private static Object assertDoesNotThrow(String text) {
        try {
            return parse(text);
        } catch (JsonException e) {
            throw new AssertionError(e.getMessage());
        }
    }

    @Test
    void parseLongOnlyForIntegersInRange() {
        assertEquals(-9223372036854775808L, JsonReader.parseLong("-9223372036854775808"));
        assertEquals(0L, JsonReader.parseLong("-0"));
        assertNull(JsonReader.parseLong("9223372036854775808"));
        assertNull(JsonReader.parseLong("1.0"));
        assertNull(JsonReader.parseLong("1e3"));
        assertNull(JsonReader.parseLong("1".repeat(500)));
    }

    @Test
    void writerEscapesLikeSerdeJson() {
        StringBuilder sb = new StringBuilder();
        JsonWriter.appendQuoted(sb, "a\"b\\c/\n\t\u0001\u007fé€");
        assertEquals("\"a\\\"b\\\\c/\\n\\t\\u0001\u007fé€\"", sb.toString());
    }
}
