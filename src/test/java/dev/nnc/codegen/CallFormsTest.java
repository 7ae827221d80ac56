package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.passes.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The named form of the entry methods ({@code infer(Args)} and so on): arrays longer than needed
 * with offsets (a batch cut from a larger array) give the results of the positional form on
 * exact copies, bit for bit, and write nothing outside their range; an output that is not set
 * is not wanted; inputs not set, short arrays, negative offsets and an output that is an input
 * are refused with the argument's name. The positional form takes null for an unwanted output.
 * {@code trainingPass} has both forms too, delegated or planned on its own.
 */
class CallFormsTest {
    static final String SOURCE = BadArgumentsTest.SOURCE;
    static final Compiled COMPILED = Agreement.compile(SOURCE).compiled().get(0);

    static Object load(boolean f32) {
        return LoadedModel.load(COMPILED, f32, 1, "bad.nn", SOURCE).instance();
    }

    static Object invoke(Object target, String name, Object... args) {
        for (Method m : target.getClass().getMethods()) {
            if (!m.getName().equals(name) || m.getParameterCount() != args.length) continue;
            if (args.length == 1 && args[0] != null && !m.getParameterTypes()[0].isPrimitive() && !m.getParameterTypes()[0].isInstance(args[0])) continue;
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new AssertionError(e.getCause());
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(target.getClass().getSimpleName() + " has no " + name + " with " + args.length + " arguments");
    }

    static Object args(Object model) throws ReflectiveOperationException {
        for (Class<?> c : model.getClass().getClasses()) if (c.getSimpleName().equals("Args")) return c.getConstructor().newInstance();
        throw new AssertionError("no nested Args class");
    }

    /** Calls the setter {@code name} on the holder and returns the holder. */
    static Object set(Object args, String name, Object... values) {
        Object r = invoke(args, name, values);
        assertTrue(r == args, "setters return the holder");
        return r;
    }

    static double[] random(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextGaussian();
        return a;
    }

    static int[] labels(Random r, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(3);
        return a;
    }

    @Test
    void offsetsIntoLargerArraysGiveThePositionalResultsOnCopies() throws ReflectiveOperationException {
        Random rnd = new Random(3);
        int batch = 4, seq = 2, rows = 10, first = 5;
        double[] images = random(rnd, rows * 6), tokens = random(rnd, rows * seq), bias = random(rnd, 3);
        int[] labels = labels(rnd, rows);
        double[] image = Arrays.copyOfRange(images, first * 6, (first + batch) * 6);
        double[] token = Arrays.copyOfRange(tokens, first * seq, (first + batch) * seq);
        int[] label = Arrays.copyOfRange(labels, first, first + batch);

        Object positional = load(false), named = load(false);
        double[] probs = new double[batch * 3], weights = new double[batch * seq];
        invoke(positional, "infer", batch, seq, image, token, bias, probs, weights);
        // outputs at an offset into larger arrays filled with a sentinel
        double[] allProbs = new double[rows * 3], allWeights = new double[rows * seq];
        Arrays.fill(allProbs, -7);
        Arrays.fill(allWeights, -7);
        Object a = args(named);
        set(a, "batch", batch);
        set(a, "seq", seq);
        set(a, "image", images, first * 6);
        set(a, "tokens", tokens, first * seq);
        set(a, "bias", bias);
        set(a, "probs", allProbs, first * 3);
        set(a, "weights", allWeights, first * seq);
        invoke(named, "infer", a);
        assertArrayEquals(probs, Arrays.copyOfRange(allProbs, first * 3, (first + batch) * 3));
        assertArrayEquals(weights, Arrays.copyOfRange(allWeights, first * seq, (first + batch) * seq));
        for (int i = 0; i < rows * 3; i++) if (i < first * 3 || i >= (first + batch) * 3) assertEquals(-7, allProbs[i], "probs[" + i + "]");

        // offset 0 into a longer array: read and written in place
        double[] longer = Arrays.copyOf(image, image.length + 12), longProbs = new double[probs.length + 5];
        set(a, "image", longer, 0);
        set(a, "probs", longProbs, 0);
        set(a, "weights", null, 0);
        invoke(named, "infer", a);
        assertArrayEquals(probs, Arrays.copyOf(longProbs, probs.length));

        // the losses and a training step agree too
        set(a, "image", images, first * 6);
        set(a, "label", labels, first);
        assertEquals(invoke(positional, "loss", batch, seq, image, label, token, bias), invoke(named, "loss", a));
        assertEquals(invoke(positional, "gradients", batch, seq, image, label, token, bias), invoke(named, "gradients", a));
        assertArrayEquals((double[]) invoke(positional, "inputGradient", "image"), (double[]) invoke(named, "inputGradient", "image"));
        for (int step = 0; step < 3; step++) {
            assertEquals(invoke(positional, "trainStep", batch, seq, image, label, token, bias), invoke(named, "trainStep", a));
        }
        assertArrayEquals((double[]) invoke(positional, "parameter", "w"), (double[]) invoke(named, "parameter", "w"));
        // the caller's arrays are only read
        assertEquals(labels[first], label[0]);
        assertArrayEquals(Arrays.copyOfRange(images, first * 6, (first + batch) * 6), image);
    }

    @Test
    void unwantedOutputsAreNullOrNotSet() throws ReflectiveOperationException {
        Random rnd = new Random(4);
        double[] image = random(rnd, 24), token = random(rnd, 8), bias = random(rnd, 3);
        Object m = load(true);
        float[] fi = toFloat(image), ft = toFloat(token), fb = toFloat(bias);
        float[] probs = new float[12], weights = new float[8];
        invoke(m, "infer", 4, 2, fi, ft, fb, probs, weights);
        float[] onlyProbs = new float[12], onlyWeights = new float[8];
        invoke(m, "infer", 4, 2, fi, ft, fb, onlyProbs, null);
        invoke(m, "infer", 4, 2, fi, ft, fb, null, onlyWeights);
        assertArrayEquals(probs, onlyProbs);
        assertArrayEquals(weights, onlyWeights);
        Object a = args(m);
        set(a, "batch", 4);
        set(a, "seq", 2);
        set(a, "image", fi);
        set(a, "tokens", ft);
        set(a, "bias", fb);
        set(a, "weights", onlyWeights = new float[8]);
        invoke(m, "infer", a);
        assertArrayEquals(weights, onlyWeights);
    }

    /**
     * {@code trainingPass} has the same two forms: delegated to {@code infer} and
     * {@code gradients} (a model whose modes do not differ) and planned on its own (batch norm:
     * batch statistics and the buffers' updates), each with offsets into larger arrays and an
     * unwanted output, against the positional form on exact copies.
     */
    @Test
    void trainingPassTakesOffsetsAndUnwantedOutputs() throws Exception {
        Random rnd = new Random(6);
        int batch = 4, seq = 2, rows = 9, first = 3;
        double[] images = random(rnd, rows * 6), tokens = random(rnd, rows * seq), bias = random(rnd, 3);
        int[] labels = labels(rnd, rows);
        Object positional = load(false), named = load(false);
        double[] image = Arrays.copyOfRange(images, first * 6, (first + batch) * 6), token = Arrays.copyOfRange(tokens, first * seq, (first + batch) * seq);
        int[] label = Arrays.copyOfRange(labels, first, first + batch);
        double[] probs = new double[batch * 3], weights = new double[batch * seq];
        Object loss = invoke(positional, "trainingPass", batch, seq, image, label, token, bias, probs, weights);
        double[] allProbs = new double[rows * 3];
        Arrays.fill(allProbs, -7);
        Object a = args(named);
        set(a, "batch", batch);
        set(a, "seq", seq);
        set(a, "image", images, first * 6);
        set(a, "label", labels, first);
        set(a, "tokens", tokens, first * seq);
        set(a, "bias", bias);
        set(a, "probs", allProbs, first * 3);
        assertEquals(loss, invoke(named, "trainingPass", a));
        assertArrayEquals(probs, Arrays.copyOfRange(allProbs, first * 3, (first + batch) * 3));
        assertEquals(-7, allProbs[first * 3 - 1]);
        assertEquals(-7, allProbs[(first + batch) * 3]);
        assertArrayEquals((double[]) invoke(positional, "gradient", "w"), (double[]) invoke(named, "gradient", "w"));
        assertArrayEquals((double[]) invoke(positional, "inputGradient", "image"), (double[]) invoke(named, "inputGradient", "image"));
        assertEquals("output probs [batch, 3] needs 12 elements (batch = 4), got 13",
                refused(positional, "trainingPass", batch, seq, image, label, token, bias, new double[13], null));
        // delegated, an output that is an input only the loss reads would be overwritten before the loss reads it
        String lrSource = java.nio.file.Files.readString(java.nio.file.Path.of("generated-examples/logistic_regression.nn"));
        Object lr = LoadedModel.load(Agreement.compile(lrSource).compiled().get(0), false, 1, "logistic_regression.nn", lrSource).instance();
        double[] y = new double[4];
        assertEquals("output probability and input y are the same array; give the output an array of its own",
                refused(lr, "trainingPass", 4, new double[16], y, y));

        String bnSource = java.nio.file.Files.readString(java.nio.file.Path.of("generated-examples/batchnorm_mlp.nn"));
        Compiled bn = Agreement.compile(bnSource).compiled().get(0);
        LoadedModel bnFirst = LoadedModel.load(bn, true, 2, "batchnorm_mlp.nn", bnSource);
        Object bnPositional = bnFirst.instance(), bnNamed = LoadedModel.of(bn, bnFirst.output(), bnPositional.getClass(), true, 2).instance();
        float[] xs = toFloat(random(rnd, rows * 64));
        float[] x = Arrays.copyOfRange(xs, first * 64, (first + batch) * 64);
        float[] logits = new float[batch * 10], allLogits = new float[rows * 10];
        Object bnLoss = invoke(bnPositional, "trainingPass", batch, x, label, logits);
        Object b = args(bnNamed);
        set(b, "batch", batch);
        set(b, "x", xs, first * 64);
        set(b, "label", labels, first);
        set(b, "logits", allLogits, first * 10);
        assertEquals(bnLoss, invoke(bnNamed, "trainingPass", b));
        assertArrayEquals(logits, Arrays.copyOfRange(allLogits, first * 10, (first + batch) * 10));
        assertArrayEquals((float[]) invoke(bnPositional, "buffer", "mean1"), (float[]) invoke(bnNamed, "buffer", "mean1"));
        // without the output: the same loss and buffer updates
        set(b, "logits", null, 0);
        assertEquals(invoke(bnPositional, "trainingPass", batch, x, label, null), invoke(bnNamed, "trainingPass", b));
        assertArrayEquals((float[]) invoke(bnPositional, "buffer", "var1"), (float[]) invoke(bnNamed, "buffer", "var1"));
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    static String refused(Object target, String name, Object... args) {
        try {
            invoke(target, name, args);
        } catch (RuntimeException e) {
            return assertInstanceOf(IllegalArgumentException.class, e).getMessage();
        }
        throw new AssertionError(name + " accepted bad arguments");
    }

    @Test
    void badNamedArgumentsAreRefusedWithTheirNames() throws ReflectiveOperationException {
        Object m = load(false);
        Object a = args(m);
        set(a, "batch", 4);
        set(a, "seq", 2);
        set(a, "tokens", new double[8]);
        set(a, "bias", new double[3]);
        assertEquals("input image [batch, 6] needs 24 elements (batch = 4), got null", refused(m, "infer", a));
        set(a, "image", new double[30], 10);
        assertEquals("input image [batch, 6] needs 24 elements (batch = 4) from offset 10, got an array of 30", refused(m, "infer", a));
        set(a, "image", new double[30], -1);
        assertEquals("input image: offset -1 is negative", refused(m, "infer", a));
        double[] image = new double[30];
        set(a, "image", image, 6);
        set(a, "probs", new double[12], 1);
        assertEquals("output probs [batch, 3] needs 12 elements (batch = 4) from offset 1, got an array of 12", refused(m, "infer", a));
        set(a, "probs", image, 0);
        assertEquals("output probs and input image are the same array; give the output an array of its own", refused(m, "infer", a));
        set(a, "probs", new double[12], 0);
        set(a, "weights", new double[12], 0);
        invoke(m, "infer", a);
        assertEquals("dim batch must be at least 1, got 0", refused(m, "infer", args(m)));
        double[] shared = new double[24];
        set(a, "probs", shared, 0);
        set(a, "weights", shared, 12);
        assertEquals("output weights and output probs are the same array; give the output an array of its own", refused(m, "infer", a));
        // the positional form still wants exact lengths
        assertEquals("output probs [batch, 3] needs 12 elements (batch = 4), got 13",
                refused(m, "infer", 4, 2, new double[24], new double[8], new double[3], new double[13], null));
    }
}
