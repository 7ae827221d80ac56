package dev.nnc.check;

import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeRules;
import dev.nnc.ops.Binary;
import dev.nnc.ops.Unary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in functions of the language: each one's parameters (with defaults) and its
 * lowering to graph primitives, one entry per function. Compositions here must stay
 * numerically stable: softmax-like functions subtract a stop-gradient max first.
 */
final class Builtins {
    private Builtins() {}

    /** How an argument is read. */
    enum Kind {
        /** A tensor (numbers become constant scalars). */
        TENSOR,
        /** A compile-time number. */
        NUMBER,
        /** {@code true} or {@code false}. */
        BOOL,
        /** An integer axis, a bracketed list of them, or absent (all axes). */
        AXES,
        /** A bracketed shape (zeros, ones, full). */
        SHAPE,
        /** A bracketed shape in which one entry may be -1, inferred (reshape). */
        TARGET,
        /** One shape entry: a count or a runtime dim (arange); read as a shape of rank 1. */
        SIZE,
        /** A tensor that may be an integer label tensor. */
        LABELS,
        /** grad's second argument: an input or param. */
        LEAF,
        /** A buffer (batch_norm's running statistics). */
        BUFFER,
        /** A non-negative integer or a bracketed list of them (a window's kernel, stride, padding, dilation). */
        SIZES
    }

    /** One parameter; {@code def} is its default, or {@link #REQUIRED}. */
    record P(String name, Kind kind, Object def) {}

    static final Object REQUIRED = new Object();
    /** The default of an argument that may be left out: {@link Args#has} is false. */
    static final Object ABSENT = new Object();
    static final Object ALL_AXES = new Object();

    /** Arguments after binding, by parameter name. */
    interface Args {
        /** False for an argument with default {@link #ABSENT} that the call left out. */
        boolean has(String name);

        /** A tensor argument, or null when it was left out. */
        Node tensor(String name);

        /**
         * Registers the new value of buffer {@code buffer} after a training-mode forward; a
         * {@code ShapeException} when the model already updates it.
         */
        void update(Node buffer, Node value);

        double number(String name);

        boolean bool(String name);

        /** Axes as written (may be negative), or null for all. */
        List<Integer> axes(String name);

        Shape shape(String name);

        /** The one axis of an axis parameter that must name exactly one. */
        int axis(String name);

        /** The integers of a {@link Kind#SIZES} argument, as written (one or a list). */
        List<Integer> sizes(String name);
    }

    interface Lowering {
        Node lower(Graph g, Args a);
    }

    /** The groups of docs/language.md's table of functions, in its order. */
    enum Group {
        ELEMENTWISE("elementwise"), REDUCTION("reductions"), ALONG_AXIS("along an axis"), SHAPE("shape"),
        SELECTION("selection, embedding and constants"), LOSS("losses"), NORMALIZATION("normalization"),
        CONVOLUTION("convolution and pooling"), ATTENTION("attention"), TRAINING("training"), DERIVATIVE("derivatives");

        final String label;

        Group(String label) {
            this.label = label;
        }
    }

    record Fn(String name, Group group, List<P> params, Lowering lowering) {
        String signature() {
            StringBuilder sb = new StringBuilder(name).append('(');
            for (int i = 0; i < params.size(); i++) {
                if (i > 0) sb.append(", ");
                P p = params.get(i);
                sb.append(p.name());
                if (p.def() == ABSENT) sb.append("?");
                else if (p.def() != REQUIRED) sb.append(" = ").append(p.def() == ALL_AXES ? "all" : p.def());
            }
            return sb.append(')').toString();
        }

        int required() {
            int n = 0;
            for (P p : params) if (p.def() == REQUIRED) n++;
            return n;
        }
    }

    static final Map<String, Fn> ALL = new LinkedHashMap<>();

    /** The group of the functions defined next (the static block sets it before each group). */
    private static Group group;

    private static void def(String name, Lowering l, P... params) {
        ALL.put(name, new Fn(name, group, List.of(params), l));
    }

    /** Every built-in function by group: "elementwise exp, log, …; reductions sum, …; …". */
    static String catalogue() {
        Map<Group, List<String>> by = new java.util.EnumMap<>(Group.class);
        for (Fn f : ALL.values()) by.computeIfAbsent(f.group(), k -> new ArrayList<>()).add(f.name());
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Group, List<String>> e : by.entrySet()) parts.add(e.getKey().label + " " + String.join(", ", e.getValue()));
        return String.join("; ", parts);
    }

    private static P t(String n) {
        return new P(n, Kind.TENSOR, REQUIRED);
    }

    private static P num(String n, Object def) {
        return new P(n, Kind.NUMBER, def);
    }

    private static P axes(Object def) {
        return new P("axis", Kind.AXES, def);
    }

    private static P sizes(String n, Object def) {
        return new P(n, Kind.SIZES, def);
    }

    private static P keep() {
        return new P("keepdims", Kind.BOOL, false);
    }

    private static void unary(String name, Unary op) {
        def(name, (g, a) -> g.unary(op, a.tensor("x")), t("x"));
    }

    static {
        group = Group.ELEMENTWISE;
        unary("exp", Unary.EXP);
        unary("log", Unary.LOG);
        unary("sqrt", Unary.SQRT);
        unary("abs", Unary.ABS);
        unary("sin", Unary.SIN);
        unary("cos", Unary.COS);
        unary("tanh", Unary.TANH);
        unary("sigmoid", Unary.SIGMOID);
        unary("relu", Unary.RELU);
        unary("softplus", Unary.SOFTPLUS);
        def("square", (g, a) -> g.mul(a.tensor("x"), a.tensor("x")), t("x"));
        def("silu", (g, a) -> g.mul(a.tensor("x"), g.unary(Unary.SIGMOID, a.tensor("x"))), t("x"));
        // log σ(x) = −softplus(−x): finite at ±1000, where log(sigmoid(x)) is log 0
        def("log_sigmoid", (g, a) -> g.neg(g.unary(Unary.SOFTPLUS, g.neg(a.tensor("x")))), t("x"));
        def("gelu", (g, a) -> {
            Node x = a.tensor("x");
            Node phi = g.mul(g.constant(0.5), g.add(g.constant(1), g.unary(Unary.ERF, g.mul(x, g.constant(Math.sqrt(0.5))))));
            return g.mul(x, phi);
        }, t("x"));
        def("leaky_relu", (g, a) -> {
            Node x = a.tensor("x");
            Node pos = g.binary(Binary.GT, x, g.constant(0));
            double s = a.number("slope");
            Node scale = g.add(g.mul(pos, g.constant(1 - s)), g.constant(s));
            return g.mul(x, scale);
        }, t("x"), num("slope", 0.01));
        def("elu", (g, a) -> g.elu(a.tensor("x"), a.number("alpha")), t("x"), num("alpha", 1.0));
        def("maximum", (g, a) -> g.binary(Binary.MAXIMUM, a.tensor("a"), a.tensor("b"), "take the maximum of"), t("a"), t("b"));
        def("minimum", (g, a) -> g.binary(Binary.MINIMUM, a.tensor("a"), a.tensor("b"), "take the minimum of"), t("a"), t("b"));
        def("clamp", (g, a) -> g.clamp(a.tensor("x"), a.tensor("lo"), a.tensor("hi")), t("x"), t("lo"), t("hi"));

        group = Group.REDUCTION;
        def("sum", (g, a) -> g.sum(a.tensor("x"), a.axes("axis"), a.bool("keepdims")), t("x"), axes(ALL_AXES), keep());
        def("mean", (g, a) -> mean(g, a.tensor("x"), a.axes("axis"), a.bool("keepdims")), t("x"), axes(ALL_AXES), keep());
        def("max", (g, a) -> g.max(a.tensor("x"), a.axes("axis"), a.bool("keepdims")), t("x"), axes(ALL_AXES), keep());
        def("min", (g, a) -> g.neg(g.max(g.neg(a.tensor("x")), a.axes("axis"), a.bool("keepdims"))), t("x"), axes(ALL_AXES), keep());
        def("logsumexp", (g, a) -> logsumexp(g, a.tensor("x"), a.axes("axis"), a.bool("keepdims")), t("x"), axes(ALL_AXES), keep());
        def("var", (g, a) -> variance(g, a.tensor("x"), a.axes("axis"), a.bool("keepdims"), a.number("correction")),
                t("x"), axes(ALL_AXES), keep(), num("correction", 1));
        group = Group.ALONG_AXIS;
        def("softmax", (g, a) -> softmax(g, a.tensor("x"), a.axis("axis")), t("x"), axes(-1));
        def("log_softmax", (g, a) -> logSoftmax(g, a.tensor("x"), a.axis("axis")), t("x"), axes(-1));

        group = Group.SHAPE;
        def("reshape", (g, a) -> ShapeOps.reshape(g, a.tensor("x"), a.shape("shape")), t("x"), new P("shape", Kind.TARGET, REQUIRED));
        def("flatten", (g, a) -> ShapeOps.flatten(g, a.tensor("x"), a.axis("start"), a.axis("end")), t("x"),
                new P("start", Kind.AXES, 1), new P("end", Kind.AXES, -1));
        def("unsqueeze", (g, a) -> ShapeOps.unsqueeze(g, a.tensor("x"), a.axis("axis")), t("x"), axes(REQUIRED));
        def("squeeze", (g, a) -> ShapeOps.squeeze(g, a.tensor("x"), a.axes("axis")), t("x"), axes(REQUIRED));
        def("transpose", (g, a) -> ShapeOps.transpose(g, a.tensor("x"), a.has("a") ? a.axis("a") : null, a.has("b") ? a.axis("b") : null),
                t("x"), new P("a", Kind.AXES, ABSENT), new P("b", Kind.AXES, ABSENT));
        def("permute", (g, a) -> g.permute(a.tensor("x"), a.axes("axes")), t("x"), new P("axes", Kind.AXES, REQUIRED));
        def("concat", (g, a) -> g.concat(List.of(a.tensor("a"), a.tensor("b")), a.axis("axis")), t("a"), t("b"), axes(0));
        def("one_hot", (g, a) -> g.oneHot(a.tensor("label"), classCount(a.number("n"))),
                new P("label", Kind.LABELS, REQUIRED), num("n", REQUIRED));

        group = Group.LOSS;
        def("mse", (g, a) -> {
            Node d = g.binary(Binary.SUB, a.tensor("pred"), a.tensor("target"), "compare");
            return mean(g, g.mul(d, d), null, false);
        }, t("pred"), t("target"));
        def("cross_entropy", (g, a) -> crossEntropy(g, a.tensor("logits"), a.tensor("label"), a.number("label_smoothing")),
                t("logits"), new P("label", Kind.LABELS, REQUIRED), num("label_smoothing", 0.0));
        def("bce_with_logits", (g, a) -> {
            Node x = a.tensor("logits");
            Node t = a.tensor("target");
            Node l = g.binary(Binary.SUB, g.unary(Unary.SOFTPLUS, x), g.binary(Binary.MUL, x, t, "compare"), "compare");
            return mean(g, l, null, false);
        }, t("logits"), t("target"));
        def("huber", (g, a) -> {
            Node d = g.binary(Binary.SUB, a.tensor("pred"), a.tensor("target"), "compare");
            Node abs = g.unary(Unary.ABS, d);
            Node delta = g.constant(a.number("delta"));
            Node m = g.binary(Binary.MINIMUM, abs, delta);
            Node l = g.add(g.mul(g.constant(0.5), g.mul(m, m)), g.mul(delta, g.sub(abs, m)));
            return mean(g, l, null, false);
        }, t("pred"), t("target"), num("delta", 1.0));

        group = Group.NORMALIZATION;
        def("batch_norm", Normalization::batchNorm, t("x"), new P("weight", Kind.TENSOR, ABSENT), new P("bias", Kind.TENSOR, ABSENT),
                new P("running_mean", Kind.BUFFER, ABSENT), new P("running_var", Kind.BUFFER, ABSENT), num("momentum", 0.1),
                num("eps", 1e-5));
        def("layer_norm", Normalization::layerNorm, t("x"), new P("weight", Kind.TENSOR, ABSENT), new P("bias", Kind.TENSOR, ABSENT),
                num("eps", 1e-5));

        group = Group.ATTENTION;
        def("scaled_dot_product_attention", Attention::lower, t("q"), t("k"), t("v"), new P("mask", Kind.TENSOR, ABSENT),
                new P("causal", Kind.BOOL, false));

        group = Group.SELECTION;
        def("where", (g, a) -> g.where(a.tensor("c"), a.tensor("a"), a.tensor("b")), t("c"), t("a"), t("b"));
        def("tril", (g, a) -> ShapeOps.triangle(g, a.tensor("x"), a.number("diagonal"), true), t("x"), num("diagonal", 0));
        def("triu", (g, a) -> ShapeOps.triangle(g, a.tensor("x"), a.number("diagonal"), false), t("x"), num("diagonal", 0));
        def("embedding", (g, a) -> g.gather(a.tensor("table"), a.tensor("ids")), new P("ids", Kind.LABELS, REQUIRED), t("table"));
        def("arange", (g, a) -> g.arange(a.shape("n").get(0)), new P("n", Kind.SIZE, REQUIRED));
        def("zeros", (g, a) -> g.filled(0, a.shape("shape")), new P("shape", Kind.SHAPE, REQUIRED));
        def("ones", (g, a) -> g.filled(1, a.shape("shape")), new P("shape", Kind.SHAPE, REQUIRED));
        def("full", (g, a) -> g.filled(a.number("value"), a.shape("shape")), new P("shape", Kind.SHAPE, REQUIRED), num("value", REQUIRED));

        group = Group.CONVOLUTION;
        for (int rank = 1; rank <= 2; rank++) {
            int r = rank;
            def("conv" + r + "d", (g, a) -> Convolutions.conv(g, a, r), t("x"), t("w"), new P("bias", Kind.TENSOR, ABSENT),
                    sizes("stride", 1), sizes("padding", 0), sizes("dilation", 1), num("groups", 1));
        }
        for (int rank = 1; rank <= 2; rank++) {
            int r = rank;
            def("max_pool" + r + "d", (g, a) -> Convolutions.maxPool(g, a, r), t("x"), sizes("kernel", REQUIRED), sizes("stride", ABSENT),
                    sizes("padding", 0));
        }
        for (int rank = 1; rank <= 2; rank++) {
            int r = rank;
            def("avg_pool" + r + "d", (g, a) -> Convolutions.avgPool(g, a, r), t("x"), sizes("kernel", REQUIRED), sizes("stride", ABSENT),
                    sizes("padding", 0));
        }

        group = Group.TRAINING;
        def("dropout", null, t("x"), num("p", 0.5));
        def("stop_gradient", (g, a) -> g.stopGradient(a.tensor("x")), t("x"));
        group = Group.DERIVATIVE;
        def("grad", null, t("f"), new P("x", Kind.LEAF, REQUIRED));
    }

    /** one_hot's {@code n} as a class count: a positive integer that fits a tensor dimension. */
    static int classCount(double n) {
        if (!(n >= 1) || n != Math.rint(n)) {
            throw new dev.nnc.ir.ShapeException(dev.nnc.diag.ErrorKind.BAD_ARG_VALUE, "n", "one_hot",
                    "must be a positive integer, got " + Shapes.fmt(n));
        }
        if (n > Integer.MAX_VALUE) {
            throw new dev.nnc.ir.ShapeException(dev.nnc.diag.ErrorKind.SIZE_OVERFLOW, "one_hot with n = " + Shapes.fmt(n),
                    "at least " + Shapes.fmt(n));
        }
        return (int) n;
    }

    static Node mean(Graph g, Node x, List<Integer> axes, boolean keepdims) {
        return g.div(g.sum(x, axes, keepdims), g.size(reduced(x, axes)));
    }

    /** torch.var: the mean square deviation over {@code axes}, divided by (count − correction). */
    static Node variance(Graph g, Node x, List<Integer> axes, boolean keepdims, double correction) {
        Node d = g.sub(x, mean(g, x, axes, true));
        return g.div(g.sum(g.mul(d, d), axes, keepdims), g.sub(g.size(reduced(x, axes)), g.constant(correction)));
    }

    /** The dims of {@code x} that a reduction over {@code axes} (null: all) sums over. */
    private static List<Dim> reduced(Node x, List<Integer> axes) {
        List<Dim> out = new ArrayList<>();
        for (int i : ShapeRules.normalizeAxes(axes, x.shape())) out.add(x.shape().get(i));
        return out;
    }

    static Node logsumexp(Graph g, Node x, List<Integer> axes, boolean keepdims) {
        Node m = g.stopGradient(g.max(x, axes, true));
        Node r = g.add(g.log(g.sum(g.exp(g.sub(x, m)), axes, true)), m);
        if (keepdims) return r;
        List<Integer> norm = ShapeRules.normalizeAxes(axes, x.shape());
        List<Dim> ds = new ArrayList<>();
        for (int i = 0; i < x.shape().rank(); i++) if (!norm.contains(i)) ds.add(x.shape().get(i));
        return g.reshape(r, new Shape(ds));
    }

    static Node softmax(Graph g, Node x, int axis) {
        List<Integer> ax = List.of(axis);
        Node e = g.exp(g.sub(x, g.stopGradient(g.max(x, ax, true))));
        return g.div(e, g.sum(e, ax, true));
    }

    static Node logSoftmax(Graph g, Node x, int axis) {
        List<Integer> ax = List.of(axis);
        Node z = g.sub(x, g.stopGradient(g.max(x, ax, true)));
        return g.sub(z, g.log(g.sum(g.exp(z), ax, true)));
    }

    /**
     * The mean over positions (every index but the last, the classes) of
     * {@code -sum(target * log_softmax(logits))}; int labels become one-hot rows, and with label
     * smoothing {@code ε} the target is {@code (1 − ε)·target + ε/classes} ({@code F.cross_entropy}).
     */
    static Node crossEntropy(Graph g, Node logits, Node label, double smoothing) {
        Shape ls = logits.shape();
        if (ls.rank() < 1) {
            throw new dev.nnc.ir.ShapeException(dev.nnc.diag.ErrorKind.RANK, "cross_entropy", "logits [..., classes] with the classes last", ls);
        }
        if (!(smoothing >= 0 && smoothing <= 1)) {
            throw new dev.nnc.ir.ShapeException(dev.nnc.diag.ErrorKind.BAD_ARG_VALUE, "label_smoothing", "cross_entropy",
                    "must be in [0, 1], got " + Shapes.fmt(smoothing));
        }
        Dim classes = ls.last(1);
        Node target;
        if (label.dtype() == dev.nnc.ir.DType.INT) {
            Shape want = new Shape(ls.dims().subList(0, ls.rank() - 1));
            if (!label.shape().equals(want) || !classes.isStatic()) {
                throw new dev.nnc.ir.ShapeException(dev.nnc.diag.ErrorKind.LABEL_SHAPE, "cross_entropy", label.shape(), ls);
            }
            target = g.oneHot(label, classes.size());
        } else {
            if (!label.shape().equals(ls)) {
                var e = new dev.nnc.ir.ShapeException(dev.nnc.diag.ErrorKind.LABEL_SHAPE, "cross_entropy", label.shape(), ls);
                Shape ids = ls.rank() == 2 ? Shape.of(ls.get(0)) : Shape.SCALAR;
                if (label.shape().equals(ids)) {
                    // real values, one per row: class ids declared without int
                    String decl = label.op() == dev.nnc.ops.Leaf.INPUT ? "input " + label.leafName() + " : int" + ids : "an int" + ids + " input";
                    e.withHint("class labels (one class id per row) are integers: declare them as " + decl
                            + "; real labels must have the logits' shape " + ls + " (probabilities per class)");
                }
                throw e;
            }
            target = label;
        }
        if (smoothing > 0) {
            target = g.add(g.mul(target, g.constant(1 - smoothing)), g.div(g.constant(smoothing), g.size(List.of(classes))));
        }
        Node perRow = g.neg(g.sum(g.mul(target, logSoftmax(g, logits, -1)), List.of(-1), false));
        return ls.rank() >= 2 ? mean(g, perRow, null, false) : perRow;
    }
}
