package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Tensor;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorFile;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training resumed from a checkpoint equals training that never stopped, bit for bit: the
 * losses of the following steps and the parameters after them, for SGD with momentum (and
 * weight decay, Nesterov), plain SGD and Adam, in f32 and f64, with dropout (whose masks depend
 * on the seed and the step count), with a learning rate set during the run, and with buffers
 * (batch norm's running statistics). The
 * controls show what a checkpoint adds: resuming from the parameters alone, or without the
 * buffers, gives other values.
 */
class CheckpointTest {
    static String model(String optimizer) {
        return """
                model Resume {
                    dim batch
                    input x : [batch, 12]
                    input label : int[batch]
                    param w1 : [12, 16] init he_uniform
                    param b1 : [16]
                    param w2 : [16, 3] init xavier_uniform
                    h = dropout(tanh(x @ w1 + b1), p = 0.3)
                    output logits = h @ w2
                    loss = cross_entropy(logits, label)
                    optimizer %s
                }
                """.formatted(optimizer);
    }

    static Compiled compile(String source) {
        Compiler.Result r = Compiler.compile("resume.nn", source);
        assertTrue(r.ok(), r::render);
        return r.compiled().get(0);
    }

    static List<Map<String, Tensor>> batches(int n) {
        Random rnd = new Random(11);
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] x = new double[8 * 12];
            for (int j = 0; j < x.length; j++) x[j] = rnd.nextGaussian();
            double[] label = new double[8];
            for (int j = 0; j < label.length; j++) label[j] = rnd.nextInt(3);
            out.add(Map.of("x", Tensor.of(new int[] {8, 12}, x), "label", Tensor.of(new int[] {8}, label)));
        }
        return out;
    }

    static final Map<String, Integer> DIMS = Map.of("batch", 8);

    static Object call(LoadedModel m, String method, Path file) throws Throwable {
        try {
            return m.instance().getClass().getMethod(method, Path.class).invoke(m.instance(), file);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    static Object call(LoadedModel m, String method) throws ReflectiveOperationException {
        return m.instance().getClass().getMethod(method).invoke(m.instance());
    }

    static void halveLearningRate(LoadedModel m) throws ReflectiveOperationException {
        double rate = (Double) call(m, "learningRate");
        m.instance().getClass().getMethod("setLearningRate", double.class).invoke(m.instance(), rate / 2);
    }

    static boolean sameParameters(Model model, LoadedModel a, LoadedModel b) {
        for (Model.Param p : model.params()) if (!Arrays.equals(a.parameter(p.name()), b.parameter(p.name()))) return false;
        return true;
    }

    @ParameterizedTest(name = "{0}, f32 {1}")
    @CsvSource(delimiter = ';', value = {
            "sgd(lr = 0.1, momentum = 0.9, weight_decay = 0.001, nesterov = true); true",
            "sgd(lr = 0.1, momentum = 0.9); false",
            "sgd(lr = 0.1); true",
            "adam(lr = 0.01); true",
            "adam(lr = 0.01, weight_decay = 0.01); false"})
    void resumingFromACheckpointEqualsNeverStopping(String optimizer, boolean f32, @TempDir Path dir) throws Throwable {
        String source = model(optimizer);
        Compiled c = compile(source);
        List<Map<String, Tensor>> batches = batches(10);

        // a schedule: the learning rate halves after step 2, and the checkpoint after step 4 must keep it
        LoadedModel straight = LoadedModel.load(c, f32, 7, "resume.nn", source);
        double[] losses = new double[batches.size()];
        for (int i = 0; i < batches.size(); i++) {
            if (i == 2) halveLearningRate(straight);
            losses[i] = straight.trainStep(batches.get(i), DIMS);
        }

        LoadedModel first = LoadedModel.load(c, f32, 7, "resume.nn", source);
        for (int i = 0; i < 4; i++) {
            if (i == 2) halveLearningRate(first);
            first.trainStep(batches.get(i), DIMS);
        }
        Path checkpoint = dir.resolve("resume.ckpt.safetensors");
        call(first, "saveCheckpoint", checkpoint);

        // another seed: loadCheckpoint restores the checkpoint's, which the dropout masks depend on
        LoadedModel resumed = LoadedModel.load(c, f32, 99, "resume.nn", source);
        call(resumed, "loadCheckpoint", checkpoint);
        assertEquals(4L, call(resumed, "steps"));
        assertEquals(call(first, "learningRate"), call(resumed, "learningRate"));
        for (int i = 4; i < batches.size(); i++) {
            assertEquals(losses[i], resumed.trainStep(batches.get(i), DIMS), "loss of step " + (i + 1));
        }
        for (Model.Param p : c.model().params()) {
            assertArrayEquals(straight.parameter(p.name()), resumed.parameter(p.name()), "parameter " + p.name() + " after 10 steps");
        }
        assertEquals(10L, call(resumed, "steps"));

        // the control: the parameters alone (fresh optimizer state, step 0) go elsewhere
        LoadedModel restarted = LoadedModel.load(c, f32, 7, "resume.nn", source);
        call(restarted, "loadParameters", checkpoint);
        for (int i = 4; i < batches.size(); i++) restarted.trainStep(batches.get(i), DIMS);
        assertFalse(sameParameters(c.model(), straight, restarted), "resuming from the parameters alone changed nothing");

        // nnc's own reader sees the optimizer state and the step count by name
        TensorFile f = SafeTensors.read(checkpoint);
        assertEquals("4", f.metadata().get("nnc.step"));
        assertEquals("7", f.metadata().get("nnc.seed"));
        for (String s : ParamCode.stateNames(c.model().optimizer())) assertTrue(f.tensors().containsKey("optimizer." + s + ".w1"), s);
    }

    /**
     * Buffers are state too: generated-examples/batchnorm_mlp.nn (Adam, batch norm's running
     * statistics in buffers that trainStep updates and infer reads) resumed from a checkpoint
     * equals training that never stopped in its parameters, its buffers and what infer gives; the
     * control resumes with the buffers as a fresh instance has them, and ends elsewhere.
     */
    @ParameterizedTest(name = "f32 {0}")
    @CsvSource({"true", "false"})
    void aCheckpointCarriesTheBuffers(boolean f32, @TempDir Path dir) throws Throwable {
        String source = java.nio.file.Files.readString(Path.of("generated-examples/batchnorm_mlp.nn"));
        Compiled c = compile(source);
        Model model = c.model();
        assertEquals(List.of("mean1", "var1"), model.buffers().stream().map(Model.Buffer::name).toList());
        Random rnd = new Random(5);
        List<Map<String, Tensor>> batches = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            double[] x = new double[16 * 64];
            for (int j = 0; j < x.length; j++) x[j] = rnd.nextGaussian() * 2 + 1;
            double[] label = new double[16];
            for (int j = 0; j < label.length; j++) label[j] = rnd.nextInt(10);
            batches.add(Map.of("x", Tensor.of(new int[] {16, 64}, x), "label", Tensor.of(new int[] {16}, label)));
        }
        Map<String, Integer> dims = Map.of("batch", 16);

        // one compiled class, several instances
        LoadedModel straight = LoadedModel.load(c, f32, 3, "batchnorm_mlp.nn", source);
        java.util.function.Supplier<LoadedModel> fresh = () -> LoadedModel.of(c, straight.output(), straight.instance().getClass(), f32, 3);
        Map<String, double[]> initialBuffers = new java.util.HashMap<>();
        for (Model.Buffer b : model.buffers()) initialBuffers.put(b.name(), straight.buffer(b.name()));
        for (Map<String, Tensor> b : batches) straight.trainStep(b, dims);

        LoadedModel first = fresh.get();
        for (int i = 0; i < 3; i++) first.trainStep(batches.get(i), dims);
        Path checkpoint = dir.resolve("bn.ckpt.safetensors");
        call(first, "saveCheckpoint", checkpoint);
        TensorFile f = SafeTensors.read(checkpoint);
        assertTrue(f.tensors().keySet().containsAll(List.of("mean1", "var1", "optimizer.m.w1", "optimizer.v.gamma")), f.tensors().keySet()::toString);

        LoadedModel resumed = fresh.get();
        call(resumed, "loadCheckpoint", checkpoint);
        LoadedModel control = fresh.get();
        call(control, "loadCheckpoint", checkpoint);
        for (Model.Buffer b : model.buffers()) control.setBuffer(b.name(), initialBuffers.get(b.name()));
        for (int i = 3; i < batches.size(); i++) {
            resumed.trainStep(batches.get(i), dims);
            control.trainStep(batches.get(i), dims);
        }
        assertTrue(sameParameters(model, straight, resumed), "parameters after resuming");
        for (Model.Buffer b : model.buffers()) {
            assertArrayEquals(straight.buffer(b.name()), resumed.buffer(b.name()), "buffer " + b.name() + " after resuming");
        }
        Map<String, Tensor> evalBatch = batches.get(0);
        assertArrayEquals(straight.infer(evalBatch, dims).get("logits").data(), resumed.infer(evalBatch, dims).get("logits").data(),
                "infer after resuming (it reads the running statistics)");
        assertFalse(Arrays.equals(straight.buffer("mean1"), control.buffer("mean1")), "resuming without the buffers changed nothing");
        assertFalse(Arrays.equals(straight.infer(evalBatch, dims).get("logits").data(), control.infer(evalBatch, dims).get("logits").data()),
                "infer without the resumed buffers is the same");
    }

    @org.junit.jupiter.api.Test
    void aParametersFileOrAnotherOptimizersCheckpointIsRefused(@TempDir Path dir) throws Throwable {
        String adam = model("adam(lr = 0.01)"), sgd = model("sgd(lr = 0.1, momentum = 0.9)");
        LoadedModel a = LoadedModel.load(compile(adam), true, 1, "resume.nn", adam);
        LoadedModel s = LoadedModel.load(compile(sgd), true, 1, "resume.nn", sgd);
        for (Map<String, Tensor> b : batches(2)) a.trainStep(b, DIMS);
        Path params = dir.resolve("p.safetensors"), ckpt = dir.resolve("adam.safetensors");
        call(a, "saveParameters", params);
        call(a, "saveCheckpoint", ckpt);
        IOException e = assertInstanceOf(IOException.class, thrown(() -> call(a, "loadCheckpoint", params)));
        assertEquals(params + ": not a valid parameter file: not a checkpoint (no 'nnc.checkpoint' metadata): saveCheckpoint writes them;"
                + " loadParameters reads the parameters alone", e.getMessage());
        double[] before = s.parameter("w1");
        e = assertInstanceOf(IOException.class, thrown(() -> call(s, "loadCheckpoint", ckpt)));
        assertEquals(ckpt + ": not a valid parameter file: a checkpoint of the optimizer adam, but Resume trains with sgd", e.getMessage());
        // a failed load changes nothing; loadParameters reads a checkpoint's parameters
        assertArrayEquals(before, s.parameter("w1"));
        assertFalse(Arrays.equals(before, a.parameter("w1")));
        call(s, "loadParameters", ckpt);
        assertArrayEquals(a.parameter("w1"), s.parameter("w1"));
    }

    interface Action {
        void run() throws Throwable;
    }

    static Throwable thrown(Action a) {
        try {
            a.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("nothing was thrown");
    }
}
