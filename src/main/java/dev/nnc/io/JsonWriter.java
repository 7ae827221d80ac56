package dev.nnc.io;

/** Writes JSON strings the way the reference safetensors writer (serde_json) does. */
final class JsonWriter {
    private JsonWriter() {
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * Appends {@code s} as a JSON string literal: {@code "} and {@code \} are escaped, control
     * characters use {@code \b \f \n \r \t} or <code>&#92;u00XX</code>, everything else (including non-ASCII)
     * is copied as is, to be encoded as UTF-8.
     */
    static void appendQuoted(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
