package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Javadoc of generated classes reads right in the source and in the rendered page: each
 * kernel quotes its .nn line, and inside {@code {@code …}} HTML entities are shown as typed, so
 * an '@' must stay an '@' there (it showed as {@code &#64;}); javac's doclint finds no error.
 */
class JavadocTest {
    @Test
    void sourceLinesAreQuotedAsTyped() {
        assertEquals("{@code h = x @ w1 + b1}", ClassContext.code("h = x @ w1 + b1"));
        assertEquals("<code>model M &#123; x @ &lt;w&gt; &amp; y</code>", ClassContext.code("model M { x @ <w> & y"));
        assertEquals("{@code a * / b {c}}", ClassContext.code("a */ b {c}"));
        assertEquals("<code>a &#125; b &#123;</code>", ClassContext.code("a } b {"));
    }

    @Test
    void generatedJavadocPassesDoclint(@TempDir Path tmp) throws Exception {
        String source = """
                model Odd { dim batch; input x : [batch, 3]; param w : [3, 2]
                    h = x @ w /* a */ + 1 // <b> & {
                    output y = sum(h @ w.T, axis = 1) }
                """;
        Compiler.Result r = Compiler.compile("odd.nn", source);
        assertTrue(r.ok(), r::render);
        JavaEmitter.Output out = JavaEmitter.emit(r.compiled().get(0), new JavaEmitter.Options(null, true, "odd.nn", source));
        List<String> javas = new java.util.ArrayList<>(List.of(out.source()));
        try (var files = Files.list(Path.of("generated-examples"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) javas.add(Files.readString(p));
        }
        for (String java : javas) {
            assertFalse(java.contains("&#64;"), "an escaped @ in the generated Javadoc");
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            StringWriter log = new StringWriter();
            String name = java.substring(java.indexOf("public final class ") + 19).split("[ <{]")[0];
            SimpleJavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), SimpleJavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return java;
                }
            };
            boolean ok = javac.getTask(log, null, null, List.of("-Xdoclint:syntax,html,reference/private", "-Werror", "-d", tmp.toString()),
                    null, List.of(file)).call();
            assertTrue(ok, name + ":\n" + log);
        }
    }
}
