package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.inspect.Dot;
import dev.nnc.inspect.GraphView;
import dev.nnc.inspect.NeedsGraphviz;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnc graph}: formats, options and errors, through {@link Main#run}. */
class GraphCommandTest {
    static final String HOUSE = "generated-examples/house_prices.nn";

    @TempDir
    Path tmp;

    @Test
    void dotIsWhatTheLibraryRenders() throws Exception {
        Path out = tmp.resolve("g.dot");
        Cli.Run r = Cli.run("graph", HOUSE, "--grad", "--stage", "parsed", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Compiler.Result c = Compiler.compile(Path.of(HOUSE));
        String want = Dot.render(GraphView.build(c.compiled().get(0), c.source(), GraphView.Stage.PARSED, true, false));
        assertEquals(want, Files.readString(out));
    }

    @Test
    void dotToStandardOutput() {
        Cli.Run r = Cli.run("graph", HOUSE, "--format", "dot", "-o", "-");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("digraph \"HousePrices\" {"), r.out());
    }

    @Test
    void svgAndHtml() throws Exception {
        NeedsGraphviz.check();
        Path svg = tmp.resolve("sub/g.svg");
        Cli.Run r = Cli.run("graph", HOUSE, "--grad", "-o", svg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(svg).contains("<svg"));
        Path html = tmp.resolve("g.page");
        r = Cli.run("graph", HOUSE, "--grad", "--format", "html", "--dim", "batch=64", "-o", html.toString());
        assertEquals(0, r.code(), r.err());
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<svg") && page.contains("at batch=64"));
    }

    @Test
    void withoutGraphvizSvgSaysHowToInstallItAndWritesTheDot() throws Exception {
        String saved = System.getProperty("nnc.dot");
        System.setProperty("nnc.dot", tmp.resolve("no-such-dot").toString());
        try {
            Path svg = tmp.resolve("g.svg");
            Cli.Run r = Cli.run("graph", HOUSE, "-o", svg.toString());
            assertEquals(Main.USER_ERROR, r.code());
            assertTrue(r.err().contains("apt-get install graphviz"), r.err());
            assertTrue(r.err().contains("wrote the DOT to " + tmp.resolve("g.dot")), r.err());
            assertFalse(Files.exists(svg));
            assertTrue(Files.readString(tmp.resolve("g.dot")).startsWith("digraph"));

            Path html = tmp.resolve("g.html");
            r = Cli.run("graph", HOUSE, "-o", html.toString());
            assertEquals(Main.USER_ERROR, r.code());
            assertTrue(r.err().contains("apt-get install graphviz"), r.err());
            assertTrue(Files.readString(html).contains("<pre>digraph"));
        } finally {
            if (saved == null) System.clearProperty("nnc.dot");
            else System.setProperty("nnc.dot", saved);
        }
    }

    @Test
    void errorsNameTheProblem() throws Exception {
        Path two = tmp.resolve("two.nn");
        Files.writeString(two, """
                model A {
                    input x : [2]
                    output y = exp(x)
                }
                model B {
                    input x : [2]
                    output y = tanh(x)
                }
                """);
        Cli.Run r = Cli.run("graph", two.toString(), "-o", tmp.resolve("a.dot").toString());
        assertEquals(Main.USER_ERROR, r.code());
        assertEquals("nnc: " + two + " has 2 models (A, B); pick one with --model NAME\n", r.err());

        r = Cli.run("graph", two.toString(), "--model", "C", "-o", tmp.resolve("a.dot").toString());
        assertEquals("nnc: " + two + ": error[E511]: no model named 'C'; the file has A, B\n", r.err());

        r = Cli.run("graph", two.toString(), "--model", "B", "--grad", "-o", tmp.resolve("a.dot").toString());
        assertEquals("nnc: model B has no loss, so no backward graph\n", r.err());

        r = Cli.run("graph", two.toString(), "--model", "B", "-o", tmp.resolve("b.dot").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(tmp.resolve("b.dot")).contains("tanh"));

        r = Cli.run("graph", HOUSE, "-o", tmp.resolve("a.png").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cannot tell the format from"), r.err());

        r = Cli.run("graph", HOUSE, "--dim", "seq=3", "-o", tmp.resolve("a.dot").toString());
        assertEquals("nnc: model HousePrices has no dim 'seq'; its dims are batch\n", r.err());

        r = Cli.run("graph", tmp.resolve("missing.nn").toString(), "-o", tmp.resolve("a.dot").toString());
        assertEquals(Main.USER_ERROR, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
