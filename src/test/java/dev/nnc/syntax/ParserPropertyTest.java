package dev.nnc.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Renderer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any text gives an AST or diagnostics, never an exception; diagnostics are well formed and
 * few; and the driver agrees with the grammar's own {@code file} rule on what is a syntax error.
 */
class ParserPropertyTest {
    static final List<String> PROGRAMS = List.of(
            StatementTest.EXAMPLE,
            """
            package a.b
            fn sq(x) = x ^ 2
            fn act(x, slope) = leaky_relu(x, slope = slope) + -x.T ^ -1.5
            model Mnist {
                dim batch; const classes = 10
                input x : [batch, 784]
                input label : int[batch]
                param w : [784, classes] init uniform(-0.1, 0.1)
                param b : [classes]
                logits = x @ w +
                    b
                output probs = softmax(logits, -1)
                output logits
                loss = cross_entropy(logits, label) + 1e-4 * sum(sq(w))
                optimizer adam(lr = 1e-3, beta1 = 0.9,
                               beta2 = 0.999)
                precision f64
            }
            """,
            """
            model class { /* Java keywords as names */
                dim input, this
                input String : [input, this]
                param int : [this, 2] init xavier_normal
                r = reshape(String @ int, [input, 2, 1])
                init = sum(r, axis = 1, keepdims = true) // a local named init
                output output = (init - mean(init)) / sqrt(2.5E+3 + .5)
                loss = mse(output, grad(sum(output), int).T @ int)
                optimizer sgd(lr = 0.01, nesterov = false)
            }
            """);

    static final List<String> TOKENS = List.of(
            "model", "fn", "package", "dim", "const", "input", "param", "init", "output", "loss",
            "optimizer", "precision", "int", "true", "false", "T", "x", "relu", "e",
            "(", ")", "[", "]", "{", "}", "+", "-", "*", "/", "@", "^", "=", ":", ",", ".", ";",
            "\n", "\n\n", "//", "/*", "*/", "0", "1e-4", ".5", "2.", "1e999", ".T", "$", "#", "é", "\t",
            " ", "\r\n", "\uD83D\uDE00", "\0", "\"");

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<String> noise() {
        Arbitrary<String> chars = Arbitraries.strings().withChars("(){}[]+-*/@^=:,.;\n \t#$aeTxz019_").ofMaxLength(120);
        Arbitrary<String> tokens = Arbitraries.of(TOKENS).list().ofMaxSize(60).map(ts -> String.join(" ", ts));
        Arbitrary<String> glued = Arbitraries.of(TOKENS).list().ofMaxSize(60).map(ts -> String.join("", ts));
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(60);
        return Arbitraries.oneOf(chars, tokens, glued, any);
    }

    /** One edit: kind, where (a fraction of the length), how many, what to insert. */
    record Edit(int kind, double where, int length, String token) {
        String apply(String s) {
            int at = (int) (where * s.length());
            int end = Math.min(s.length(), at + length);
            return switch (kind) {
                case 0 -> s.substring(0, at) + token.charAt(0) + s.substring(at);
                case 1 -> s.substring(0, at) + s.substring(Math.min(s.length(), at + 1));
                case 2 -> at < s.length() ? s.substring(0, at) + token.charAt(0) + s.substring(at + 1) : s + token;
                case 3 -> s.substring(0, at) + token + s.substring(at);
                case 4 -> s.substring(0, at) + s.substring(end);
                default -> s.substring(0, at) + s.substring(at, end) + s.substring(at);
            };
        }
    }

    @Provide
    Arbitrary<Mutant> mutants() {
        Arbitrary<Edit> edit = Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(1, 12),
                Arbitraries.of(TOKENS)).as(Edit::new);
        return Combinators.combine(Arbitraries.of(PROGRAMS), edit.list().ofMinSize(1).ofMaxSize(4))
                .as((p, edits) -> {
                    String s = p;
                    for (Edit e : edits) s = e.apply(s);
                    return new Mutant(s, edits.size());
                });
    }

    record Mutant(String source, int edits) {
        @Override
        public String toString() {
            return edits + " edit(s):\n" + source;
        }
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 400)
    void randomTextNeverThrows(@ForAll("noise") String src) {
        check(src);
    }

    @Property(tries = 700)
    void mutatedProgramsNeverThrowAndErrorsDoNotCascade(@ForAll("mutants") Mutant m) {
        Diagnostics d = check(m.source());
        // one mistake, one message: a few edits never make a flood
        assertTrue(d.count() <= 2 * m.edits(), () -> d.count() + " diagnostics:\n" + Parse.render(d, m.source()));
        agreeWithGrammar(m.source(), d);
    }

    @Property(tries = 300)
    void driverAgreesWithTheGrammarOnNoise(@ForAll("noise") String src) {
        agreeWithGrammar(src, check(src));
    }

    /** The programs themselves are valid for both. */
    @Property(tries = 10)
    void programsAreValid(@ForAll("programs") String src) {
        Spans.checkFile(Parse.ok(src));
        assertEquals(0, Parse.grammarErrors(src));
    }

    @Provide
    Arbitrary<String> programs() {
        return Arbitraries.of(PROGRAMS);
    }

    // ------------------------------------------------------------------ checks

    /** Parses; no exception; every diagnostic well formed and readable; a clean parse has a sound AST. */
    static Diagnostics check(String src) {
        Diagnostics d = new Diagnostics();
        Ast.File f = Parser.parse("t.nn", src, d);
        if (f == null) assertTrue(d.hasErrors(), "null without a diagnostic");
        for (Diagnostic x : d.all()) {
            Spans.wellFormed(src, x.span());
            String msg = x.message();
            assertFalse(msg.isBlank());
            assertTrue(msg.length() < 160, msg);
            for (String raw : new String[] {"mismatched input", "expecting", "extraneous", "no viable", "token recognition"}) {
                assertFalse(msg.contains(raw), msg);
            }
            assertFalse(msg.startsWith("internal error"), () -> msg + "\n" + src);
            String shown = Renderer.render(x, src);
            assertTrue(shown.startsWith("t.nn:" + x.span().line() + ":" + x.span().col() + ": error[E"), shown);
            assertTrue(shown.contains("^"), shown);
        }
        if (!d.hasErrors()) Spans.checkFile(f);
        return d;
    }

    /** The driver finds a syntax error exactly when the grammar's own file rule does. */
    static void agreeWithGrammar(String src, Diagnostics d) {
        int grammar = Parse.grammarErrors(src);
        if (grammar < 0) return; // a size or depth limit: the grammar is not run
        boolean driver = d.all().stream().anyMatch(ParserPropertyTest::isGrammarLevel);
        assertEquals(grammar > 0, driver, () -> "grammar errors: " + grammar + ", driver:\n" + Parse.render(d, src) + "\nsource:\n" + src);
    }

    /** Diagnostics that the grammar alone would also find (not the builder's extra checks). */
    static boolean isGrammarLevel(Diagnostic d) {
        if (d.kind() == ErrorKind.BAD_CHARACTER || d.kind() == ErrorKind.UNTERMINATED_COMMENT) return true;
        if (d.kind() != ErrorKind.SYNTAX) return false;
        String m = d.message();
        return !(m.startsWith("unknown postfix") || m.startsWith("an initializer is") || m.startsWith("number ")
                || m.startsWith("the package statement must"));
    }
}
