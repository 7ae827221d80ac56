package dev.nnc.ir;

import dev.nnc.diag.Span;
import java.util.List;
import java.util.Map;

/**
 * A checked model: its declarations and the graph nodes of its outputs and loss. Produced by
 * the checker; consumed by autodiff, passes, the interpreter and code generation.
 *
 * @param name      the model's name as written
 * @param pkg       the Java package (from the file's package statement), or "" for none
 * @param graph     the node factory holding every node of this model
 * @param dims      runtime dim names, in declaration order
 * @param inputs    inputs in declaration order
 * @param params    params in declaration order
 * @param buffers   buffers (non-trainable state) in declaration order
 * @param updates   the new value of each buffer that a training-mode forward updates, by name
 *                  (buffers absent from it keep their value); these are roots of the training graph
 * @param outputs   outputs in declaration order
 * @param loss      the loss node, or null when the model has none
 * @param optimizer the optimizer, or null when none is declared
 * @param precision the declared precision, or null when not declared (f32 is the default)
 * @param span      where the model is declared
 */
public record Model(String name, String pkg, Graph graph, List<String> dims, List<Input> inputs,
                    List<Param> params, List<Buffer> buffers, Map<String, Node> updates, List<Output> outputs,
                    Node loss, Optimizer optimizer, Precision precision, Span span) {

    public Model {
        dims = List.copyOf(dims);
        inputs = List.copyOf(inputs);
        params = List.copyOf(params);
        buffers = List.copyOf(buffers);
        updates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(updates));
        outputs = List.copyOf(outputs);
    }

    /** A model without buffers. */
    public Model(String name, String pkg, Graph graph, List<String> dims, List<Input> inputs, List<Param> params,
                 List<Output> outputs, Node loss, Optimizer optimizer, Precision precision, Span span) {
        this(name, pkg, graph, dims, inputs, params, List.of(), Map.of(), outputs, loss, optimizer, precision, span);
    }

    /** An {@code input} declaration; {@code node} is its INPUT leaf. */
    public record Input(String name, Node node, Span span) {
        public boolean isInt() {
            return node.dtype() == DType.INT;
        }
    }

    /** A {@code param} declaration; {@code node} is its PARAM leaf. */
    public record Param(String name, Node node, Init init, Span span) {}

    /** A {@code buffer} declaration; {@code node} is its BUFFER leaf. */
    public record Buffer(String name, Node node, Init init, Span span) {}

    /** An {@code output}. */
    public record Output(String name, Node node, Span span) {}

    /**
     * An initializer: kind is one of zeros, ones, constant, uniform, normal, xavier_uniform,
     * xavier_normal, he_uniform, he_normal; args are its numbers in order (constant: value;
     * uniform: a, b; normal: mean, std).
     */
    public record Init(String kind, List<Double> args) {
        public static final Init ZEROS = new Init("zeros", List.of());

        public Init {
            args = List.copyOf(args);
        }
    }

    /**
     * An optimizer: kind "sgd" with args lr, momentum, weight_decay, nesterov (0 or 1), or
     * "adam" or "adamw" with lr, beta1, beta2, eps, weight_decay; every arg is present (defaults
     * filled in), except {@code clip_norm}, present only when given ({@link #clipNorm}).
     */
    public record Optimizer(String kind, Map<String, Double> args) {
        public Optimizer {
            args = Map.copyOf(args);
        }

        public double arg(String name) {
            Double v = args.get(name);
            if (v == null) throw new IllegalArgumentException(kind + " has no argument " + name);
            return v;
        }

        /** The global L2 norm the gradients are clipped to before each update, or null when they are not. */
        public Double clipNorm() {
            return args.get("clip_norm");
        }
    }

    /** Element type of generated code. */
    public enum Precision { F32, F64 }

    /** The input named {@code name}, or null. */
    public Input input(String name) {
        for (Input i : inputs) if (i.name().equals(name)) return i;
        return null;
    }

    /** The buffer named {@code name}, or null. */
    public Buffer buffer(String name) {
        for (Buffer b : buffers) if (b.name().equals(name)) return b;
        return null;
    }

    /** The param named {@code name}, or null. */
    public Param param(String name) {
        for (Param p : params) if (p.name().equals(name)) return p;
        return null;
    }
}
