package dev.nnc.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.Compiler;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.codegen.LoadedModel;
import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.ErrorKind;
import dev.nnc.passes.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Hostile inputs, each with the clear diagnostic (or, for generated code, the
 * IllegalArgumentException) it must give: huge sizes, deep nesting, long chains, many
 * statements and many errors. Every case is bounded by a generous timeout, so a hang fails
 * instead of blocking the build; nothing here asserts speed beyond that. Hostile files through
 * the command line (sources, safetensors, CSV, saved metadata) are in
 * {@code dev.nnc.cli.HostileFilesTest}.
 */
class HostileInputsTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    private static <T> T bounded(Supplier<T> work) {
        return assertTimeoutPreemptively(BOUND, work::get, "no hang");
    }

    /** Compiles and renders within the bound; never throws. */
    private static Compiler.Result compile(String source) {
        return bounded(() -> {
            Compiler.Result r = Compiler.compile("t.nn", source);
            r.render();
            return r;
        });
    }

    private static Diagnostic onlyError(Compiler.Result r, ErrorKind kind) {
        List<Diagnostic> all = r.diagnostics().all();
        assertTrue(!all.isEmpty() && all.stream().allMatch(d -> d.kind() == kind), () -> "expected only " + kind + ":\n" + r.render());
        return all.get(0);
    }

    private static String model(String... lines) {
        return "model M {\n    " + String.join("\n    ", lines) + "\n}\n";
    }

    // ------------------------------------------------------------------ nesting and size

    @Test
    void hundredThousandNestedParentheses() {
        Compiler.Result r = compile(model("input x : [2]", "output y = " + "(".repeat(100_000) + "x" + ")".repeat(100_000)));
        Diagnostic d = onlyError(r, ErrorKind.TOO_DEEP);
        assertEquals(1, r.diagnostics().count());
        assertEquals("expression nested too deeply (more than 1000 levels)", d.message());
    }

    @Test
    void tenMegabyteExpression() {
        Compiler.Result r = compile(model("input x : [2]", "output y = x" + " + x".repeat(2_500_000)));
        Diagnostic d = onlyError(r, ErrorKind.TOO_LARGE);
        assertEquals("source too large: a statement of more than 100000 tokens", d.message());
    }

    @Test
    void shapeOfTenBillionElements() {
        Diagnostic d = onlyError(compile(model("param w : [100000, 100000]", "output y = sum(w)")), ErrorKind.SIZE_OVERFLOW);
        assertEquals("shape [100000, 100000] has 10000000000 elements; nnc supports at most 2147483647 elements per tensor",
                d.message());
    }

    @Test
    void sizesThatOverflowIntAndLong() {
        assertEquals("dimension 2147483648 has 2147483648 elements; nnc supports at most 2147483647 elements per tensor",
                onlyError(compile(model("input x : [2147483648]", "output y = x")), ErrorKind.SIZE_OVERFLOW).message());
        assertEquals("shape [65536, 65536] has 4294967296 elements; nnc supports at most 2147483647 elements per tensor",
                onlyError(compile(model("input x : [65536, 65536]", "output y = x")), ErrorKind.SIZE_OVERFLOW).message());
        // the product of these overflows a long: reported as more than the largest long, not wrapped
        String big = "2147483647, ".repeat(3);
        assertEquals("shape [2147483647, 2147483647, 2147483647] has more than 9223372036854775807 elements; "
                        + "nnc supports at most 2147483647 elements per tensor",
                onlyError(compile(model("input x : [" + big + "]", "output y = x")), ErrorKind.SIZE_OVERFLOW).message());
    }

    @Test
    void hugeConstantsAsSizes() {
        String e410 = "dimension n = 1.0E300 has 1.0E300 elements; nnc supports at most 2147483647 elements per tensor";
        assertEquals(e410, onlyError(compile(model("const n = 1e300", "input x : [n]", "output y = x")),
                ErrorKind.SIZE_OVERFLOW).message());
        assertEquals(e410, onlyError(compile(model("const n = 1e300", "input x : [4]", "output y = reshape(x, [n])")),
                ErrorKind.SIZE_OVERFLOW).message());
        // 1e300 as one_hot's class count: no longer cast to int silently (it became 2147483647)
        assertEquals("one_hot with n = 1.0E300 has at least 1.0E300 elements; nnc supports at most 2147483647 elements per tensor",
                onlyError(compile(model("const n = 1e300", "input l : int[4]", "output y = one_hot(l, n = n)")),
                        ErrorKind.SIZE_OVERFLOW).message());
    }

    @Test
    void oneHotNeedsAPositiveIntegerClassCount() {
        // fuzzing finding: a negative n threw IllegalArgumentException out of the compiler
        for (String n : new String[] {"-5", "0", "2.5", "0 / 0"}) {
            Diagnostic d = onlyError(compile(model("input l : int[4]", "output y = one_hot(l, n = " + n + ")")),
                    ErrorKind.BAD_ARG_VALUE);
            assertTrue(d.message().startsWith("argument 'n' of one_hot must be a positive integer, got "), d.message());
        }
    }

    @Test
    void reshapeToOverflowingSizes() {
        assertEquals("shape [65536, 65536] has 4294967296 elements; nnc supports at most 2147483647 elements per tensor",
                onlyError(compile(model("input x : [4]", "output y = reshape(x, [65536, 65536])")),
                        ErrorKind.SIZE_OVERFLOW).message());
        assertEquals("shape [b, 65536, 65536] has 4294967296 elements; nnc supports at most 2147483647 elements per tensor",
                onlyError(compile(model("dim b", "input x : [b, 4]", "output y = reshape(x, [b, 65536, 65536])")),
                        ErrorKind.SIZE_OVERFLOW).message());
    }

    @Test
    void packagesMustBeJavaPackages() {
        // fuzzing finding: `package fuzz.int` compiled, and the generated class did not
        String m = model("input x : [3]", "output y = x");
        assertEquals("package a.int cannot hold the generated Java classes: 'int' is a reserved word in Java",
                onlyError(compile("package a.int\n" + m), ErrorKind.JAVA_PACKAGE).message());
        assertEquals("package java.nn cannot hold the generated Java classes: Java reserves the packages java.*",
                onlyError(compile("package java.nn\n" + m), ErrorKind.JAVA_PACKAGE).message());
        assertEquals("package javax.swing cannot hold the generated Java classes: the JDK has a package of that name",
                onlyError(compile("package javax.swing\n" + m), ErrorKind.JAVA_PACKAGE).message());
        // .nn keywords that are no Java keywords are fine, and so is a Java contextual keyword
        Compiler.Result ok = compile("package model.dim.var.record\n" + m);
        assertTrue(ok.ok(), ok::render);
        JavaEmitter.Output out = JavaEmitter.emit(ok.compiled().get(0), new JavaEmitter.Options(null, true, "t.nn", null));
        dev.nnc.codegen.InMemoryJavac.compile(out.qualifiedName(), out.source());
    }

    @Test
    void nonFiniteConstantsInGeneratedCode() {
        // fuzzing finding: x ^ inf was emitted as Math.pow(x, Infinity), which does not compile;
        // the same held for elu's alpha and the arguments of uniform and normal
        String inf = "(1e308 * 10)";
        String nan = "(0 / 0)";
        String src = model("input x : [3]",
                "param w : [3, 3] init uniform(-" + inf + ", " + inf + ")",
                "param v : [3] init normal(" + nan + ", " + inf + ")",
                "param u : [3] init constant(" + nan + ")",
                "y = elu(x, alpha = " + inf + ") + leaky_relu(x, slope = " + nan + ") + x ^ " + nan + " + x ^ -" + inf,
                "output o = y @ w + v + u",
                "loss = huber(o, x, delta = " + inf + ") + mse(o, x)",
                "optimizer adam");
        Compiler.Result r = compile(src);
        assertTrue(r.ok(), r::render);
        for (boolean f32 : new boolean[] {true, false}) {
            JavaEmitter.Output out = JavaEmitter.emit(r.compiled().get(0), new JavaEmitter.Options(null, f32, "t.nn", src));
            bounded(() -> dev.nnc.codegen.InMemoryJavac.compile(out.qualifiedName(), out.source()));
        }
    }

    // ------------------------------------------------------------------ functions and statements

    /** {@code fn f1(x) = f2(x) + 1}, …, {@code fn fN(x) = x * 2}, and a model calling f1. */
    private static String fnChain(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < n; i++) sb.append("fn f").append(i).append("(x) = f").append(i + 1).append("(x) + 1\n");
        sb.append("fn f").append(n).append("(x) = x * 2\n");
        return sb + model("input x : [3]", "output y = f1(x)");
    }

    @Test
    void fiveHundredNestedFunctionCalls() throws Exception {
        // fuzzing finding: a chain of ~1000 fns overflowed the default 1 MB stack (recursive cycle
        // search and inlining); now the checker runs on a large stack of its own, so even a caller
        // with a tiny stack compiles a 500-deep chain
        Compiler.Result[] out = new Compiler.Result[1];
        Thread small = new Thread(null, () -> out[0] = Compiler.compile("t.nn", fnChain(500)), "small-stack", 256 * 1024);
        small.start();
        small.join(BOUND.toMillis());
        assertNotNull(out[0], "no result: the compile failed or hung");
        assertTrue(out[0].ok(), out[0]::render);
        assertTrue(compile(fnChain(4000)).ok());
    }

    @Test
    void inliningDeeperThanTheLimitIsAnError() {
        Compiler.Result r = compile(fnChain(20_000));
        Diagnostic d = onlyError(r, ErrorKind.TOO_DEEP);
        assertEquals(1, r.diagnostics().count());
        assertEquals("expression nested too deeply (more than 10000 levels)", d.message());
        assertEquals(20_003, d.span().line()); // at the call in the model
        assertEquals("functions are inlined, so the chain of calls f1 → f2 → f3 → … → f4999 → f5000 (5000 calls) "
                + "nests their bodies inside each other", d.hint());
    }

    @Test
    void longRecursiveCycle() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 20_000; i++) sb.append("fn f").append(i).append("(x) = f").append(i % 20_000 + 1).append("(x)\n");
        Compiler.Result r = compile(sb + model("input x : [3]", "output y = f1(x)"));
        Diagnostic d = onlyError(r, ErrorKind.RECURSIVE_FN);
        assertEquals(1, r.diagnostics().count());
        assertTrue(d.message().startsWith("function 'f1' is recursive (f1 → f2 → "), d.message());
    }

    @Test
    void tenThousandStatements() {
        StringBuilder sb = new StringBuilder("model M {\n    dim batch\n    input x : [batch, 4]\n    param w : [4]\n    h0 = x\n");
        for (int i = 1; i <= 10_000; i++) sb.append("    h").append(i).append(" = h").append(i - 1).append(" * w + ").append(i % 7).append('\n');
        sb.append("    output y = h10000\n    loss = mean(h10000)\n    optimizer sgd(lr = 0.1)\n}\n");
        Compiler.Result r = compile(sb.toString());
        assertTrue(r.ok(), r::render);
        String java = bounded(() -> JavaEmitter.emit(r.compiled().get(0), new JavaEmitter.Options(null, true, "t.nn", null)).source());
        assertTrue(java.contains("public float trainStep("));
    }

    @Test
    void hundredsOfThousandsOfErrors() {
        // fuzzing finding: reporting and rendering n errors took time quadratic in n (a duplicate
        // check scanned the whole list, rendering rescanned the source for every line): 300,000
        // bad statements did not finish in five minutes (80,000 took 84 s; 100,000 take about 1 s now)
        Compiler.Result r = compile(model("x = $\n".repeat(100_000)));
        assertEquals(100_000, r.diagnostics().count());
        onlyError(r, ErrorKind.BAD_CHARACTER);
        Compiler.Result names = compile(model("input y : [2]", "x = z\n".repeat(100_000), "output o = y"));
        assertEquals(100_000, names.diagnostics().count());
        onlyError(names, ErrorKind.UNKNOWN_NAME);
    }

    /** {@code grad(logsumexp(grad(logsumexp(grad(logsumexp(base), w)), w)), w)}: three orders more. */
    private static String threeOrders(String base) {
        return "grad(logsumexp(grad(logsumexp(grad(logsumexp(" + base + "), w)), w)), w)";
    }

    @Test
    void nestedGradientsHitTheGraphLimit() {
        // fuzzing finding: 12 nested orders of grad (four groups of three) never finished,
        // growing the graph about 28-fold per group until the heap was gone
        String twelve = threeOrders(threeOrders(threeOrders(threeOrders("w"))));
        Compiler.Result r = compile(model("param w : [1]", "output o = " + twelve));
        Diagnostic d = onlyError(r, ErrorKind.TOO_LARGE);
        assertEquals("source too large: model M needs more than 1000000 graph nodes", d.message());
        assertEquals(3, d.span().line()); // the statement that outgrew it
        assertEquals("each order of a nested grad() multiplies the graph, and very long models need many nodes too", d.hint());
        // nine orders check, and two more in the loss outgrow the limit while differentiating it
        String nine = threeOrders(threeOrders(threeOrders("w")));
        Compiler.Result loss = compile(model("param w : [1]", "o = " + nine,
                "loss = sum(grad(logsumexp(grad(logsumexp(o), w)), w))"));
        assertEquals(1, onlyError(loss, ErrorKind.TOO_LARGE).span().line()); // at the model
    }

    // ------------------------------------------------------------------ sizes at run time

    private static Object load(String source) {
        Compiler.Result r = compile(source);
        assertTrue(r.ok(), r::render);
        Compiled c = r.compiled().get(0);
        return LoadedModel.load(c, true, 1, "t.nn", source).instance();
    }

    private static IllegalArgumentException thrown(Object model, String method, Object... args) {
        for (Method m : model.getClass().getMethods()) {
            if (!m.getName().equals(method) || m.getParameterCount() != args.length) continue;
            try {
                bounded(() -> {
                    try {
                        return m.invoke(model, args);
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    } catch (InvocationTargetException e) {
                        throw new Wrapped(e.getCause());
                    }
                });
            } catch (Wrapped w) {
                return assertInstanceOf(IllegalArgumentException.class, w.getCause(), () -> method + " threw " + w.getCause());
            }
            return fail(method + " accepted dims that are too large");
        }
        throw new AssertionError("no method " + method);
    }

    private static final class Wrapped extends RuntimeException {
        Wrapped(Throwable cause) {
            super(cause);
        }
    }

    @Test
    void dimsWhoseProductOverflowsAtRunTime() {
        // fuzzing-guided finding: three broadcast dims of 2^21 make a 2^63-element tensor; its
        // size in long wrapped to Long.MIN_VALUE, grow() allocated an empty buffer and the kernel
        // threw ArrayIndexOutOfBoundsException; with 2048 each (2^33 elements) nothing was
        // allocated at all and mean() divided by an int product that had wrapped to 0
        String src = model("dim a, b, c", "input x : [a, 1, 1]", "input y : [1, b, 1]", "input z : [1, 1, c]",
                "h = exp(clamp(x, y, z))", "output s = sum(h * h) + max(h)", "output m = mean(clamp(x, y, z))");
        Object m = load(src);
        for (int n : new int[] {2048, 1 << 21, (1 << 21) + 1}) {
            IllegalArgumentException e = thrown(m, "infer", n, n, n, new float[n], new float[n], new float[n], new float[1], new float[1]);
            assertEquals("dims a = " + n + ", b = " + n + ", c = " + n
                    + " make a tensor [a, b, c] of more than 2147483647 elements, more than nnc supports", e.getMessage());
        }
    }

    @Test
    void inputWhoseLongSizeWrapsToZero() {
        // 65536^4 = 2^64 is 0 in long: an empty array passed the length check
        Object m = load(model("dim a, b, c, d", "input x : [a, b, c, d]", "output s = mean(x)"));
        int n = 65536;
        IllegalArgumentException e = thrown(m, "infer", n, n, n, n, new float[0], new float[1]);
        assertTrue(e.getMessage().startsWith("dims a = 65536, b = 65536, c = 65536, d = 65536 make a tensor [a, b, c, d]"),
                e.getMessage());
    }

    @Test
    void intermediateTooLargeForAJavaArray() {
        // one dim of 100000 with a static size of 100000: 10^10 elements; the buffer check reports it
        Object m = load(model("dim b", "input x : [b, 1]", "param w : [1, 100000]", "param v : [100000, 1]",
                "h = tanh(x @ w)", "output y = sum(h @ v)"));
        int b = 100_000;
        IllegalArgumentException e = thrown(m, "infer", b, new float[b], new float[1]);
        assertEquals("these dims need an intermediate of 10000000000 elements, more than a Java array holds", e.getMessage());
    }
}
