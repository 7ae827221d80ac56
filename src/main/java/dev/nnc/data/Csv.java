package dev.nnc.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A CSV reader (RFC 4180) whose errors name the file, the row and the column.
 *
 * <p>Fields are separated by commas and records by LF or CRLF. A field may be quoted with
 * {@code "}; inside quotes, commas and line breaks are data and {@code ""} is one quote. A quote
 * inside an unquoted field is kept as it is (as Python's csv module and pandas do). The first
 * record is the header; blank lines are skipped; a UTF-8 byte-order mark is ignored. Every record
 * must have as many fields as the header. The text must be UTF-8.
 *
 * <p>Rows are numbered from 1 after the header ("row 1" is the first data row); each row also
 * remembers the line of the file it starts on, since quoted fields may span lines.
 */
public final class Csv {
    private Csv() {}

    /**
     * A parsed file: the header, the data rows (each exactly as wide as the header) and the line
     * each row starts on.
     */
    public static final class Table {
        private final String file;
        private final List<String> header;
        private final List<String[]> rows;
        private final int[] lines;
        private final Map<String, Integer> index = new HashMap<>();

        public Table(String file, List<String> header, List<String[]> rows, int[] lines) {
            this.file = file;
            this.header = List.copyOf(header);
            this.rows = rows;
            this.lines = lines;
            for (int i = 0; i < header.size(); i++) index.put(header.get(i), i);
        }

        /** The file name used in messages. */
        public String file() {
            return file;
        }

        public List<String> header() {
            return header;
        }

        public int rowCount() {
            return rows.size();
        }

        public int columnCount() {
            return header.size();
        }

        /** The field of data row {@code row} (0-based) in column {@code col} (0-based). */
        public String get(int row, int col) {
            return rows.get(row)[col];
        }

        /** The line of the file on which data row {@code row} (0-based) starts. */
        public int line(int row) {
            return lines[row];
        }

        /** The index of column {@code name}, or -1. */
        public int column(String name) {
            Integer i = index.get(name);
            return i == null ? -1 : i;
        }

        /**
         * The index of column {@code name}.
         *
         * @throws DataException naming the file, the unknown column, the closest known one and the columns it has
         */
        public int require(String name, String what) {
            int i = column(name);
            if (i >= 0) return i;
            StringBuilder sb = new StringBuilder(file + ": no column named '" + name + "'" + (what == null ? "" : " (" + what + ")"));
            String near = closest(name, header);
            if (near != null) sb.append("; did you mean '").append(near).append("'?");
            sb.append(near == null ? "; the header has " : " The header has ").append(header.size()).append(" column").append(header.size() == 1 ? "" : "s")
                    .append(": ").append(summarize(header));
            throw new DataException(sb.toString());
        }

        /** Where data row {@code row} (0-based), column {@code col} is, for messages: {@code file, row 3 (line 4), column 'x' (2)}. */
        public String where(int row, int col) {
            return file + ", row " + (row + 1) + " (line " + lines[row] + "), column '" + header.get(col) + "' (" + (col + 1) + ")";
        }
    }

    /** Reads and parses a UTF-8 CSV file. */
    public static Table read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": no such file");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage());
        }
        return parse(path.toString(), bytes);
    }

    /** Reads a CSV resource of the class path; {@code name} is shown in messages. */
    public static Table readResource(String resource, String name) {
        try (InputStream in = Csv.class.getResourceAsStream(resource)) {
            if (in == null) throw new DataException(name + ": missing resource " + resource);
            return parse(name, in.readAllBytes());
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses UTF-8 CSV bytes; {@code file} names them in messages. */
    public static Table parse(String file, byte[] bytes) {
        String text;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            text = cb.toString();
        } catch (CharacterCodingException e) {
            throw new DataException(file + ": not UTF-8 text (" + badByte(bytes) + "); save the file as UTF-8 CSV");
        }
        return parse(file, text);
    }

    /** Parses CSV text; {@code file} names it in messages. */
    public static Table parse(String file, String text) {
        int start = text.startsWith("\uFEFF") ? 1 : 0;
        Parser p = new Parser(file, text, start);
        List<String> header = null;
        int headerLine = 0;
        List<String[]> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<String> rec;
        while ((rec = p.next()) != null) {
            if (header == null) {
                header = rec;
                headerLine = p.recordLine;
                checkHeader(file, header, headerLine);
                continue;
            }
            if (rec.size() != header.size()) {
                throw new DataException(file + ", row " + (rows.size() + 1) + " (line " + p.recordLine + "): " + rec.size()
                        + " field" + (rec.size() == 1 ? "" : "s") + ", but the header (line " + headerLine + ") has " + header.size()
                        + " column" + (header.size() == 1 ? "" : "s")
                        + (rec.size() > header.size() ? " (an unquoted comma inside a value? quote the value: \"a,b\")" : ""));
            }
            rows.add(rec.toArray(new String[0]));
            lines.add(p.recordLine);
        }
        if (header == null) throw new DataException(file + ": the file is empty; expected a header row of column names, then data rows");
        if (rows.isEmpty()) throw new DataException(file + ": the file has a header but no data rows");
        int[] ls = new int[lines.size()];
        for (int i = 0; i < ls.length; i++) ls[i] = lines.get(i);
        return new Table(file, header, rows, ls);
    }

    private static void checkHeader(String file, List<String> header, int line) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            Integer before = seen.put(header.get(i), i);
            if (before != null) {
                throw new DataException(file + ", line " + line + " (header): columns " + (before + 1) + " and " + (i + 1)
                        + " are both named '" + header.get(i) + "'; column names must be unique");
            }
        }
    }

    private static String badByte(byte[] bytes) {
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        var r = dec.decode(in, out, true);
        int at = in.position();
        int line = 1;
        for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
        return (r.isError() ? "an invalid byte at offset " + at : "a truncated character at the end") + ", line " + line;
    }

    /** The record-at-a-time scanner. */
    private static final class Parser {
        private final String file;
        private final String s;
        private int pos;
        private int line = 1;
        int recordLine;

        Parser(String file, String s, int pos) {
            this.file = file;
            this.s = s;
            this.pos = pos;
        }

        /** The next record, or null at the end. Blank lines are skipped. */
        List<String> next() {
            while (pos < s.length() && (s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) {
                if (lineBreakAt(pos)) line++;
                pos++;
            }
            if (pos >= s.length()) return null;
            recordLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            while (true) {
                f.setLength(0);
                if (pos < s.length() && s.charAt(pos) == '"') {
                    int openLine = line;
                    pos++;
                    while (true) {
                        if (pos >= s.length()) {
                            throw new DataException(file + ", line " + openLine + ", field " + (fields.size() + 1)
                                    + ": a quoted field is never closed (the file ends inside quotes)");
                        }
                        if (lineBreakAt(pos)) line++;
                        char c = s.charAt(pos++);
                        if (c == '"') {
                            if (pos < s.length() && s.charAt(pos) == '"') {
                                f.append('"');
                                pos++;
                            } else {
                                break;
                            }
                        } else {
                            f.append(c);
                        }
                    }
                    if (pos < s.length() && !atEnd(s.charAt(pos))) {
                        throw new DataException(file + ", line " + line + ", field " + (fields.size() + 1)
                                + ": unexpected text after a closing quote; inside a quoted field write a quote as \"\"");
                    }
                } else {
                    while (pos < s.length() && !atEnd(s.charAt(pos))) f.append(s.charAt(pos++));
                }
                fields.add(f.toString());
                if (pos >= s.length()) return fields;
                char c = s.charAt(pos++);
                if (c == ',') continue;
                if (c == '\r' && pos < s.length() && s.charAt(pos) == '\n') pos++;
                line++;
                return fields;
            }
        }

        /** Whether a line ends at {@code i}: an LF, or a CR not followed by an LF (CRLF counts at its LF). */
        private boolean lineBreakAt(int i) {
            char c = s.charAt(i);
            return c == '\n' || (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n'));
        }

        private static boolean atEnd(char c) {
            return c == ',' || c == '\n' || c == '\r';
        }
    }

    /** The known name closest to {@code name} (edit distance at most a third of its length, or a case-insensitive match). */
    static String closest(String name, List<String> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known) {
            if (k.equalsIgnoreCase(name)) return k;
            int d = distance(name.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best != null && bestD <= Math.max(1, name.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Up to 12 names, then "… and N more". */
    static String summarize(List<String> names) {
        if (names.size() <= 12) return String.join(", ", names);
        return String.join(", ", names.subList(0, 12)) + ", … and " + (names.size() - 12) + " more";
    }
}
