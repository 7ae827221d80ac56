package dev.nnc.interp;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.ir.DType;
import dev.nnc.ir.Model;
import dev.nnc.ir.Model.Precision;
import dev.nnc.ir.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model being run by the interpreter: its parameter and buffer values, its optimizer state
 * and its training step counter. The interpreter counterpart of the class that nnc generates.
 *
 * <p>Params start from {@link Initializers} with the session's seed (param {@code i} from
 * {@code Rng.mix(seed, i)}) and can be replaced by name. Inputs are given by name; runtime
 * dims are read off their shapes ({@link Interpreter#bindDims}); names that are not inputs
 * of the model are ignored. Dropout masks in training mode come from
 * {@link DropoutMasks#seeded}{@code (seed, step)}, where {@code step} counts the
 * {@link #trainStep} calls made so far (the first uses step 0).
 *
 * <p>The gradient nodes ({@code Autodiff.gradients} of the loss with respect to every param,
 * then every real input) are built once, on first use, into the model's graph.
 *
 * <p>Not thread-safe.
 */
public final class Session {
    private final Model model;
    private final long seed;
    private final Precision precision;
    private final Map<String, double[]> params = new LinkedHashMap<>();
    private final Map<String, int[]> paramShapes = new HashMap<>();
    private final Map<String, double[]> buffers = new LinkedHashMap<>();
    private Optimizers.Optimizer optimizer;
    private long step;
    private boolean lastStepSkipped;
    private List<Node> gradNodes;
    private List<Node> wrt;

    /** Seed 0, f64. */
    public Session(Model model) {
        this(model, 0, Precision.F64);
    }

    /** F64. */
    public Session(Model model, long seed) {
        this(model, seed, Precision.F64);
    }

    public Session(Model model, long seed, Precision precision) {
        this.model = model;
        this.seed = seed;
        this.precision = precision == null ? Precision.F64 : precision;
        for (Map.Entry<String, Tensor> e : Initializers.initAll(model, seed).entrySet()) {
            params.put(e.getKey(), e.getValue().data());
            paramShapes.put(e.getKey(), e.getValue().shape());
        }
        for (Map.Entry<String, Tensor> e : Initializers.initBuffers(model, seed).entrySet()) {
            buffers.put(e.getKey(), e.getValue().data());
            paramShapes.put(e.getKey(), e.getValue().shape());
        }
    }

    public Model model() {
        return model;
    }

    public long seed() {
        return seed;
    }

    public Precision precision() {
        return precision;
    }

    /** The number of {@link #trainStep} calls so far: the step whose dropout masks come next. */
    public long step() {
        return step;
    }

    // ------------------------------------------------------------------ params

    /** A copy of every param, by name in declaration order. */
    public Map<String, Tensor> params() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : params.keySet()) out.put(name, param(name));
        return out;
    }

    /** A copy of param {@code name}. */
    public Tensor param(String name) {
        double[] d = params.get(name);
        if (d == null) throw new IllegalArgumentException("unknown param '" + name + "'; the params are " + params.keySet());
        return Tensor.of(paramShapes.get(name), d);
    }

    /** Replaces param {@code name}'s values (copied); the shape must match its declaration. */
    public void setParam(String name, Tensor value) {
        int[] shape = paramShapes.get(name);
        if (shape == null) throw new IllegalArgumentException("unknown param '" + name + "'; the params are " + params.keySet());
        if (value.isInt() || !Arrays.equals(shape, value.shape())) {
            throw new IllegalArgumentException("param '" + name + "': expected a real tensor of shape " + Tensor.shapeString(shape)
                    + ", got " + (value.isInt() ? "int" : "") + Tensor.shapeString(value.shape()));
        }
        System.arraycopy(value.data(), 0, params.get(name), 0, value.numel());
    }

    /** {@link #setParam} for each entry; names that are not params are an error. */
    public void setParams(Map<String, Tensor> values) {
        for (Map.Entry<String, Tensor> e : values.entrySet()) setParam(e.getKey(), e.getValue());
    }

    /** A copy of every buffer, by name in declaration order. */
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : buffers.entrySet()) out.put(e.getKey(), Tensor.of(paramShapes.get(e.getKey()), e.getValue()));
        return out;
    }

    /** Replaces buffer {@code name}'s values (copied); the shape must match its declaration. */
    public void setBuffer(String name, Tensor value) {
        double[] d = buffers.get(name);
        if (d == null) throw new IllegalArgumentException("unknown buffer '" + name + "'; the buffers are " + buffers.keySet());
        int[] shape = paramShapes.get(name);
        if (value.isInt() || !Arrays.equals(shape, value.shape())) {
            throw new IllegalArgumentException("buffer '" + name + "': expected a real tensor of shape " + Tensor.shapeString(shape)
                    + ", got " + (value.isInt() ? "int" : "") + Tensor.shapeString(value.shape()));
        }
        System.arraycopy(value.data(), 0, d, 0, value.numel());
    }

    /**
     * The buffer updates of one training-mode forward with the dropout masks of the current
     * {@link #step()}, written to the buffers (what {@code nnc eval --train} does after its
     * evaluation; {@link #trainStep} does it too).
     */
    public void updateBuffers(Map<String, Tensor> inputs) {
        Interpreter in = interpreter(inputs, true);
        List<String> names = new ArrayList<>(model.updates().keySet());
        List<Tensor> vals = in.evaluate(new ArrayList<>(model.updates().values()));
        writeBuffers(names, vals);
    }

    private void writeBuffers(List<String> names, List<Tensor> vals) {
        for (int i = 0; i < names.size(); i++) {
            double[] v = vals.get(i).data();
            System.arraycopy(v, 0, buffers.get(names.get(i)), 0, v.length);
        }
    }

    // ------------------------------------------------------------------ running

    /** Every output, in declaration order, computed with dropout off. */
    public Map<String, Tensor> infer(Map<String, Tensor> inputs) {
        return infer(inputs, false);
    }

    /**
     * Every output, in declaration order; in training mode with the dropout masks of the
     * current {@link #step()}, without changing anything.
     */
    public Map<String, Tensor> infer(Map<String, Tensor> inputs, boolean training) {
        Interpreter in = interpreter(inputs, training);
        List<Node> roots = new ArrayList<>();
        for (Model.Output o : model.outputs()) roots.add(o.node());
        List<Tensor> vals = in.evaluate(roots);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < roots.size(); i++) out.put(model.outputs().get(i).name(), vals.get(i));
        return out;
    }

    /** The loss, dropout off. */
    public double loss(Map<String, Tensor> inputs) {
        return interpreter(inputs, false).evaluate(requireLoss()).item();
    }

    /** The loss and its gradients, dropout off. */
    public Gradients lossAndGradients(Map<String, Tensor> inputs) {
        return lossAndGradients(inputs, false);
    }

    /**
     * The loss and its gradients with respect to every param and every given real input; in
     * training mode with the dropout masks of the current {@link #step()} (those the next
     * {@link #trainStep} will use), without changing anything.
     */
    public Gradients lossAndGradients(Map<String, Tensor> inputs, boolean training) {
        Node loss = requireLoss();
        List<Node> grads = gradientNodes();
        List<Node> roots = new ArrayList<>();
        roots.add(loss);
        List<String> inputNames = new ArrayList<>();
        int np = model.params().size();
        for (int i = 0; i < np; i++) roots.add(grads.get(i));
        for (int i = np; i < wrt.size(); i++) {
            String name = wrt.get(i).leafName();
            if (inputs.containsKey(name)) {
                roots.add(grads.get(i));
                inputNames.add(name);
            }
        }
        List<Tensor> vals = interpreter(inputs, training).evaluate(roots);
        Map<String, Tensor> gp = new LinkedHashMap<>();
        for (int i = 0; i < np; i++) gp.put(model.params().get(i).name(), vals.get(1 + i));
        Map<String, Tensor> gi = new LinkedHashMap<>();
        for (int i = 0; i < inputNames.size(); i++) gi.put(inputNames.get(i), vals.get(1 + np + i));
        return new Gradients(vals.get(0).item(), gp, gi);
    }

    /**
     * One training step: forward in training mode with the dropout masks of the current step,
     * the gradients of the loss with respect to every param (the same masks: one evaluation),
     * one optimizer update, the buffers' updates of the same forward, then the step counter advances.
     *
     * <p>When the loss or a gradient is not finite, nothing is updated (see {@link #lastStepSkipped}).
     *
     * @return the loss before the update
     */
    public double trainStep(Map<String, Tensor> inputs) {
        Node loss = requireLoss();
        if (model.optimizer() == null) throw new IllegalStateException("model " + model.name() + " declares no optimizer");
        if (optimizer == null) optimizer = Optimizers.create(model.optimizer());
        List<Node> grads = gradientNodes();
        int np = model.params().size();
        List<Node> roots = new ArrayList<>();
        roots.add(loss);
        roots.addAll(grads.subList(0, np));
        roots.addAll(model.updates().values());
        List<Tensor> vals = interpreter(inputs, true).evaluate(roots);
        double lossValue = vals.get(0).item(); // read now: a loss that is a param shares its array, which the update changes
        boolean finite = Double.isFinite(lossValue);
        for (int i = 0; i < np && finite; i++) {
            for (double g : vals.get(1 + i).data()) finite &= Double.isFinite(g);
        }
        lastStepSkipped = !finite;
        if (!finite) return lossValue; // parameters, optimizer state and the step count stay as they were
        List<double[]> ps = new ArrayList<>(), gs = new ArrayList<>();
        for (int i = 0; i < np; i++) {
            ps.add(params.get(model.params().get(i).name()));
            gs.add(vals.get(1 + i).data().clone()); // never alias a param's own array
        }
        optimizer.step(ps, gs, precision == Precision.F32);
        writeBuffers(new ArrayList<>(model.updates().keySet()), vals.subList(1 + np, vals.size()));
        step++;
        return lossValue;
    }

    /**
     * Whether the last {@link #trainStep} left everything unchanged because the loss or a
     * gradient was not finite (NaN or infinite): no parameter, optimizer state or step count
     * moved, so a non-finite value never reaches the parameters.
     */
    public boolean lastStepSkipped() {
        return lastStepSkipped;
    }

    /**
     * The gradient nodes of the loss with respect to every param (declaration order), then
     * every real-valued input (declaration order); built once.
     */
    public List<Node> gradientNodes() {
        if (gradNodes == null) {
            List<Node> w = new ArrayList<>();
            for (Model.Param p : model.params()) w.add(p.node());
            for (Model.Input i : model.inputs()) if (i.node().dtype() == DType.REAL) w.add(i.node());
            gradNodes = List.copyOf(Autodiff.gradients(model.graph(), requireLoss(), w));
            wrt = List.copyOf(w);
        }
        return gradNodes;
    }

    private Node requireLoss() {
        if (model.loss() == null) throw new IllegalStateException("model " + model.name() + " has no loss");
        return model.loss();
    }

    private Interpreter interpreter(Map<String, Tensor> inputs, boolean training) {
        Map<String, Integer> dims = Interpreter.bindDims(model, inputs);
        Map<String, Tensor> leaves = new HashMap<>();
        for (Model.Input i : model.inputs()) {
            Tensor t = inputs.get(i.name());
            if (t != null) leaves.put(i.name(), t);
        }
        for (Map.Entry<String, double[]> e : params.entrySet()) {
            leaves.put(e.getKey(), new Tensor(paramShapes.get(e.getKey()), e.getValue(), DType.REAL));
        }
        for (Map.Entry<String, double[]> e : buffers.entrySet()) {
            leaves.put(e.getKey(), new Tensor(paramShapes.get(e.getKey()), e.getValue().clone(), DType.REAL));
        }
        return new Interpreter(leaves, dims, training, precision, training ? DropoutMasks.seeded(seed, step) : null);
    }
}
