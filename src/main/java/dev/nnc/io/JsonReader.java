package dev.nnc.io;

/**
 * A small, strict, streaming JSON reader (RFC 8259) over an already-decoded string.
 *
 * <p>Instead of building a tree, the caller walks the document: {@link #readObject} and
 * {@link #readArray} check the punctuation and call back once per member or element, and the
 * callback must consume exactly one value with {@link #readString}, {@link #readNumber},
 * {@link #readNull}, or a nested {@code readObject}/{@code readArray}. The caller decides what it
 * expects with {@link #peek}, so memory use is bounded by what the caller keeps and error messages
 * can say what was expected where.
 *
 * <p>Strictness: no comments, no trailing commas, no single quotes, no leading zeros or {@code +}
 * on numbers, no unescaped control characters in strings, no unpaired surrogates in
 * <code>&#92;uXXXX</code> escapes, nesting at most {@link #MAX_DEPTH} deep, and nothing but whitespace after
 * the top-level value ({@link #expectEnd}). Errors are {@link JsonException}s carrying a character
 * index, which {@link #byteOffset} converts into a UTF-8 byte offset.
 */
final class JsonReader {
    /** Maximum nesting of objects and arrays. */
    static final int MAX_DEPTH = 64;

    /** What the next value is. */
    enum Kind {
        OBJECT("an object"), ARRAY("an array"), STRING("a string"), NUMBER("a number"),
        TRUE("true"), FALSE("false"), NULL("null");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /**
     * A problem at a character index of the text. {@code syntax} is true when the text is not
     * valid JSON, false when it is valid JSON that the caller does not accept.
     */
    static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;
        final int index;
        final boolean syntax;

        JsonException(String message, int index, boolean syntax) {
            super(message, null, false, false);
            this.index = index;
            this.syntax = syntax;
        }
    }

    /** Called for each member of an object, positioned before the member's value. */
    @FunctionalInterface
    interface MemberReader {
        /**
         * @param name      the member name
         * @param nameIndex the character index of the name's opening quote
         */
        void read(String name, int nameIndex) throws JsonException;
    }

    /** Called for each element of an array, positioned before the element. */
    @FunctionalInterface
    interface ElementReader {
        void read(int index) throws JsonException;
    }

    private final String text;
    private int pos;
    private int depth;

    JsonReader(String text) {
        this.text = text;
    }

    /** Skips whitespace and returns the index of the next character (the next value's start). */
    int position() {
        skipWhitespace();
        return pos;
    }

    /** The kind of the next value, without consuming it. */
    Kind peek() throws JsonException {
        skipWhitespace();
        if (pos >= text.length()) throw syntax("unexpected end of text, expected a value");
        char c = text.charAt(pos);
        switch (c) {
            case '{': return Kind.OBJECT;
            case '[': return Kind.ARRAY;
            case '"': return Kind.STRING;
            case 't': return Kind.TRUE;
            case 'f': return Kind.FALSE;
            case 'n': return Kind.NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return Kind.NUMBER;
                throw syntax("expected a value, found " + describe(pos));
        }
    }

    /** Reads an object, calling {@code member} for each member in order (duplicates included). */
    void readObject(MemberReader member) throws JsonException {
        skipWhitespace();
        expect('{', "'{'");
        enter();
        skipWhitespace();
        if (tryConsume('}')) {
            depth--;
            return;
        }
        while (true) {
            skipWhitespace();
            int nameIndex = pos;
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw syntax("expected a member name in double quotes, found " + describe(pos));
            }
            String name = readString();
            skipWhitespace();
            expect(':', "':' after member name");
            member.read(name, nameIndex);
            skipWhitespace();
            if (tryConsume(',')) continue;
            if (tryConsume('}')) break;
            throw syntax("expected ',' or '}' after object member, found " + describe(pos));
        }
        depth--;
    }

    /** Reads an array, calling {@code element} for each element in order. */
    void readArray(ElementReader element) throws JsonException {
        skipWhitespace();
        expect('[', "'['");
        enter();
        skipWhitespace();
        if (tryConsume(']')) {
            depth--;
            return;
        }
        for (int i = 0; ; i++) {
            element.read(i);
            skipWhitespace();
            if (tryConsume(',')) continue;
            if (tryConsume(']')) break;
            throw syntax("expected ',' or ']' after array element, found " + describe(pos));
        }
        depth--;
    }

    /** Reads a string value, resolving escapes. */
    String readString() throws JsonException {
        skipWhitespace();
        int start = pos;
        expect('"', "a string");
        StringBuilder sb = null; // only allocated when there are escapes
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) throw new JsonException("unterminated string", start, true);
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(runStart, pos)
                        : sb.append(text, runStart, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) {
                throw syntax(String.format("unescaped control character U+%04X in string", (int) c));
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) sb = new StringBuilder();
            sb.append(text, runStart, pos);
            int escape = pos;
            pos++;
            if (pos >= text.length()) throw new JsonException("unterminated string", start, true);
            char e = text.charAt(pos++);
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case '/': sb.append('/'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u': {
                    char u = hex4(escape);
                    if (Character.isHighSurrogate(u)) {
                        int low = pos;
                        if (pos + 1 < text.length() && text.charAt(pos) == '\\' && text.charAt(pos + 1) == 'u') {
                            pos += 2;
                            char v = hex4(low);
                            if (!Character.isLowSurrogate(v)) {
                                throw new JsonException(String.format(
                                        "unpaired surrogate \\u%04X (followed by \\u%04X, not a low surrogate)",
                                        (int) u, (int) v), escape, true);
                            }
                            sb.append(u).append(v);
                        } else {
                            throw new JsonException(String.format(
                                    "unpaired surrogate \\u%04X (not followed by a \\u low surrogate)", (int) u),
                                    escape, true);
                        }
                    } else if (Character.isLowSurrogate(u)) {
                        throw new JsonException(String.format("unpaired low surrogate \\u%04X", (int) u),
                                escape, true);
                    } else {
                        sb.append(u);
                    }
                    break;
                }
                default:
                    pos = escape;
                    throw syntax("invalid escape " + describeEscape(e));
            }
            runStart = pos;
        }
    }

    /**
     * Reads a number and returns its text, checked against the JSON grammar
     * ({@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}). Use {@link #parseLong} to
     * interpret it as an integer.
     */
    String readNumber() throws JsonException {
        skipWhitespace();
        int start = pos;
        tryConsume('-');
        if (tryConsume('0')) {
            // no further integer digits allowed
            if (pos < text.length() && isDigit(text.charAt(pos))) {
                throw syntax("leading zero in number");
            }
        } else if (!digits()) {
            throw syntax("expected a digit, found " + describe(pos));
        }
        if (tryConsume('.') && !digits()) {
            throw syntax("expected a digit after '.', found " + describe(pos));
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (!tryConsume('+')) tryConsume('-');
            if (!digits()) throw syntax("expected a digit in exponent, found " + describe(pos));
        }
        return text.substring(start, pos);
    }

    /** Reads {@code null}. */
    void readNull() throws JsonException {
        readLiteral("null");
    }

    private void readLiteral(String literal) throws JsonException {
        skipWhitespace();
        if (!text.startsWith(literal, pos)) {
            // Point at the first character that differs.
            int i = 0;
            while (pos + i < text.length() && i < literal.length() && text.charAt(pos + i) == literal.charAt(i)) i++;
            pos += i;
            throw syntax("expected " + literal + ", found " + describe(pos));
        }
        pos += literal.length();
    }

    /** Reads and discards one value of any kind, checking its syntax. */
    void skipValue() throws JsonException {
        switch (peek()) {
            case OBJECT: readObject((name, at) -> skipValue()); break;
            case ARRAY: readArray(i -> skipValue()); break;
            case STRING: readString(); break;
            case NUMBER: readNumber(); break;
            case TRUE: readLiteral("true"); break;
            case FALSE: readLiteral("false"); break;
            default: readNull();
        }
    }

    /** Checks that the whole text is one valid JSON value (and whitespace), then rewinds. */
    void validate() throws JsonException {
        int start = pos;
        skipValue();
        expectEnd();
        pos = start;
    }

    /** Checks that only whitespace remains. */
    void expectEnd() throws JsonException {
        skipWhitespace();
        if (pos < text.length()) {
            throw syntax("unexpected " + describe(pos) + " after the end of the JSON value");
        }
    }

    /**
     * The value of a number token from {@link #readNumber} if it is an integer (no fraction or
     * exponent) that fits in a {@code long}; otherwise {@code null}.
     */
    static Long parseLong(String number) {
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            if (c == '.' || c == 'e' || c == 'E') return null;
        }
        if (number.length() > 20) return null; // more digits than any long
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The number of UTF-8 bytes that encode {@code text[0, index)}. */
    static long byteOffset(String text, int index) {
        long n = 0;
        for (int i = 0; i < index && i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)) n += 4;      // the pair is 4 bytes
            else if (Character.isLowSurrogate(c)) n += 0;       // counted with its high surrogate
            else n += 3;
        }
        return n;
    }

    /** Describes the character at {@code index} for an error message. */
    String describe(int index) {
        if (index >= text.length()) return "end of text";
        char c = text.charAt(index);
        if (c >= 0x21 && c < 0x7F) return "'" + c + "'";
        return String.format("U+%04X", text.codePointAt(index));
    }

    private static String describeEscape(char e) {
        return e >= 0x21 && e < 0x7F ? "'\\" + e + "'" : String.format("'\\' followed by U+%04X", (int) e);
    }

    private char hex4(int escapeIndex) throws JsonException {
        if (pos + 4 > text.length()) {
            throw new JsonException("incomplete \\u escape", escapeIndex, true);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            // Character.digit also accepts non-ASCII digits; JSON allows only [0-9a-fA-F].
            if (d < 0 || text.charAt(pos + i) > 'f') {
                throw new JsonException("invalid \\u escape: expected 4 hex digits", escapeIndex, true);
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        return pos > start;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void enter() throws JsonException {
        if (++depth > MAX_DEPTH) throw syntax("nesting deeper than " + MAX_DEPTH + " levels");
    }

    private void expect(char c, String what) throws JsonException {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw syntax("expected " + what + ", found " + describe(pos));
        }
        pos++;
    }

    private boolean tryConsume(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private JsonException syntax(String message) {
        return new JsonException(message, pos, true);
    }
}
