package dev.nnc.conformance;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.codegen.LoadedModel;
import dev.nnc.interp.Interpreter;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three optimizer steps against {@code torch.optim.SGD}/{@code Adam} (fixtures in
 * {@code train.safetensors}: {@code step<k>.loss} is the loss that step k returns, computed
 * before update k; {@code step<k>.<p>} is param p after it), on the interpreter and on
 * generated code, in f64.
 */
@Tag("conformance")
class TrainConformanceTest {
    static final Path ROOT = Path.of("src/test/resources/conformance");

    static Stream<String> trainCases() throws IOException {
        try (Stream<Path> s = Files.list(ROOT)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("train.safetensors")))
                    .map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    interface Stepper {
        double step();

        double[] param(String name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainCases")
    void interpreterMatchesTorch(String name) throws IOException {
        run(name, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainCases")
    void generatedCodeMatchesTorch(String name) throws IOException {
        run(name, true);
    }

    private void run(String name, boolean java) throws IOException {
        Path dir = ROOT.resolve(name);
        TensorFile expected = SafeTensors.read(dir.resolve("expected.safetensors"));
        String modelName = expected.metadata().get("model");
        Compiler.Result r = Compiler.compile(dir.resolve("model.nn"));
        assertTrue(r.ok(), r.render());
        Compiled c = modelName == null ? r.compiled().get(0) : r.model(modelName);
        Model m = c.model();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        TensorFile in = SafeTensors.read(dir.resolve("inputs.safetensors"));
        for (Model.Input i : m.inputs()) {
            TensorData d = in.tensors().get(i.name());
            inputs.put(i.name(), i.isInt() ? Tensor.labels(d.shape(), d.asLongs()) : Tensor.of(d.shape(), d.asDoubles()));
        }
        Map<String, Integer> dims = Interpreter.bindDims(m, inputs);
        TensorFile params = SafeTensors.read(dir.resolve("params.safetensors"));
        Stepper stepper;
        if (java) {
            LoadedModel lm = LoadedModel.load(c, false, 0, "model.nn", r.source());
            params.tensors().forEach((k, v) -> lm.setParameter(k, v.asDoubles()));
            stepper = new Stepper() {
                public double step() {
                    return lm.trainStep(inputs, dims);
                }

                public double[] param(String p) {
                    return lm.parameter(p);
                }
            };
        } else {
            Session s = new Session(m, 0, Model.Precision.F64);
            params.tensors().forEach((k, v) -> s.setParam(k, Tensor.of(v.shape(), v.asDoubles())));
            stepper = new Stepper() {
                public double step() {
                    return s.trainStep(inputs);
                }

                public double[] param(String p) {
                    return s.param(p).data();
                }
            };
        }
        TensorFile train = SafeTensors.read(dir.resolve("train.safetensors"));
        for (int k = 1; train.tensors().containsKey("step" + k + ".loss"); k++) {
            double loss = stepper.step();
            check(name, "step" + k + ".loss", train.tensors().get("step" + k + ".loss").asDoubles(), new double[] {loss});
            for (Model.Param p : m.params()) {
                TensorData want = train.tensors().get("step" + k + "." + p.name());
                assertNotNull(want, name + ": fixture lacks step" + k + "." + p.name());
                check(name, "step" + k + "." + p.name(), want.asDoubles(), stepper.param(p.name()));
            }
        }
    }

    private static void check(String name, String what, double[] want, double[] got) {
        assertTrue(want.length == got.length, name + " " + what + ": length " + got.length + " vs " + want.length);
        for (int i = 0; i < want.length; i++) {
            double tol = 1e-9 + 1e-6 * Math.abs(want[i]);
            assertTrue(Math.abs(want[i] - got[i]) <= tol, name + " " + what + "[" + i + "]: torch " + want[i] + ", nnc " + got[i]);
        }
    }
}
