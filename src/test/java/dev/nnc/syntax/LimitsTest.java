package dev.nnc.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Renderer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hostile sizes and depths: a diagnostic, quickly, never an exception. */
class LimitsTest {
    private static final Duration FAST = Duration.ofSeconds(10);

    private record Outcome(Ast.File file, Diagnostics diags) {
        Diagnostic first() {
            return diags.all().get(0);
        }
    }

    private static Outcome parse(String src) {
        Diagnostics d = new Diagnostics();
        Ast.File f = assertTimeout(FAST, () -> Parser.parse("t.nn", src, d));
        for (Diagnostic x : d.all()) Renderer.render(x, src); // rendering is safe too
        return new Outcome(f, d);
    }

    private static String stmt(String expr) {
        return "model M {\n  x = " + expr + "\n}\n";
    }

    @Test
    void hundredThousandOpenParentheses() {
        Outcome o = parse(stmt("(".repeat(100_000)));
        assertNull(o.file());
        assertEquals(1, o.diags().count());
        assertEquals(ErrorKind.TOO_DEEP, o.first().kind());
        assertEquals("expression nested too deeply (more than 1000 levels)", o.first().message());
        assertEquals(2, o.first().span().line());
        assertEquals(7 + Parser.MAX_NESTING, o.first().span().col());
    }

    @Test
    void nestingUpToTheLimitIsFine() {
        Outcome ok = parse(stmt("(".repeat(1000) + "x" + ")".repeat(1000)));
        assertEquals(0, ok.diags().count());
        assertEquals("(= x x)", SExpr.of(ok.file().models().get(0).body().get(0)));
        Outcome deep = parse(stmt("[".repeat(1001) + "x" + "]".repeat(1001)));
        assertEquals(ErrorKind.TOO_DEEP, deep.first().kind());
    }

    @Test
    void deepNestingDoesNotNeedTheCallersStack() throws Exception {
        // the parse of deep input runs on its own thread; the caller may have a tiny stack
        String src = stmt("f(".repeat(990) + "x" + ")".repeat(990));
        Outcome[] out = new Outcome[1];
        Thread t = new Thread(null, () -> out[0] = parse(src), "small", 128 * 1024);
        t.start();
        t.join();
        assertNotNull(out[0]);
        assertEquals(0, out[0].diags().count());
    }

    @Test
    void tenMegabyteExpression() {
        Outcome o = parse(stmt("1" + "+1".repeat(5_000_000)));
        assertNull(o.file());
        assertEquals(ErrorKind.TOO_LARGE, o.first().kind());
        assertEquals("source too large: a statement of more than 100000 tokens", o.first().message());
    }

    @Test
    void longChainsAreBuiltWithoutRecursionAndCappedInDepth() {
        // 1000 terms make a tree 1000 nodes deep: accepted
        Outcome ok = parse(stmt("1" + "+1".repeat(999)));
        assertEquals(0, ok.diags().count());
        // one more is too deep for the recursive walkers downstream
        for (String chain : new String[] {
                "1" + "+1".repeat(1000),
                "1" + "+1".repeat(20_000),
                "1" + "*1".repeat(20_000),
                "1" + "@1".repeat(20_000),
                "2" + "^2".repeat(20_000),
                "-".repeat(20_000) + "1",
                "x" + ".T".repeat(20_000),
                "f(".repeat(999) + "1" + ")".repeat(999) + "+1",
        }) {
            Outcome o = parse("model M {\n  a = 1\n  x = " + chain + "\n  b = 2\n}\n");
            assertEquals(1, o.diags().count(), chain.substring(0, 10));
            assertEquals(ErrorKind.TOO_DEEP, o.first().kind());
            assertEquals(3, o.first().span().line());
            assertEquals(7, o.first().span().col());
            // the statement is dropped, the rest is kept
            assertEquals("(model M\n  (= a 1)\n  (= b 2))", SExpr.of(o.file()));
        }
    }

    @Test
    void wideButShallowIsFine() {
        Outcome o = parse(stmt("f(" + "1, ".repeat(30_000) + "1)"));
        assertEquals(0, o.diags().count());
        assertEquals(30_001, ((Ast.Call) ((Ast.AssignStmt) o.file().models().get(0).body().get(0)).value()).args().size());
    }

    @Test
    void sourceSizeLimit() {
        Outcome o = parse("//" + "x".repeat(Parser.MAX_SOURCE_CHARS));
        assertNull(o.file());
        assertEquals(ErrorKind.TOO_LARGE, o.first().kind());
        assertEquals("source too large: 16777218 characters (the limit is 16777216)", o.first().message());
        // just under the limit, a big comment is fine
        Outcome big = parse("/*" + "x".repeat(Parser.MAX_SOURCE_CHARS - 20) + "*/ model M {}");
        assertEquals(0, big.diags().count());
        assertEquals(1, big.file().models().size());
    }

    @Test
    void tokenLimit() {
        Outcome o = parse(";".repeat(Parser.MAX_TOKENS + 10));
        assertNull(o.file());
        assertEquals("source too large: more than 2000000 tokens", o.first().message());
    }

    @Test
    void manyStatementsAndManyErrors() {
        StringBuilder sb = new StringBuilder("model M {\n");
        for (int i = 0; i < 5_000; i++) sb.append("  x").append(i).append(" = relu(a @ b + c) $\n");
        sb.append("}\n");
        Outcome o = parse(sb.toString());
        assertEquals(5_000, o.diags().count());
        assertTrue(o.diags().all().stream().allMatch(d -> d.kind() == ErrorKind.BAD_CHARACTER));
        Outcome blank = parse("\n".repeat(5_000_000) + "model M {}");
        assertEquals(0, blank.diags().count());
    }
}
