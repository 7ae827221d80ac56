package dev.nnc.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random well-typed models (chains of elementwise, broadcasting, reduction, softmax, matrix
 * product and shape ops over small random shapes, some with the runtime dim {@code batch}, and
 * a scalar loss) agree between generated code and the interpreter in f64: outputs, loss, every
 * gradient, one train step, at two batch sizes on one instance.
 *
 * <p>The property's value is the model's {@code .nn} text, built from a list of small integers
 * (one per statement), so jqwik shrinks a failure to a short model with simple choices and
 * reports it as readable source.
 */
class RandomModelsPropertyTest {

    @Property(tries = 120)
    void generatedCodeAgreesWithTheInterpreter(@ForAll("models") String model) {
        Agreement.check(Agreement.Case.of("random model", model)
                .dims(Map.of("batch", 2), Map.of("batch", 3))
                .steps(1), false);
    }

    /** The generator makes what it says: a fixed choice list gives this model. */
    @Example
    void aModelFromFixedChoices() {
        String m = build(0, List.of(0, 1, 4, 6));
        Agreement.compile(m);
        generatedCodeAgreesWithTheInterpreter(m);
    }

    @Provide
    Arbitrary<String> models() {
        Arbitrary<Integer> shape = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<List<Integer>> steps = Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(7);
        return Combinators.combine(shape, steps).as(RandomModelsPropertyTest::build);
    }

    // ------------------------------------------------------------------ the builder

    /** A value of the model: its .nn name and shape (each entry "batch" or a size). */
    record Value(String name, List<String> shape) {
        int rank() {
            return shape.size();
        }

        String last() {
            return shape.get(rank() - 1);
        }
    }

    static final String[] UNARY = {
        "tanh(%s)", "sigmoid(%s)", "sin(%s)", "cos(%s)", "softplus(%s)", "relu(%s)", "abs(%s)", "gelu(%s)", "elu(%s)",
        "leaky_relu(%s, slope = 0.1)", "square(%s)", "exp(tanh(%s))", "log(softplus(%s) + 1)", "sqrt(%s * %<s + 1)", "-%s",
        "%s ^ 3", "2 ^ tanh(%s)", "clamp(%s, -0.5, 0.5)", "maximum(%s, 0.25)", "minimum(%s, 0.5) * 2", "stop_gradient(%s) * %<s",
        "(softplus(%s) + 0.5) ^ 1.5",
    };
    static final String[] BINARY = {"%s + %s", "%s - %s", "%s * %s", "%s / (1 + %s * %<s)", "maximum(%s, %s)", "minimum(%s, %s)",
        "(softplus(%s) + 0.5) ^ tanh(%s)"};
    static final String[] REDUCE = {"sum", "mean", "max", "min", "logsumexp"};

    /** Reads successive choices out of one integer. */
    static final class Choices {
        private int rest;

        Choices(int seed) {
            rest = seed;
        }

        int next(int n) {
            int c = rest % n;
            rest /= n;
            return c;
        }
    }

    /** Model text from a shape seed and one integer per statement; always well typed. */
    static String build(int shapeSeed, List<Integer> steps) {
        Builder b = new Builder();
        Choices c = new Choices(shapeSeed);
        List<String> shape = new ArrayList<>();
        int rank = 1 + c.next(3);
        for (int i = 0; i < rank; i++) shape.add(i == 0 && c.next(3) > 0 ? "batch" : Integer.toString(1 + c.next(4)));
        Value v = b.input(shape);
        b.chain.add(v);
        for (int step : steps) v = b.step(new Choices(step));
        return b.finish(v);
    }

    static final class Builder {
        final List<String> decls = new ArrayList<>();
        final List<String> body = new ArrayList<>();
        /** Every input, param and local. */
        final List<Value> values = new ArrayList<>();
        /** The values statements build on: the first input and the locals. */
        final List<Value> chain = new ArrayList<>();
        /** Names read by some statement. */
        final java.util.Set<String> used = new java.util.HashSet<>();
        int inputs, params, locals;

        Value input(List<String> shape) {
            Value v = new Value("x" + inputs++, shape);
            decls.add("input " + v.name() + " : " + text(shape));
            values.add(v);
            return v;
        }

        /** A param shaped like {@code shape} with every "batch" made 1 (params are static). */
        Value param(List<String> shape) {
            List<String> s = new ArrayList<>();
            for (String d : shape) s.add(d.equals("batch") ? "1" : d);
            Value v = new Value("w" + params++, s);
            decls.add("param " + v.name() + " : " + text(s) + " init normal(0, 1)");
            values.add(v);
            return v;
        }

        Value local(String expr, List<String> shape) {
            Value v = new Value("v" + locals++, shape);
            for (Value w : values) if (expr.matches(".*\\b" + w.name() + "\\b.*")) used.add(w.name());
            body.add(v.name() + " = " + expr);
            values.add(v);
            chain.add(v);
            return v;
        }

        /** One statement: an op applied to the latest value or the one before. */
        Value step(Choices c) {
            int op = c.next(9);
            Value v = chain.get(chain.size() - 1 - c.next(Math.min(2, chain.size())));
            switch (op) {
                case 1, 2 -> { // with a new param or input broadcast against it, in either direction
                    List<String> other = new ArrayList<>(v.shape());
                    for (int i = 0; i < other.size(); i++) if (c.next(3) == 0) other.set(i, "1");
                    int drop = c.next(other.size() + 1);
                    other = new ArrayList<>(other.subList(drop, other.size()));
                    Value w = op == 1 ? param(other) : input(other);
                    if (op == 2 && c.next(2) == 0 && v.rank() < 3) {
                        List<String> wider = new ArrayList<>(v.shape());
                        wider.add(0, c.next(2) == 0 ? "batch" : "2");
                        if (!wider.get(0).equals("batch") || !v.shape().contains("batch")) w = input(wider);
                    }
                    String f = BINARY[c.next(BINARY.length)];
                    boolean swap = c.next(2) == 0;
                    return local(f.formatted(swap ? w.name() : v.name(), swap ? v.name() : w.name()), broadcast(v.shape(), w.shape()));
                }
                case 3 -> { // with another value, if they broadcast
                    Value w = values.get(c.next(values.size()));
                    List<String> s = broadcast(v.shape(), w.shape());
                    if (s != null) return local(BINARY[c.next(BINARY.length)].formatted(v.name(), w.name()), s);
                }
                case 4 -> { // a reduction
                    if (v.rank() > 0) {
                        String f = REDUCE[c.next(REDUCE.length)];
                        int how = c.next(3);
                        boolean keep = c.next(2) == 0;
                        if (how == 0) return local(f + "(" + v.name() + (keep ? ", keepdims = true" : "") + ")", keep ? ones(v.rank()) : List.of());
                        int axis = c.next(v.rank());
                        String axisText = how == 1 ? Integer.toString(axis) : Integer.toString(axis - v.rank());
                        List<String> s = new ArrayList<>(v.shape());
                        if (keep) s.set(axis, "1");
                        else s.remove(axis);
                        return local(f + "(" + v.name() + ", axis = " + axisText + (keep ? ", keepdims = true" : "") + ")", s);
                    }
                }
                case 5 -> { // softmax or log_softmax along an axis
                    if (v.rank() > 0) {
                        String f = c.next(2) == 0 ? "softmax" : "log_softmax";
                        return local(f + "(" + v.name() + ", axis = " + (c.next(v.rank()) - v.rank()) + ")", v.shape());
                    }
                }
                case 6 -> { // a matrix product with a new param (or input, to contract over batch)
                    if (v.rank() == 1 || v.rank() == 2) {
                        String k = v.last();
                        String n = Integer.toString(1 + c.next(4));
                        boolean vectorRight = c.next(3) == 0;
                        List<String> ws = vectorRight ? List.of(k) : List.of(k, n);
                        Value w = k.equals("batch") ? input(ws) : param(ws);
                        List<String> s = new ArrayList<>(v.shape().subList(0, v.rank() - 1));
                        if (!vectorRight) s.add(n);
                        return local(v.name() + " @ " + w.name(), s);
                    }
                }
                case 7 -> { // transpose, or a reshape merging the last two dims
                    if (v.rank() >= 2) {
                        List<String> s = new ArrayList<>(v.shape());
                        String a = s.get(v.rank() - 2), b = s.get(v.rank() - 1);
                        if (c.next(2) == 0 && !a.equals("batch") && !b.equals("batch")) {
                            s.remove(v.rank() - 1);
                            s.set(v.rank() - 2, Integer.toString(Integer.parseInt(a) * Integer.parseInt(b)));
                            return local("reshape(" + v.name() + ", " + text(s) + ")", s);
                        }
                        s.set(v.rank() - 2, b);
                        s.set(v.rank() - 1, a);
                        return local(c.next(2) == 0 ? v.name() + ".T" : "transpose(" + v.name() + ")", s);
                    }
                }
                case 8 -> { // concat with a new param along a static axis
                    for (int axis = v.rank() - 1; axis >= 0; axis--) {
                        if (v.shape().get(axis).equals("batch")) continue;
                        List<String> ps = new ArrayList<>(v.shape());
                        ps.set(axis, Integer.toString(1 + c.next(2)));
                        if (ps.contains("batch")) {
                            Value w = input(ps);
                            List<String> s = new ArrayList<>(v.shape());
                            s.set(axis, Integer.toString(Integer.parseInt(v.shape().get(axis)) + Integer.parseInt(ps.get(axis))));
                            return local("concat(" + v.name() + ", " + w.name() + ", axis = " + axis + ")", s);
                        }
                        Value w = param(ps);
                        List<String> s = new ArrayList<>(v.shape());
                        s.set(axis, Integer.toString(Integer.parseInt(v.shape().get(axis)) + Integer.parseInt(ps.get(axis))));
                        return local("concat(" + v.name() + ", " + w.name() + ", axis = " + axis + ")", s);
                    }
                }
                default -> { }
            }
            return local(UNARY[c.next(UNARY.length)].formatted(v.name()), v.shape());
        }

        /**
         * The model: an output, and a scalar loss that weights the last value by an input and adds
         * the mean of every other local no statement reads, so that no statement is dead code.
         */
        String finish(Value last) {
            if (params == 0) {
                Value w = param(List.of());
                last = local(last.name() + " * " + w.name(), last.shape());
            }
            Value t = input(last.shape());
            StringBuilder loss = new StringBuilder("sum(" + last.name() + " * " + t.name() + ")");
            for (Value v : chain) {
                if (v != last && v.name().startsWith("v") && !used.contains(v.name())) loss.append(" + 0.5 * mean(").append(v.name()).append(")");
            }
            StringBuilder sb = new StringBuilder("model Random {\n    dim batch\n");
            for (String d : decls) sb.append("    ").append(d).append('\n');
            for (String s : body) sb.append("    ").append(s).append('\n');
            sb.append("    output y = ").append(last.name()).append('\n');
            sb.append("    loss = ").append(loss).append('\n');
            sb.append("    optimizer sgd(lr = 0.01)\n}\n");
            return sb.toString();
        }
    }

    static String text(List<String> shape) {
        return "[" + String.join(", ", shape) + "]";
    }

    static List<String> ones(int rank) {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < rank; i++) s.add("1");
        return s;
    }

    /** NumPy broadcasting of two shapes, or null if they do not broadcast. */
    static List<String> broadcast(List<String> a, List<String> b) {
        int r = Math.max(a.size(), b.size());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            String x = i < r - a.size() ? "1" : a.get(i - (r - a.size()));
            String y = i < r - b.size() ? "1" : b.get(i - (r - b.size()));
            if (x.equals(y) || y.equals("1")) out.add(x);
            else if (x.equals("1")) out.add(y);
            else return null;
        }
        return out;
    }
}
