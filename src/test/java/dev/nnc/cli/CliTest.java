package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end, in process: exit codes, messages, files in and out. */
class CliTest {
    static Cli.Run run(String... args) {
        return Cli.run(args);
    }

    static final String MODEL = """
            model Affine {
                dim batch
                input x : [batch, 2]
                input y : [batch, 1]
                param w : [2, 1] init constant(0.5)
                param b : [1]
                output yhat = x @ w + b
                loss = mse(yhat, y)
                optimizer sgd(lr = 0.1)
            }
            """;

    @Test
    void checkSummarizesEveryExample() {
        Cli.Run r = run("check", "generated-examples/house_prices.nn", "generated-examples/mnist_mlp.nn", "generated-examples/rosenbrock.nn");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("model HousePrices"), r.out());
        assertTrue(r.out().contains("params:  w1 [331, 256], b1 [256], w2 [256, 1], b2 [1]  (85,249 parameters)"), r.out());
        assertTrue(r.out().contains("inputs:  image [batch, 784], label int[batch]"), r.out());
        assertTrue(r.out().contains("nodes:   checked 24; forward ops 10 → 9 optimized; loss+gradients ops 26 → 25 optimized "
                + "(2.50× the 10 of the loss alone)\n"), r.out());
    }

    @Test
    void checkReportsErrorsWithExitCode1AndNoStackTrace(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.nn");
        Files.writeString(f, "model M {\n    input x : [2]\n    output y = x + z\n}\n");
        Cli.Run r = run("check", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(f + ":3:20: error[E200]: unknown name 'z'"), r.err());
        assertTrue(r.err().contains("        output y = x + z\n                       ^\n"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void missingFileIsAUserError(@TempDir Path dir) {
        Cli.Run r = run("check", dir.resolve("nope.nn").toString());
        assertEquals(1, r.code());
        assertEquals("nnc: " + dir.resolve("nope.nn") + ": no such file\n", r.err());
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run("eval", "x.nn").code()); // --inputs and --out are required
        assertEquals(2, run("compile", "x.nn").code()); // -d is required
    }

    @Test
    void evalWritesOutputsLossAndGradientsOnBothEngines(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("affine.nn");
        Files.writeString(model, MODEL);
        Path in = dir.resolve("in.safetensors");
        SafeTensors.write(in, TensorFile.builder()
                .tensor("x", TensorData.f64(new int[] {3, 2}, new double[] {1, 2, 3, 4, 5, 6}))
                .tensor("y", TensorData.f64(new int[] {3, 1}, new double[] {1, 0, 1}))
                .build());
        for (String engine : List.of("java", "interp")) {
            Path out = dir.resolve(engine + ".safetensors");
            Cli.Run r = run("eval", model.toString(), "--inputs", in.toString(), "--out", out.toString(), "--engine", engine);
            assertEquals(0, r.code(), r.err());
            TensorFile t = SafeTensors.read(out);
            assertEquals(List.of("yhat", "loss", "grad.w", "grad.b", "grad.x", "grad.y"), List.copyOf(t.tensors().keySet()));
            // yhat = x @ [0.5, 0.5] + 0 = [1.5, 3.5, 5.5]; loss = mean((yhat - y)^2) = (0.25 + 12.25 + 20.25) / 3
            assertEquals(List.of(1.5, 3.5, 5.5), boxed(t.tensors().get("yhat").asDoubles()));
            assertEquals((0.25 + 12.25 + 20.25) / 3, t.tensors().get("loss").asDoubles()[0], 1e-12);
            // d loss / d b = 2/3 * sum(yhat - y) = 2/3 * (0.5 + 3.5 + 4.5)
            assertEquals(2.0 / 3 * 8.5, t.tensors().get("grad.b").asDoubles()[0], 1e-12);
        }
    }

    @Test
    void evalTrainRunsDropoutOnTheInterpreterByDefault(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("drop.nn");
        Files.writeString(model, """
                model Drop {
                    input x : [1000]
                    output y = dropout(x, p = 0.5)
                }
                """);
        double[] ones = new double[1000];
        java.util.Arrays.fill(ones, 1);
        Path in = dir.resolve("in.safetensors");
        SafeTensors.write(in, TensorFile.builder().tensor("x", TensorData.f64(new int[] {1000}, ones)).build());
        Path out = dir.resolve("out.safetensors");
        Cli.Run r = run("eval", model.toString(), "--inputs", in.toString(), "--out", out.toString(), "--train", "--seed", "5");
        assertEquals(0, r.code(), r.err());
        double[] y = SafeTensors.read(out).tensors().get("y").asDoubles();
        int kept = 0;
        for (double v : y) {
            assertTrue(v == 0 || v == 2, "inverted dropout scales kept values by 1/(1-p): " + v);
            if (v == 2) kept++;
        }
        assertTrue(kept > 400 && kept < 600, "about half kept: " + kept);
        // the interpreter draws the same masks as generated code's trainingPass
        Path outInterp = dir.resolve("interp.safetensors");
        Cli.Run interp = run("eval", model.toString(), "--inputs", in.toString(), "--out", outInterp.toString(), "--train", "--seed", "5",
                "--engine", "interp");
        assertEquals(0, interp.code(), interp.err());
        assertArrayEquals(y, SafeTensors.read(outInterp).tensors().get("y").asDoubles());
    }

    @Test
    void evalNamesAMissingInputAndLeavesNoOutput(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("affine.nn");
        Files.writeString(model, MODEL);
        Path in = dir.resolve("in.safetensors");
        SafeTensors.write(in, TensorFile.builder().tensor("x", TensorData.f64(new int[] {1, 2}, new double[] {1, 2})).build());
        Path out = dir.resolve("out.safetensors");
        Cli.Run r = run("eval", model.toString(), "--inputs", in.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no tensor named 'y' for input y [batch, 1]"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void evalRejectsAShapeThatContradictsADim(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("affine.nn");
        Files.writeString(model, MODEL);
        Path in = dir.resolve("in.safetensors");
        SafeTensors.write(in, TensorFile.builder()
                .tensor("x", TensorData.f64(new int[] {2, 2}, new double[] {1, 2, 3, 4}))
                .tensor("y", TensorData.f64(new int[] {3, 1}, new double[] {1, 0, 1}))
                .build());
        Cli.Run r = run("eval", model.toString(), "--inputs", in.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("input 'y'"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void compileWritesNothingWhenAnyFileHasErrors(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.nn");
        Files.writeString(good, MODEL);
        Path bad = dir.resolve("bad.nn");
        Files.writeString(bad, "model B {\n    input x : [2]\n    output y = x @ x @ x\n}\n");
        Path out = dir.resolve("out");
        Cli.Run r = run("compile", good.toString(), bad.toString(), "-d", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.nn:3:22: error[E402]"), r.err());
        assertFalse(Files.exists(out.resolve("Affine.java")));
        Cli.Run ok = run("compile", good.toString(), "-d", out.toString(), "--package", "com.acme");
        assertEquals(0, ok.code(), ok.err());
        String java = Files.readString(out.resolve("com/acme/Affine.java"));
        assertTrue(java.startsWith("// Generated by nnc from good.nn (model Affine)."), java);
        assertTrue(java.contains("package com.acme;"));
        try (var s = Files.list(out.resolve("com/acme"))) {
            assertEquals(List.of("Affine.java"), s.map(p -> p.getFileName().toString()).toList(), "no temporary files left");
        }
    }

    private static List<Double> boxed(double[] d) {
        return java.util.Arrays.stream(d).boxed().toList();
    }
}
