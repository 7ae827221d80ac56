package dev.nnc.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.ErrorKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/language.md, the users' language reference, against the compiler. Its fenced blocks
 * follow a convention:
 * <ul>
 *   <li>{@code ```nn}: a whole .nn file that must compile without diagnostics;</li>
 *   <li>{@code ```nn-error E400}: a whole .nn file whose every diagnostic has that code; when the
 *       next block is a plain {@code ```} block, it is the exact output (the file is
 *       {@code model.nn}). {@code -Dnnc.updateGolden=true} rewrites those outputs.</li>
 * </ul>
 * Other blocks ({@code ```sh}, {@code ```java}, plain) are not checked. Every built-in function
 * and every error code must appear on the page.
 */
class LanguageDocTest {
    private static final Path DOC = Path.of("docs/language.md");

    /** A fenced block: its info string, text, and the line range of its text in the file. */
    record Block(String info, String text, int from, int to) {}

    static List<Block> blocks(List<String> lines) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!l.startsWith("```")) continue;
            String info = l.substring(3).strip();
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).equals("```")) end++;
            StringBuilder sb = new StringBuilder();
            for (int k = start; k < end; k++) sb.append(lines.get(k)).append('\n');
            out.add(new Block(info, sb.toString(), start, end));
            i = end;
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyExampleCompilesAndEveryErrorIsTheOneShown() throws IOException {
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        List<Block> blocks = blocks(lines);
        if (Boolean.getBoolean("nnc.updateGolden")) rewriteOutputs(lines, blocks);
        List<Block> checked = blocks.stream().filter(b -> b.info().startsWith("nn")).toList();
        assertTrue(checked.size() >= 20, "the page has its examples: " + checked.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (int n = 0; n < blocks.size(); n++) {
            Block b = blocks.get(n);
            Block next = n + 1 < blocks.size() ? blocks.get(n + 1) : null;
            String title = "line " + b.from() + ": " + b.info();
            if (b.info().equals("nn")) {
                tests.add(DynamicTest.dynamicTest(title, () -> {
                    Compiler.Result r = Compiler.compile("model.nn", b.text());
                    assertTrue(r.ok(), () -> "docs/language.md line " + b.from() + ":\n" + r.render());
                }));
            } else if (b.info().startsWith("nn-error ")) {
                String code = b.info().substring("nn-error ".length()).strip();
                tests.add(DynamicTest.dynamicTest(title, () -> {
                    Compiler.Result r = Compiler.compile("model.nn", b.text());
                    assertFalse(r.ok(), "docs/language.md line " + b.from() + " compiles, but documents " + code);
                    for (Diagnostic d : r.diagnostics().all()) {
                        assertEquals(code, d.kind().code(), () -> "docs/language.md line " + b.from() + ":\n" + r.render());
                    }
                    if (next != null && next.info().isEmpty() && next.from() == b.to() + 2) {
                        assertEquals(next.text(), r.render(), "the output shown at docs/language.md line " + next.from());
                    }
                }));
            } else if (b.info().startsWith("nn")) {
                tests.add(DynamicTest.dynamicTest(title, () -> assertTrue(false, "unknown block kind " + b.info())));
            }
        }
        return tests.stream();
    }

    @Test
    void everyBuiltInFunctionAndEveryErrorCodeIsOnThePage() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        for (String f : Builtins.ALL.keySet()) assertTrue(doc.contains("`" + f + "("), "docs/language.md does not show " + f + "(…)");
        for (ErrorKind k : ErrorKind.values()) assertTrue(doc.contains("\n| " + k.code() + " | "), "no row for " + k.code());
        for (String word : Set.of("sgd", "adam", "zeros", "ones", "constant", "uniform", "normal", "xavier_uniform", "xavier_normal",
                "he_uniform", "he_normal")) {
            assertTrue(doc.contains("`" + word), "docs/language.md does not name " + word);
        }
    }

    /**
     * A user has a clone of this repository and nothing beside it: the README and docs/ link the
     * reference, name no file outside the project (the house-price data is path/to/…, with
     * where to download it) and no machine's folders, and every relative link resolves.
     */
    @Test
    void theUserDocsStandAlone() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertTrue(Files.readString(Path.of("README.md")).contains("](docs/language.md)"), "the README links docs/language.md");
        java.util.regex.Pattern link = java.util.regex.Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)");
        for (Path page : pages) {
            String text = Files.readString(page, StandardCharsets.UTF_8);
            for (String outside : List.of("../shared", "/work/", "LANGUAGE.md", "language-notes")) {
                assertFalse(text.contains(outside), page + " refers to " + outside);
            }
            java.util.regex.Matcher m = link.matcher(text);
            while (m.find()) {
                Path target = page.resolveSibling(m.group(1)).normalize();
                assertTrue(Files.exists(target), page + " links " + m.group(1) + ", which does not exist");
            }
        }
    }

    /** Writes the current output after each error block that is followed by an output block. */
    private static void rewriteOutputs(List<String> lines, List<Block> blocks) throws IOException {
        List<String> out = new ArrayList<>(lines);
        for (int n = blocks.size() - 1; n > 0; n--) {
            Block b = blocks.get(n);
            Block prev = blocks.get(n - 1);
            if (!b.info().isEmpty() || !prev.info().startsWith("nn-error ") || b.from() != prev.to() + 2) continue;
            String rendered = Compiler.compile("model.nn", prev.text()).render();
            List<String> repl = rendered.isEmpty() ? List.of() : List.of(rendered.split("\n", -1)).subList(0, rendered.split("\n", -1).length - 1);
            for (int k = b.to() - 1; k >= b.from(); k--) out.remove(k);
            out.addAll(b.from(), repl);
        }
        Files.write(DOC, out, StandardCharsets.UTF_8);
    }
}
