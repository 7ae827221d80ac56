package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generated-examples/} holds each example's .nn file and the Java nnc generates from it
 * (f32, as {@code nnc compile} writes it by default). This test regenerates them and fails on
 * any difference; {@code -Dnnc.updateGolden=true} rewrites them instead. It also compiles the
 * committed sources with plain javac and no classpath: they need nothing but the JDK.
 */
class GoldenExamplesTest {
    static final Path DIR = Path.of("generated-examples");

    record Generated(Path file, String source) {}

    static List<Generated> regenerate() throws IOException {
        List<Generated> out = new ArrayList<>();
        List<Path> nn;
        try (Stream<Path> s = Files.list(DIR)) {
            nn = s.filter(p -> p.toString().endsWith(".nn")).sorted().toList();
        }
        for (Path f : nn) {
            Compiler.Result r = Compiler.compile(f);
            assertTrue(r.ok(), r.render());
            for (Compiled c : r.compiled()) {
                boolean f32 = c.model().precision() != dev.nnc.ir.Model.Precision.F64;
                JavaEmitter.Output o = JavaEmitter.emit(c, new JavaEmitter.Options(null, f32, f.getFileName().toString(), r.source()));
                out.add(new Generated(DIR.resolve(o.className() + ".java"), o.source()));
            }
        }
        return out;
    }

    @Test
    void committedJavaMatchesTheGenerator() throws IOException {
        boolean update = Boolean.getBoolean("nnc.updateGolden");
        List<String> stale = new ArrayList<>();
        for (Generated g : regenerate()) {
            String have = Files.exists(g.file()) ? Files.readString(g.file(), StandardCharsets.UTF_8) : null;
            if (g.source().equals(have)) continue;
            if (update) Files.writeString(g.file(), g.source(), StandardCharsets.UTF_8);
            else stale.add(g.file().toString());
        }
        assertEquals(List.of(), stale, "generated-examples/ is out of date; regenerate with "
                + "mvn test -Dtest=GoldenExamplesTest -Dnnc.updateGolden=true and review the diff");
    }

    @Test
    void committedJavaCompilesWithPlainJavacAndNoClasspath(@TempDir Path out) throws IOException {
        List<String> args = new ArrayList<>(List.of("--release", "17", "-classpath", out.toString(), "-d", out.toString(), "-Xlint:all", "-Werror"));
        for (Generated g : regenerate()) args.add(g.file().toString());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        java.io.StringWriter log = new java.io.StringWriter();
        int code = javac.run(null, null, new java.io.PrintStream(new java.io.ByteArrayOutputStream()) {
            @Override
            public void write(byte[] b, int off, int len) {
                log.write(new String(b, off, len, StandardCharsets.UTF_8));
            }
        }, args.toArray(String[]::new));
        assertEquals(0, code, "javac failed:\n" + log);
    }
}
