package dev.nnc.cli;

import dev.nnc.Compiler;
import dev.nnc.codegen.LoadedModel;
import dev.nnc.interp.Gradients;
import dev.nnc.interp.Interpreter;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.io.DType;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc eval}: the contract of LANGUAGE.md, on generated code (default) or the interpreter. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates a model on inputs from a safetensors file and writes its outputs, loss and gradients.",
                "Writes every output, 'loss' when the model has one, and then 'grad.<p>' for every param and 'grad.<x>' for "
                        + "every real-valued input. Computes in f64 unless --precision f32."})
final class EvalCommand implements Callable<Integer> {
    enum Engine { java, interp }

    enum Precision { f64, f32 }

    @Parameters(index = "0", paramLabel = "MODEL.nn", description = "the .nn file")
    Path file;

    @CommandLine.Mixin
    Options.ModelName model = new Options.ModelName();

    @Option(names = "--inputs", required = true, paramLabel = "IN.safetensors", description = "the inputs, by name")
    Path inputsFile;

    @Option(names = "--params", paramLabel = "P.safetensors", description = "parameter values by name; missing ones are initialized from --seed")
    Path paramsFile;

    @CommandLine.Mixin
    Options.Seed seed = new Options.Seed();

    // not Options.Precision: the eval contract computes in f64 whatever the model says
    @Option(names = "--precision", paramLabel = "f64|f32", defaultValue = "f64", description = "f64 or f32 (default: ${DEFAULT-VALUE})")
    Precision precision;

    @Option(names = "--train", description = "training mode (dropout on with the masks of step 0, batch statistics), "
            + "then the buffers as one training-mode forward updates them")
    boolean train;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "where to write the results")
    Path out;

    @Option(names = "--engine", description = "java (generated code, compiled in memory; the default) or interp (the "
            + "reference interpreter)")
    Engine engine;

    @Option(names = "--backend", defaultValue = "scalar", paramLabel = "scalar|vector",
            description = "with --engine java: plain loops (default) or the Vector API (run nnc with --add-modules jdk.incubator.vector)")
    CompileCommand.Backend backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Compiler.Result r = CheckCommand.compile(file);
        if (!r.ok()) {
            err.print(r.render());
            err.flush();
            return Main.USER_ERROR;
        }
        Compiled c = model.select(r);
        Model m = c.model();
        Map<String, Tensor> inputs = readInputs(m);
        Map<String, Integer> dims;
        try {
            dims = Interpreter.bindDims(m, inputs);
        } catch (IllegalArgumentException e) {
            throw new UserError(inputsFile + ": " + e.getMessage());
        }
        Map<String, Tensor> params = readParams(m);
        boolean f32 = precision == Precision.f32;
        if (engine == null) engine = Engine.java;
        Map<String, Tensor> results;
        try {
            results = engine == Engine.java ? runJava(c, r, inputs, dims, params, f32) : runInterp(m, inputs, params, f32);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        TensorFile.Builder b = TensorFile.builder();
        for (Map.Entry<String, Tensor> e : results.entrySet()) {
            Tensor t = e.getValue();
            b.tensor(e.getKey(), f32 ? TensorData.f32(t.shape(), t.data()) : TensorData.f64(t.shape(), t.data()));
        }
        try {
            SafeTensors.write(out, b.build());
        } catch (IOException e) {
            throw new UserError(out + ": cannot write: " + e.getMessage());
        }
        return 0;
    }

    private static TensorFile read(Path p, String what) {
        try {
            return SafeTensors.read(p);
        } catch (NoSuchFileException e) {
            throw new UserError(p + ": no such " + what + " file");
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }

    private Map<String, Tensor> readInputs(Model m) {
        TensorFile f = read(inputsFile, "inputs");
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (Model.Input in : m.inputs()) {
            TensorData d = f.tensors().get(in.name());
            if (d == null) {
                throw new UserError(inputsFile + ": no tensor named '" + in.name() + "' for input " + in.name() + " "
                        + (in.isInt() ? "int" : "") + in.node().shape() + "; the file has " + f.tensors().keySet());
            }
            if (in.isInt()) {
                long[] v;
                try {
                    v = d.asLongs();
                } catch (ArithmeticException e) {
                    throw new UserError(inputsFile + ": input '" + in.name() + "' holds class labels, but " + e.getMessage());
                }
                inputs.put(in.name(), Tensor.labels(d.shape(), v));
            } else {
                inputs.put(in.name(), Tensor.of(d.shape(), d.asDoubles()));
            }
        }
        return inputs;
    }

    /** Params and buffers from {@code --params}, by name (a buffer's name as declared, like a param's). */
    private Map<String, Tensor> readParams(Model m) {
        Map<String, Tensor> params = new LinkedHashMap<>();
        if (paramsFile == null) return params;
        TensorFile f = read(paramsFile, "params");
        for (Map.Entry<String, TensorData> e : f.tensors().entrySet()) {
            Model.Param p = m.param(e.getKey());
            Model.Buffer b = m.buffer(e.getKey());
            if (p == null && b == null) {
                spec.commandLine().getErr().println("nnc: warning: " + paramsFile + ": '" + e.getKey() + "' is neither a param nor a buffer of "
                        + m.name() + "; ignored");
                continue;
            }
            dev.nnc.ir.Shape shape = p != null ? p.node().shape() : b.node().shape();
            String what = p != null ? "param" : "buffer";
            int[] want = shape.sizes(Map.of());
            if (!java.util.Arrays.equals(want, e.getValue().shape()) || e.getValue().dtype() == DType.I32 || e.getValue().dtype() == DType.I64) {
                throw new UserError(paramsFile + ": " + what + " '" + e.getKey() + "' must be a real tensor of shape " + shape
                        + ", got " + e.getValue().dtype() + " " + java.util.Arrays.toString(e.getValue().shape()));
            }
            params.put(e.getKey(), Tensor.of(want, e.getValue().asDoubles()));
        }
        return params;
    }

    private Map<String, Tensor> runInterp(Model m, Map<String, Tensor> inputs, Map<String, Tensor> params, boolean f32) {
        Session s = new Session(m, seed.seed, f32 ? Model.Precision.F32 : Model.Precision.F64);
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            if (m.param(e.getKey()) != null) s.setParam(e.getKey(), e.getValue());
            else s.setBuffer(e.getKey(), e.getValue());
        }
        Map<String, Tensor> results = new LinkedHashMap<>(m.outputs().isEmpty() ? Map.of() : s.infer(inputs, train));
        if (m.loss() != null) {
            Gradients g = s.lossAndGradients(inputs, train);
            results.put("loss", Tensor.scalar(g.loss()));
            for (Map.Entry<String, Tensor> e : g.params().entrySet()) results.put("grad." + e.getKey(), e.getValue());
            for (Map.Entry<String, Tensor> e : g.inputs().entrySet()) results.put("grad." + e.getKey(), e.getValue());
        }
        if (train) s.updateBuffers(inputs);
        for (Map.Entry<String, Tensor> e : s.buffers().entrySet()) results.put("buffer." + e.getKey(), e.getValue());
        return results;
    }

    private Map<String, Tensor> runJava(Compiled c, Compiler.Result r, Map<String, Tensor> inputs, Map<String, Integer> dims,
                                        Map<String, Tensor> params, boolean f32) {
        Model m = c.model();
        dev.nnc.codegen.JavaEmitter.Backend be = backend.inThisJvm();
        LoadedModel lm = LoadedModel.load(c, f32, seed.seed, file.getFileName().toString(), r.source(), be);
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            if (m.param(e.getKey()) != null) lm.setParameter(e.getKey(), e.getValue().data());
            else lm.setBuffer(e.getKey(), e.getValue().data());
        }
        Map<String, Tensor> results;
        if (train) {
            LoadedModel.Pass pass = lm.trainingPass(inputs, dims); // outputs, loss, gradients and the buffers' updates in one pass
            results = new LinkedHashMap<>(pass.outputs());
            if (m.loss() != null) results.put("loss", Tensor.scalar(pass.loss()));
        } else {
            results = new LinkedHashMap<>(m.outputs().isEmpty() ? Map.of() : lm.infer(inputs, dims));
            if (m.loss() != null) results.put("loss", Tensor.scalar(lm.gradients(inputs, dims)));
        }
        if (m.loss() != null) {
            for (Model.Param p : m.params()) {
                results.put("grad." + p.name(), Tensor.of(p.node().shape().sizes(dims), lm.gradient(p.name())));
            }
            for (Model.Input in : m.inputs()) {
                if (!in.isInt()) results.put("grad." + in.name(), Tensor.of(in.node().shape().sizes(dims), lm.inputGradient(in.name())));
            }
        }
        for (Model.Buffer b : m.buffers()) results.put("buffer." + b.name(), Tensor.of(b.node().shape().sizes(dims), lm.buffer(b.name())));
        return results;
    }
}
