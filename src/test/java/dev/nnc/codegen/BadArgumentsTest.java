package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.passes.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments to a generated class throw {@link IllegalArgumentException} whose message names
 * the argument, what was expected (shape, element count with the dims' values, range) and what
 * was given; and a failed call leaves the instance as it was.
 */
class BadArgumentsTest {
    static final String SOURCE = """
            model Classifier {
                dim batch, seq
                input image : [batch, 6]
                input label : int[batch]
                input tokens : [batch, seq]
                input bias : [3]
                param w : [6, 3] init uniform(-1, 1)
                param b : [3]
                logits = image @ w + b + bias + mean(tokens, axis = 1, keepdims = true)
                output probs = softmax(logits)
                output weights = softmax(tokens)
                loss = cross_entropy(logits, label)
                optimizer sgd(lr = 0.1)
            }
            """;

    static Object model;
    static Compiled compiled;

    @BeforeAll
    static void load() {
        compiled = Agreement.compile(SOURCE).compiled().get(0);
        model = LoadedModel.load(compiled, false, 1, "bad.nn", SOURCE).instance();
    }

    /** Calls {@code method} on {@code target}; returns what it threw, or fails. */
    static IllegalArgumentException thrown(Object target, String method, Object... args) {
        try {
            find(target, method, args.length).invoke(target, args);
        } catch (InvocationTargetException e) {
            return assertInstanceOf(IllegalArgumentException.class, e.getCause(), () -> method + " threw " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return fail(method + " accepted bad arguments");
    }

    static Object call(Object target, String method, Object... args) {
        try {
            return find(target, method, args.length).invoke(target, args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e.getCause() != null ? e.getCause() : e);
        }
    }

    private static Method find(Object target, String method, int arity) {
        for (Method m : target.getClass().getMethods()) if (m.getName().equals(method) && m.getParameterCount() == arity) return m;
        throw new AssertionError(target.getClass() + " has no " + method + " with " + arity + " arguments");
    }

    static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Good arguments for batch = 4, seq = 2, in the order of trainStep and gradients. */
    static Object[] good() {
        return new Object[] {4, 2, filled(24, 0.5), new int[] {0, 1, 2, 1}, filled(8, 0.25), filled(3, 0.1)};
    }

    static Object[] with(int index, Object value) {
        Object[] a = good();
        a[index] = value;
        return a;
    }

    static void assertMessage(String expected, IllegalArgumentException e) {
        assertEquals(expected, e.getMessage());
    }

    @Test
    void theArgumentOrderIsTheDeclarationOrder() {
        assertEquals("[dim:batch, dim:seq, input:image, input:label, input:tokens, input:bias]",
                LoadedModel.load(compiled, false, 1, "bad.nn", SOURCE).output().entries().get("gradients").toString());
    }

    @Test
    void wrongArrayLength() {
        assertMessage("input image [batch, 6] needs 24 elements (batch = 4), got 23",
                thrown(model, "gradients", with(2, new double[23])));
        assertMessage("input image [batch, 6] needs 24 elements (batch = 4), got 30",
                thrown(model, "loss", with(2, new double[30])));
        assertMessage("input label [batch] needs 4 elements (batch = 4), got 5",
                thrown(model, "trainStep", with(3, new int[5])));
        assertMessage("input tokens [batch, seq] needs 8 elements (batch = 4, seq = 2), got 6",
                thrown(model, "gradients", with(4, new double[6])));
        assertMessage("input bias [3] needs 3 elements, got 4", thrown(model, "gradients", with(5, new double[4])));
    }

    @Test
    void wrongOutputArrayLength() {
        // infer(batch, seq, image, tokens, bias, probs, weights)
        assertMessage("output probs [batch, 3] needs 12 elements (batch = 4), got 3",
                thrown(model, "infer", 4, 2, new double[24], new double[8], new double[3], new double[3], new double[8]));
        assertMessage("output weights [batch, seq] needs 8 elements (batch = 4, seq = 2), got 9",
                thrown(model, "infer", 4, 2, new double[24], new double[8], new double[3], new double[12], new double[9]));
    }

    @Test
    void nullArrays() {
        assertMessage("input image [batch, 6] needs 24 elements (batch = 4), got null", thrown(model, "gradients", with(2, null)));
        assertMessage("input label [batch] needs 4 elements (batch = 4), got null", thrown(model, "trainStep", with(3, null)));
        assertMessage("input bias [3] needs 3 elements, got null", thrown(model, "loss", with(5, null)));
        // a null output is not wanted (CallFormsTest)
    }

    @Test
    void nonPositiveDims() {
        assertMessage("dim batch must be at least 1, got 0", thrown(model, "gradients", with(0, 0)));
        assertMessage("dim seq must be at least 1, got -3", thrown(model, "trainStep", with(1, -3)));
        assertMessage("dim batch must be at least 1, got -2147483648",
                thrown(model, "infer", Integer.MIN_VALUE, 1, new double[0], new double[0], new double[3], new double[0], new double[0]));
    }

    @Test
    void dimsTooLargeForAJavaArray() {
        // 6 · 400,000,000 elements do not fit an int: the check computes in long and says so
        assertMessage("input image [batch, 6] needs 2400000000 elements (batch = 400000000), got 24",
                thrown(model, "gradients", with(0, 400_000_000)));
    }

    @Test
    void anIntermediateTooLargeForAJavaArray() {
        String src = """
                model Outer {
                    dim n
                    input a : [n]
                    p = reshape(a, [n, 1]) * reshape(a, [1, n])
                    output o = sum(p, axis = 1) + sum(p, axis = 0)
                }
                """;
        Object outer = LoadedModel.load(Agreement.compile(src).compiled().get(0), false, 0, "outer.nn", src).instance();
        int n = 50_000; // p has n² = 2.5e9 elements, and it is read twice, so it needs a buffer
        assertMessage("these dims need an intermediate of 2500000000 elements, more than a Java array holds",
                thrown(outer, "infer", n, new double[n], new double[n]));
    }

    @Test
    void classLabelsOutOfRange() {
        assertMessage("input label: class label 3 at position 1 is outside [0, 3)",
                thrown(model, "trainStep", with(3, new int[] {0, 3, 1, 2})));
        assertMessage("input label: class label -1 at position 3 is outside [0, 3)",
                thrown(model, "gradients", with(3, new int[] {0, 2, 1, -1})));
        assertMessage("input label: class label 7 at position 0 is outside [0, 3)",
                thrown(model, "loss", with(3, new int[] {7, 0, 0, 0})));
    }

    @Test
    void unknownParameterNames() {
        String known = "; the parameters are [w, b]";
        assertMessage("no parameter named 'W'" + known, thrown(model, "parameter", "W"));
        assertMessage("no parameter named 'image'" + known, thrown(model, "parameterShape", "image"));
        assertMessage("no parameter named ''" + known, thrown(model, "gradient", ""));
        assertMessage("no parameter named 'bias'" + known, thrown(model, "setParameter", "bias", new double[3]));
        assertMessage("no real-valued input named 'label'", thrown(model, "inputGradient", "label"));
        assertMessage("no real-valued input named 'w'", thrown(model, "inputGradient", "w"));
    }

    @Test
    void wrongParameterValues() {
        assertMessage("parameter w needs 18 values, got 17", thrown(model, "setParameter", "w", new double[17]));
        assertMessage("parameter b needs 3 values, got 0", thrown(model, "setParameter", "b", new double[0]));
        assertMessage("parameter b needs 3 values, got null", thrown(model, "setParameter", "b", (Object) null));
    }

    @Test
    void aFailedCallChangesNothing() {
        LoadedModel fresh = LoadedModel.load(compiled, false, 1, "bad.nn", SOURCE);
        Object inst = fresh.instance();
        double[] w = ((double[]) call(inst, "parameter", "w")).clone();
        // a bad label is found in the middle of the run: no update, no step counted
        thrown(inst, "trainStep", with(3, new int[] {0, 1, 9, 1}));
        assertArrayEquals(w, (double[]) call(inst, "parameter", "w"));
        assertEquals(0L, call(inst, "steps"));
        // and the next good call gives what a fresh instance gives
        Object other = LoadedModel.load(compiled, false, 1, "bad.nn", SOURCE).instance();
        assertEquals(call(other, "trainStep", good()), call(inst, "trainStep", good()));
        assertArrayEquals((double[]) call(other, "parameter", "w"), (double[]) call(inst, "parameter", "w"));
        // a wrong length, found before anything runs, leaves the gradients of the last good call
        double[] g = ((double[]) call(inst, "gradient", "w")).clone();
        thrown(inst, "gradients", with(4, new double[1]));
        assertArrayEquals(g, (double[]) call(inst, "gradient", "w"));
    }
}
