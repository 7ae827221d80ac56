package dev.nnc.interp;

import dev.nnc.ir.Attr;
import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Model;
import dev.nnc.ir.Model.Precision;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ops.Elementwise;
import dev.nnc.ops.Index;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;
import dev.nnc.ops.Reduce;
import dev.nnc.ops.Structured;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference evaluator of the graph IR: the oracle that generated code is tested against.
 *
 * <p>One instance is one evaluation context: fixed leaf values (INPUT and PARAM tensors by
 * name, buffers too), runtime dim values, a training flag, a {@link Precision} and a source of dropout
 * masks. Every node's value is memoized for the lifetime of the instance, so a DAG that
 * shares nodes computes each once, and several {@link #evaluate} calls on the same instance
 * (say the loss, then its gradients) see the same dropout masks. Make a new instance when
 * leaves change.
 *
 * <p>{@link Precision#F64} computes in double. {@link Precision#F32} emulates generated f32
 * code: every real node's result — leaves and constants included — is rounded to the nearest
 * float after its op, while sums and matrix products accumulate in double and round once.
 * Integer (label) tensors are never rounded.
 *
 * <p>Errors in the arguments (a missing leaf, a wrong shape or element type, an unbound dim, an
 * out-of-range label) throw {@link IllegalArgumentException} naming the culprit.
 */
public final class Interpreter {
    private final Map<String, Tensor> leaves;
    private final Map<String, Integer> dims;
    private final boolean training;
    private final Precision precision;
    private final DropoutMasks masks;
    private final Map<Node, Tensor> memo = new IdentityHashMap<>();

    /**
     * @param leaves    INPUT, PARAM and BUFFER values by name
     * @param dims      runtime dim values by name (see {@link #bindDims})
     * @param training  true: training mode (each {@code MODE} node takes its first input; dropout
     *                  masks draw from {@code masks}); false: evaluation mode
     * @param precision F64, or F32 to round every node's result to float
     * @param masks     the dropout masks; may be null when not training
     */
    public Interpreter(Map<String, Tensor> leaves, Map<String, Integer> dims, boolean training,
                       Precision precision, DropoutMasks masks) {
        if (training && masks == null) throw new IllegalArgumentException("training mode needs a source of dropout masks");
        this.leaves = Map.copyOf(leaves);
        this.dims = Map.copyOf(dims);
        this.training = training;
        this.precision = precision == null ? Precision.F64 : precision;
        this.masks = masks;
    }

    /** Inference (dropout off) in f64. */
    public static Interpreter inference(Map<String, Tensor> leaves, Map<String, Integer> dims) {
        return new Interpreter(leaves, dims, false, Precision.F64, null);
    }

    /** Training mode in f64, with nnc's seeded masks for {@code step} (see {@link DropoutMasks#seeded}). */
    public static Interpreter training(Map<String, Tensor> leaves, Map<String, Integer> dims, long seed, long step) {
        return new Interpreter(leaves, dims, true, Precision.F64, DropoutMasks.seeded(seed, step));
    }

    public Precision precision() {
        return precision;
    }

    public boolean isTraining() {
        return training;
    }

    /** The value of {@code root}. */
    public Tensor evaluate(Node root) {
        return evaluate(List.of(root)).get(0);
    }

    /** The values of {@code roots}, in order. */
    public List<Tensor> evaluate(List<Node> roots) {
        // Iterative post-order (graphs can be deep), skipping memoized nodes.
        record Frame(Node node, int next) {}
        List<Frame> stack = new ArrayList<>();
        for (Node root : roots) {
            if (!memo.containsKey(root)) stack.add(new Frame(root, 0));
            while (!stack.isEmpty()) {
                Frame f = stack.remove(stack.size() - 1);
                if (memo.containsKey(f.node)) continue;
                List<Node> in = needed(f.node);
                int i = f.next;
                while (i < in.size() && memo.containsKey(in.get(i))) i++;
                if (i < in.size()) {
                    stack.add(new Frame(f.node, i + 1));
                    stack.add(new Frame(in.get(i), 0));
                } else {
                    memo.put(f.node, compute(f.node));
                }
            }
        }
        List<Tensor> out = new ArrayList<>(roots.size());
        for (Node r : roots) out.add(memo.get(r));
        return out;
    }

    /** The inputs whose values {@code n} needs: all of them, but only the chosen side of a mode. */
    private List<Node> needed(Node n) {
        return n.op() == Layout.MODE ? List.of(n.input(training ? 0 : 1)) : n.inputs();
    }

    // ------------------------------------------------------------------ dims

    /** The concrete sizes of {@code shape} under the bound dims. */
    public int[] sizes(Shape shape) {
        int[] r = new int[shape.rank()];
        for (int i = 0; i < r.length; i++) r[i] = dimValue(shape.get(i));
        return r;
    }

    private int dimValue(Dim d) {
        if (d.isStatic()) return d.size();
        Integer v = dims.get(d.symbol());
        if (v == null) throw new IllegalArgumentException("dim " + d.symbol() + " is not bound: no input or argument gives its size");
        return v;
    }

    /** {@link #bindDims(Model, Map, Map)} with no dims given up front. */
    public static Map<String, Integer> bindDims(Model model, Map<String, Tensor> inputs) {
        return bindDims(model, inputs, Map.of());
    }

    /**
     * Reads the runtime dims off the shapes of the given inputs (in declaration order) and
     * checks each given input's element type and shape against its declaration. Inputs absent
     * from the map are skipped (the interpreter reports them if they are needed); names that
     * are not inputs are ignored.
     *
     * @param given dims already known (e.g. from the command line); inputs must agree with them
     * @return every bound dim, {@code given} first
     * @throws IllegalArgumentException naming the input, its expected shape with the dims
     *         resolved, and its actual shape; or a dim bound to two sizes; or a non-positive dim
     */
    public static Map<String, Integer> bindDims(Model model, Map<String, Tensor> inputs, Map<String, Integer> given) {
        Map<String, Integer> bound = new LinkedHashMap<>();
        Map<String, String> from = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : given.entrySet()) {
            if (e.getValue() == null || e.getValue() <= 0) {
                throw new IllegalArgumentException("dim " + e.getKey() + " must be positive, got " + e.getValue());
            }
            bound.put(e.getKey(), e.getValue());
            from.put(e.getKey(), "the arguments");
        }
        for (Model.Input in : model.inputs()) {
            Tensor t = inputs.get(in.name());
            if (t == null) continue;
            Shape declared = in.node().shape();
            if (in.isInt() != t.isInt()) {
                throw new IllegalArgumentException("input '" + in.name() + "' is declared " + (in.isInt() ? "int" : "real")
                        + declared + " but got " + (t.isInt() ? "an int" : "a real") + " tensor");
            }
            int[] actual = t.shape();
            if (actual.length != declared.rank()) {
                throw new IllegalArgumentException("input '" + in.name() + "': expected shape " + describe(declared, bound)
                        + ", got " + Tensor.shapeString(actual) + " (rank " + actual.length + " instead of " + declared.rank() + ")");
            }
            Map<String, Integer> local = new LinkedHashMap<>(bound);
            for (int i = 0; i < actual.length; i++) {
                Dim d = declared.get(i);
                if (!d.isStatic() && !local.containsKey(d.symbol()) && actual[i] > 0) local.put(d.symbol(), actual[i]);
            }
            for (int i = 0; i < actual.length; i++) {
                Dim d = declared.get(i);
                if (d.isStatic()) {
                    if (d.size() != actual[i]) {
                        throw new IllegalArgumentException("input '" + in.name() + "': expected shape " + describe(declared, local)
                                + ", got " + Tensor.shapeString(actual) + ": dimension " + i + " is " + actual[i] + " instead of " + d.size());
                    }
                } else if (actual[i] <= 0) {
                    throw new IllegalArgumentException("input '" + in.name() + "': expected shape " + describe(declared, local)
                            + ", got " + Tensor.shapeString(actual) + ": dim " + d.symbol() + " must be positive, got " + actual[i]);
                } else if (local.get(d.symbol()) != actual[i]) {
                    throw new IllegalArgumentException("input '" + in.name() + "': expected shape " + describe(declared, local)
                            + ", got " + Tensor.shapeString(actual) + ": dim " + d.symbol() + " is " + local.get(d.symbol())
                            + " (from " + from.getOrDefault(d.symbol(), "input '" + in.name() + "'") + ") but " + actual[i] + " here");
                }
            }
            for (int i = 0; i < actual.length; i++) {
                Dim d = declared.get(i);
                if (!d.isStatic() && !bound.containsKey(d.symbol())) {
                    bound.put(d.symbol(), actual[i]);
                    from.put(d.symbol(), "input '" + in.name() + "'");
                }
            }
        }
        return bound;
    }

    /** {@code [batch, 3] = [4, 3]}, or just {@code [batch, 3]} when no dim of it is bound. */
    private static String describe(Shape s, Map<String, Integer> bound) {
        StringBuilder sb = new StringBuilder("[");
        boolean any = false;
        for (int i = 0; i < s.rank(); i++) {
            if (i > 0) sb.append(", ");
            Dim d = s.get(i);
            Integer v = d.isStatic() ? null : bound.get(d.symbol());
            any |= v != null;
            sb.append(d.isStatic() ? Integer.toString(d.size()) : v != null ? v.toString() : d.symbol());
        }
        sb.append(']');
        return any ? s + " = " + sb : s.toString();
    }

    // ------------------------------------------------------------------ kernels

    private Tensor compute(Node n) {
        int[] shape = sizes(n.shape());
        Tensor result = switch (n.op().family()) {
            case LEAF -> leafValue(n, (Leaf) n.op(), shape);
            case UNARY, BINARY, TERNARY -> elementwise(n, (Elementwise) n.op(), shape);
            case REDUCE -> reduce(n, (Reduce) n.op(), shape);
            case LAYOUT -> n.op() == Layout.MODE ? value(n.input(training ? 0 : 1)) : kernel(n, shape, ((Layout) n.op())::eval);
            case STRUCTURED -> kernel(n, shape, ((Structured) n.op())::eval);
        };
        if (result.numel() != Tensor.numel(shape)) {
            throw new IllegalStateException(n + ": computed " + result.numel() + " elements for shape " + Tensor.shapeString(shape));
        }
        return result;
    }

    private Tensor leafValue(Node n, Leaf op, int[] shape) {
        return switch (op) {
            case INPUT, PARAM, BUFFER -> leaf(n, shape);
            case CONST -> real(shape, new double[] {n.constValue()});
            case SIZE -> real(shape, new double[] {n.attr(Attr.Extent.class).size().eval(dims)});
            case ARANGE -> {
                double[] r = new double[shape[0]];
                for (int i = 0; i < r.length; i++) r[i] = i;
                yield real(shape, r);
            }
            case DROPOUT_MASK -> {
                int numel = Tensor.numel(shape);
                if (!training) { // ones: where a gradient of the training side multiplies it by zero
                    double[] ones = new double[numel];
                    Arrays.fill(ones, 1.0);
                    yield real(shape, ones);
                }
                Attr.Dropout d = n.attr(Attr.Dropout.class);
                double[] m = masks.mask(d.site(), d.p(), numel);
                if (m.length != numel) throw new IllegalStateException("dropout mask of " + m.length + " elements for shape " + n.shape());
                yield real(shape, m);
            }
        };
    }

    /** One scalar function per element, each input read through NumPy broadcasting. */
    private Tensor elementwise(Node n, Elementwise op, int[] shape) {
        int k = n.inputs().size();
        double[][] data = new double[k][];
        int[][] idx = new int[k][];
        for (int j = 0; j < k; j++) {
            Tensor t = value(n.input(j));
            data[j] = t.data();
            idx[j] = Index.broadcast(t.shape(), shape);
        }
        double c = n.attr() instanceof Attr.Const a ? a.value() : 0;
        double[] out = new double[Tensor.numel(shape)];
        double[] args = new double[k];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < k; j++) args[j] = data[j][idx[j][i]];
            out[i] = op.eval(args, c);
        }
        return real(shape, out);
    }

    /**
     * A reduction over the node's axes, accumulated in double in row-major order of the input;
     * the result is laid out as with keepdims (the same order either way).
     */
    private Tensor reduce(Node n, Reduce op, int[] shape) {
        Tensor x = value(n.input(0));
        int[] in = x.shape();
        List<Integer> axes = n.attr(Attr.Axes.class).axes();
        int[] kept = in.clone();
        for (int a : axes) kept[a] = 1;
        int[] keptStrides = Index.strides(kept);
        int[] st = new int[in.length];
        for (int i = 0; i < in.length; i++) st[i] = axes.contains(i) ? 0 : keptStrides[i];
        int[] to = Index.walk(in, st);
        double[] out = new double[Tensor.numel(kept)];
        Arrays.fill(out, op.identity());
        double[] d = x.data();
        for (int i = 0; i < d.length; i++) out[to[i]] = op.combine(out[to[i]], d[i]);
        return real(shape, out);
    }

    /** The kernel of a layout or structured op. */
    private interface Kernel {
        double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out);
    }

    private Tensor kernel(Node n, int[] shape, Kernel k) {
        List<double[]> in = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        for (Node i : n.inputs()) {
            Tensor t = value(i);
            in.add(t.data());
            shapes.add(t.shape());
        }
        double[] out = k.eval(n, in, shapes, shape);
        if (in.contains(out) || n.dtype() == DType.INT) return new Tensor(shape, out, n.dtype()); // the same (already rounded) data
        return real(shape, out);
    }

    private Tensor value(Node n) {
        return memo.get(n);
    }

    /** A fresh real result, rounded to float in F32 mode. */
    private Tensor real(int[] shape, double[] data) {
        if (precision == Precision.F32) {
            for (int i = 0; i < data.length; i++) data[i] = (float) data[i];
        }
        return new Tensor(shape, data, DType.REAL);
    }

    private Tensor leaf(Node n, int[] shape) {
        String name = n.leafName();
        String what = n.op().lower();
        Tensor t = leaves.get(name);
        if (t == null) throw new IllegalArgumentException("missing " + what + " '" + name + "' (shape " + n.shape() + ")");
        if (t.isInt() != (n.dtype() == DType.INT)) {
            throw new IllegalArgumentException(what + " '" + name + "' must be " + (n.dtype() == DType.INT ? "an int" : "a real")
                    + " tensor, got " + (t.isInt() ? "an int" : "a real") + " one");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(what + " '" + name + "': expected shape " + n.shape()
                    + (n.shape().isStatic() ? "" : " = " + Tensor.shapeString(shape)) + ", got " + Tensor.shapeString(t.shape()));
        }
        if (t.isInt() || precision == Precision.F64) return t;
        return real(t.shape().clone(), t.data().clone());
    }

    /** The node values computed so far (read-only view), for debugging and tests. */
    public Map<Node, Tensor> computed() {
        return Collections.unmodifiableMap(memo);
    }
}
