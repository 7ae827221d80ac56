package dev.nnc.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.diag.ErrorKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One case per error kind, INPUT → YIELDS: each case of {@code diagnostics/cases.txt} is
 * compiled as {@code t.nn} and its rendered diagnostics must match the expected text exactly.
 */
class DiagnosticsTest {
    private static final Path CASES = Path.of("src/test/resources/diagnostics/cases.txt");

    record Case(String title, String source, String expected) {}

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        String title = null;
        StringBuilder src = null, exp = null;
        boolean inExpected = false;
        for (String line : Files.readAllLines(CASES, StandardCharsets.UTF_8)) {
            if (line.startsWith("=== ")) {
                if (title != null) out.add(new Case(title, src.toString(), exp.toString()));
                title = line.substring(4);
                src = new StringBuilder();
                exp = new StringBuilder();
                inExpected = false;
            } else if (title == null) {
                continue; // header comments
            } else if (line.equals("---") && !inExpected) {
                inExpected = true;
            } else if (inExpected) {
                exp.append(line).append('\n');
            } else {
                src.append(line).append('\n');
            }
        }
        if (title != null) out.add(new Case(title, src.toString(), exp.toString()));
        return out;
    }

    static String render(Case c) {
        Compiler.Result r = Compiler.compile("t.nn", c.source());
        return r.render();
    }

    @TestFactory
    Stream<DynamicTest> eachCaseRendersExactly() throws IOException {
        List<Case> cases = cases();
        if (Boolean.getBoolean("nnc.updateGolden")) rewrite(cases);
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.title(), () -> {
            String got = render(c);
            assertFalse(got.isEmpty(), "no diagnostics for " + c.title());
            assertEquals(c.expected(), got, c.title());
        }));
    }

    @Test
    void everyErrorKindHasACase() throws IOException {
        Set<ErrorKind> covered = EnumSet.noneOf(ErrorKind.class);
        for (Case c : cases()) {
            for (ErrorKind k : ErrorKind.values()) {
                if (c.expected().contains("error[" + k.code() + "]")) covered.add(k);
            }
        }
        // Kinds reported outside a source file's compilation, tested where they arise.
        // E6xx need every input of a run: dev.nnc.build.GeneratorTest.
        Set<ErrorKind> elsewhere = EnumSet.of(ErrorKind.TOO_LARGE, ErrorKind.UNKNOWN_MODEL,
                ErrorKind.CLASS_CLASH, ErrorKind.FOLDER_PACKAGE);
        for (ErrorKind k : ErrorKind.values()) {
            if (!elsewhere.contains(k)) assertTrue(covered.contains(k), "no diagnostics case yields " + k + " (" + k.code() + ")");
        }
    }

    /** Rewrites the expected parts from the current output (review the diff!). */
    private static void rewrite(List<Case> cases) throws IOException {
        List<String> lines = Files.readAllLines(CASES, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            if (l.startsWith("=== ")) break;
            sb.append(l).append('\n');
        }
        for (Case c : cases) {
            sb.append("=== ").append(c.title()).append('\n').append(c.source()).append("---\n").append(render(c));
        }
        Files.writeString(CASES, sb.toString(), StandardCharsets.UTF_8);
    }
}
