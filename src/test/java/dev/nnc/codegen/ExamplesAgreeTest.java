package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Gradients;
import dev.nnc.interp.Interpreter;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example: generated code (f64 and f32) agrees with the interpreter on outputs, loss, gradients and train steps. */
class ExamplesAgreeTest {
    static Stream<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("generated-examples"))) {
            return s.filter(p -> p.toString().endsWith(".nn")).sorted().toList().stream();
        }
    }

    /** Random inputs for a model with every runtime dim set to {@code dimValue}. */
    static Map<String, Tensor> randomInputs(Model m, int dimValue, long seed) {
        Random r = new Random(seed);
        Map<String, Integer> dims = new LinkedHashMap<>();
        for (String d : m.dims()) dims.put(d, dimValue);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Model.Input i : m.inputs()) {
            int[] shape = i.node().shape().sizes(dims);
            int n = Tensor.numel(shape);
            if (i.isInt()) {
                long[] v = new long[n];
                for (int k = 0; k < n; k++) v[k] = r.nextInt(10);
                in.put(i.name(), Tensor.labels(shape, v));
            } else {
                double[] v = new double[n];
                for (int k = 0; k < n; k++) v[k] = r.nextGaussian();
                in.put(i.name(), Tensor.of(shape, v));
            }
        }
        return in;
    }

    static void assertClose(double[] want, double[] got, double rel, String what) {
        assertEquals(want.length, got.length, what + ": length");
        double scale = 0;
        for (double w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < want.length; i++) {
            double tol = rel * Math.max(Math.abs(want[i]), scale * 1e-3) + 1e-300;
            assertTrue(Math.abs(want[i] - got[i]) <= tol || (Double.isNaN(want[i]) && Double.isNaN(got[i])),
                    what + "[" + i + "]: interpreter " + want[i] + ", generated " + got[i]);
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void generatedCodeAgreesWithInterpreter(Path file) throws IOException {
        check(file, JavaEmitter.Backend.SCALAR);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void vectorBackendAgreesWithInterpreter(Path file) throws IOException {
        check(file, JavaEmitter.Backend.VECTOR);
    }

    private void check(Path file, JavaEmitter.Backend backend) throws IOException {
        Compiler.Result r = Compiler.compile(file);
        assertTrue(r.ok(), r.render());
        for (boolean f32 : new boolean[] {false, true}) {
            for (Compiled c : r.compiled()) agree(c, f32, file.getFileName().toString(), r.source(), backend, 7, 5, 42);
        }
    }

    /**
     * Generated code (f32 or f64, {@code backend}) against the interpreter with the same seed:
     * initial params, outputs, loss, param and input gradients on random inputs with every dim
     * {@code dimValue}, the same in training mode ({@code trainingPass}, buffers updated), and
     * three train steps (loss of each, params and buffers after) when there is an optimizer.
     */
    static void agree(Compiled c, boolean f32, String sourceName, String source, JavaEmitter.Backend backend,
                      long seed, int dimValue, long inputSeed) {
        double rel = f32 ? 2e-4 : 1e-12;
        Model m = c.model();
        String p = (f32 ? "f32 " : "f64 ") + m.name();
        Session s = new Session(m, seed, f32 ? Model.Precision.F32 : Model.Precision.F64);
        LoadedModel lm = LoadedModel.load(c, f32, seed, sourceName, source, backend);
        for (Model.Param q : m.params()) assertClose(s.param(q.name()).data(), lm.parameter(q.name()), rel, p + " init " + q.name());
        for (Model.Buffer q : m.buffers()) assertClose(s.buffers().get(q.name()).data(), lm.buffer(q.name()), rel, p + " init " + q.name());
        Map<String, Tensor> in = randomInputs(m, dimValue, inputSeed);
        Map<String, Integer> dims = Interpreter.bindDims(m, in);
        if (!m.outputs().isEmpty()) {
            Map<String, Tensor> want = s.infer(in);
            Map<String, Tensor> got = lm.infer(in, dims);
            for (String o : want.keySet()) assertClose(want.get(o).data(), got.get(o).data(), rel, p + " output " + o);
        }
        // training mode without an update: outputs, loss and gradients with the masks of step 0, then the buffers' updates
        LoadedModel.Pass pass = lm.trainingPass(in, dims);
        Map<String, Tensor> trainOut = s.infer(in, true);
        for (String o : trainOut.keySet()) assertClose(trainOut.get(o).data(), pass.outputs().get(o).data(), rel, p + " trainingPass output " + o);
        if (m.loss() != null) {
            Gradients t = s.lossAndGradients(in, true);
            assertClose(new double[] {t.loss()}, new double[] {pass.loss()}, rel, p + " trainingPass loss");
            for (Model.Param q : m.params()) assertClose(t.of(q.name()).data(), lm.gradient(q.name()), rel * 10, p + " trainingPass grad " + q.name());
        }
        s.updateBuffers(in);
        for (Model.Buffer q : m.buffers()) assertClose(s.buffers().get(q.name()).data(), lm.buffer(q.name()), rel, p + " trainingPass " + q.name());
        if (m.loss() == null) return;
        Gradients g = s.lossAndGradients(in);
        double loss = lm.gradients(in, dims);
        assertClose(new double[] {g.loss()}, new double[] {loss}, rel, p + " loss");
        for (Model.Param q : m.params()) assertClose(g.of(q.name()).data(), lm.gradient(q.name()), rel * 10, p + " grad " + q.name());
        for (Map.Entry<String, Tensor> e : g.inputs().entrySet()) {
            assertClose(e.getValue().data(), lm.inputGradient(e.getKey()), rel * 10, p + " input grad " + e.getKey());
        }
        if (m.optimizer() == null) return;
        for (int step = 0; step < 3; step++) {
            double a = s.trainStep(in), b = lm.trainStep(in, dims);
            assertClose(new double[] {a}, new double[] {b}, rel * 10, p + " trainStep " + step + " loss");
        }
        for (Model.Param q : m.params()) assertClose(s.param(q.name()).data(), lm.parameter(q.name()), rel * 100, p + " after 3 steps " + q.name());
        for (Model.Buffer q : m.buffers()) assertClose(s.buffers().get(q.name()).data(), lm.buffer(q.name()), rel * 100, p + " after 3 steps " + q.name());
    }

    static List<String> names() {
        return List.of();
    }
}
