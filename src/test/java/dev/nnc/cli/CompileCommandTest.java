package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnc compile}: the CLI face of dev.nnc.build.Generator. */
class CompileCommandTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run nnc(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void writesOneClassPerModelInItsPackage() throws IOException {
        Path f = tmp.resolve("m.nn");
        Files.writeString(f, "package a.b\nmodel M {\n    input x : [2]\n    output y = x * 2\n}\n");
        Path out = tmp.resolve("out");
        Run r = nnc("compile", f.toString(), "-d", out.toString(), "--precision", "f64");
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + out.resolve("a/b/M.java") + "\n", r.out().replace("\r\n", "\n"));
        assertTrue(Files.readString(out.resolve("a/b/M.java")).contains("double[] y"));
    }

    @Test
    void anyErrorWritesNothing() throws IOException {
        Path good = tmp.resolve("good.nn"), bad = tmp.resolve("bad.nn");
        Files.writeString(good, "model G {\n    input x : [2]\n    output y = x\n}\n");
        Files.writeString(bad, "model B {\n    input x : [2]\n    output y = x + q\n}\n");
        Path out = tmp.resolve("out");
        Run r = nnc("compile", good.toString(), bad.toString(), "-d", out.toString());
        assertEquals(Main.USER_ERROR, r.code());
        assertTrue(r.err().startsWith(bad + ":3:20: error[E200]: unknown name 'q'"), r.err());
        assertTrue(r.err().endsWith("nnc: nothing written: 1 error\n"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = tmp.resolve("missing.nn");
        Run r = nnc("compile", missing.toString(), "-d", tmp.resolve("out").toString());
        assertEquals(Main.USER_ERROR, r.code());
        assertEquals("nnc: " + missing + ": no such file\n", r.err().replace("\r\n", "\n"));
    }
}
