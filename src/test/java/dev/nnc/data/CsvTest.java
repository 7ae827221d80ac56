package dev.nnc.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CSV reader: RFC 4180 parsing, and errors that name the file, the row and the column. */
class CsvTest {
    static Csv.Table parse(String text) {
        return Csv.parse("data.csv", text.getBytes(StandardCharsets.UTF_8));
    }

    static String error(String text) {
        return assertThrows(DataException.class, () -> parse(text)).getMessage();
    }

    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaks() {
        Csv.Table t = parse("id,name,note\r\n1,\"Smith, J\",\"said \"\"hi\"\"\"\r\n2,\"two\nlines\",\r\n3,plain,x\r\n");
        assertEquals(List.of("id", "name", "note"), t.header());
        assertEquals(3, t.rowCount());
        assertEquals("Smith, J", t.get(0, 1));
        assertEquals("said \"hi\"", t.get(0, 2));
        assertEquals("two\nlines", t.get(1, 1));
        assertEquals("", t.get(1, 2));
        // row 3 starts on line 5: the quoted line break of row 2 counts
        assertEquals(2, t.line(0));
        assertEquals(3, t.line(1));
        assertEquals(5, t.line(2));
        assertEquals("data.csv, row 3 (line 5), column 'note' (3)", t.where(2, 2));
    }

    @Test
    void byteOrderMarkBlankLinesAndMissingFinalNewline() {
        Csv.Table t = parse("\uFEFFa,b\n\n1,2\n\n3,4");
        assertEquals(List.of("a", "b"), t.header());
        assertEquals(2, t.rowCount());
        assertEquals("4", t.get(1, 1));
        assertEquals(5, t.line(1));
    }

    @Test
    void aQuoteInsideAnUnquotedFieldIsKept() {
        assertEquals("5'10\"", parse("h\n5'10\"\n").get(0, 0));
    }

    @Test
    void raggedRowNamesFileRowAndLine() {
        String m = error("a,b,c\n1,2,3\n4,5\n");
        assertEquals("data.csv, row 2 (line 3): 2 fields, but the header (line 1) has 3 columns", m);
        String more = error("a,b\n1,2,3\n");
        assertTrue(more.startsWith("data.csv, row 1 (line 2): 3 fields, but the header (line 1) has 2 columns"), more);
        assertTrue(more.contains("quote the value"), more);
    }

    @Test
    void emptyFileAndHeaderOnly() {
        assertEquals("data.csv: the file is empty; expected a header row of column names, then data rows", error(""));
        assertEquals("data.csv: the file is empty; expected a header row of column names, then data rows", error("\n\n"));
        assertEquals("data.csv: the file has a header but no data rows", error("a,b\n"));
    }

    @Test
    void unterminatedQuoteAndTextAfterAClosingQuote() {
        String m = error("a,b\n1,\"open\n2,3\n");
        assertTrue(m.startsWith("data.csv, line 2, field 2: a quoted field is never closed"), m);
        String m2 = error("a,b\n1,\"x\"y\n");
        assertTrue(m2.startsWith("data.csv, line 2, field 2: unexpected text after a closing quote"), m2);
    }

    @Test
    void duplicateColumnNames() {
        assertEquals("data.csv, line 1 (header): columns 1 and 3 are both named 'a'; column names must be unique", error("a,b,a\n1,2,3\n"));
    }

    @Test
    void notUtf8() {
        byte[] latin1 = "a,b\n1,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        String m = assertThrows(DataException.class, () -> Csv.parse("data.csv", latin1)).getMessage();
        assertTrue(m.startsWith("data.csv: not UTF-8 text (an invalid byte at offset 9, line 2)"), m);
    }

    @Test
    void unknownColumnSuggestsTheClosestAndListsTheHeader() {
        Csv.Table t = parse("Id,SalePrice,LotArea\n1,2,3\n");
        String m = assertThrows(DataException.class, () -> t.require("Saleprice", "--target")).getMessage();
        assertEquals("data.csv: no column named 'Saleprice' (--target); did you mean 'SalePrice'? The header has 3 columns: Id, SalePrice, LotArea", m);
        String m2 = assertThrows(DataException.class, () -> t.require("zzz", null)).getMessage();
        assertEquals("data.csv: no column named 'zzz'; the header has 3 columns: Id, SalePrice, LotArea", m2);
    }

    @Test
    void linesCountEveryLineBreakTheReaderKnows() {
        // found reading the reader while fuzzing: a lone CR ended a record and counted as a line,
        // but not between records or inside quotes; and a duplicate name was always on "line 1"
        Csv.Table t = parse("a,b\r\r1,\"x\ry\"\r2,3\r\n\r\n4,5\n");
        assertEquals(3, t.rowCount());
        assertEquals(3, t.line(0));
        assertEquals(5, t.line(1));
        assertEquals(7, t.line(2));
        assertEquals("x\ry", t.get(0, 1));
        assertEquals("data.csv, line 3 (header): columns 1 and 2 are both named 'a'; column names must be unique", error("\n\na,a\n1,2\n"));
    }
}
