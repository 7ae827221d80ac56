package dev.nnc.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two entry points: text and file. */
class ParserApiTest {
    @TempDir
    Path dir;

    @Test
    void parsesAFileAsUtf8() throws Exception {
        Path f = dir.resolve("house.nn");
        Files.writeString(f, StatementTest.EXAMPLE, StandardCharsets.UTF_8);
        Diagnostics d = new Diagnostics();
        Ast.File file = Parser.parse(f, d);
        assertEquals(0, d.count());
        assertEquals(f.toString(), file.path());
        assertEquals(f.toString(), file.models().get(0).span().file());
        assertEquals(StatementTest.EXAMPLE_AST, SExpr.of(file));
    }

    @Test
    void malformedUtf8IsReportedOnlyOutsideComments() throws Exception {
        Path f = dir.resolve("bad.nn");
        byte[] head = "// caf\u00e9 \u00ff ok\nmodel M {\n  x = ".getBytes(StandardCharsets.UTF_8);
        byte[] comment = new byte[] {'/', '/', ' ', (byte) 0xC3, (byte) 0x28, '\n'};
        byte[] code = new byte[] {'y', ' ', (byte) 0xFF, '\n', '}', '\n'};
        Files.write(f, concat(concat(head, comment), code));
        Diagnostics d = new Diagnostics();
        Ast.File file = Parser.parse(f, d);
        assertNotNull(file);
        assertEquals(1, d.count());
        assertEquals(ErrorKind.BAD_CHARACTER, d.all().get(0).kind());
        assertEquals("unexpected character U+FFFD", d.all().get(0).message());
        assertTrue(d.all().get(0).hint().contains("not UTF-8"), d.all().get(0).hint());
        assertEquals(4, d.all().get(0).span().line());
    }

    @Test
    void oversizedFileIsRejectedWithoutReadingIt() throws Exception {
        Path f = dir.resolve("huge.nn");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {' '}), 4L * Parser.MAX_SOURCE_CHARS + 1);
        }
        Diagnostics d = new Diagnostics();
        assertNull(Parser.parse(f, d));
        assertEquals(ErrorKind.TOO_LARGE, d.all().get(0).kind());
    }

    @Test
    void diagnosticsAreAppendedToTheCallers() {
        Diagnostics d = new Diagnostics();
        Parser.parse("a.nn", "model A { x = $ }", d);
        Parser.parse("b.nn", "model B { y = $ }", d);
        assertEquals(2, d.count());
        assertEquals("a.nn", d.all().get(0).span().file());
        assertEquals("b.nn", d.all().get(1).span().file());
    }

    @Test
    void threadSafe() throws Exception {
        String[] inputs = {StatementTest.EXAMPLE, "model M {\n  x = f(a b)\n  y = 1 +\n}", "fn f(x) = " + "(".repeat(60) + "x"
                + ")".repeat(60), ParserPropertyTest.PROGRAMS.get(1), "model { } $ /*"};
        List<String> expected = new ArrayList<>();
        for (String s : inputs) expected.add(describe(s));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        for (int k = 0; k < inputs.length; k++) {
                            if (!describe(inputs[k]).equals(expected.get(k))) return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) assertEquals(true, r.get());
        } finally {
            pool.shutdownNow();
        }
    }

    private static String describe(String src) {
        Diagnostics d = new Diagnostics();
        Ast.File f = Parser.parse("t.nn", src, d);
        return (f == null ? "null" : SExpr.of(f)) + "\n" + Parse.render(d, src);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
