package dev.nnc.ops;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import java.util.List;

/**
 * Elementwise ops of two inputs with NumPy broadcasting. Each constant states its value at one
 * pair of elements, the gradients to both inputs ({@code a}, {@code b} the inputs, {@code y} the
 * result, {@code g} its adjoint), its Java and Vector API expressions, and the verb that names
 * it in shape errors ("cannot add [2] and [3]").
 */
public enum Binary implements Elementwise {
    ADD("add") {
        @Override public double eval(double a, double b) { return a + b; }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return new Node[] {g, g}; }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) { return CodeBlock.of("($L + $L)", a, b); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return CodeBlock.of("$L.add($L)", a, b); }
    },
    SUB("subtract") {
        @Override public double eval(double a, double b) { return a - b; }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return new Node[] {g, G.neg(g)}; }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) { return CodeBlock.of("($L - $L)", a, b); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return CodeBlock.of("$L.sub($L)", a, b); }
    },
    MUL("multiply") {
        @Override public double eval(double a, double b) { return a * b; }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return new Node[] {G.mul(g, b), G.mul(g, a)}; }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) { return CodeBlock.of("($L * $L)", a, b); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return CodeBlock.of("$L.mul($L)", a, b); }
    },
    DIV("divide") {
        @Override public double eval(double a, double b) { return a / b; }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) {
            return new Node[] {G.div(g, b), G.neg(G.div(G.mul(g, y), b))};
        }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) { return CodeBlock.of("($L / $L)", a, b); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return CodeBlock.of("$L.div($L)", a, b); }
    },
    POW("raise") {
        @Override public double eval(double a, double b) { return Math.pow(a, b); }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) {
            Node da = G.mul(g, G.mul(b, G.binary(POW, a, G.sub(b, G.constant(1)))));
            // a^b·log(a), taken as 0 where a == 0 (its limit for b > 0, as PyTorch) instead of 0·(−inf) = NaN
            Node db = G.mul(g, G.mul(y, G.log(G.add(a, G.binary(EQ, a, G.constant(0))))));
            return new Node[] {da, db};
        }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) { return s.call("Math.pow", a, b); }
    },
    /** Ties split the gradient evenly, as PyTorch. */
    MAXIMUM("take the maximum of") {
        @Override public double eval(double a, double b) { return Math.max(a, b); }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return tieSplit(G, g, a, b, G.binary(GT, a, b), G.binary(GT, b, a)); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) { return CodeBlock.of("Math.max($L, $L)", a, b); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return CodeBlock.of("$L.max($L)", a, b); }
    },
    /** Ties split the gradient evenly, as PyTorch. */
    MINIMUM("take the minimum of") {
        @Override public double eval(double a, double b) { return Math.min(a, b); }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return tieSplit(G, g, a, b, G.binary(GT, b, a), G.binary(GT, a, b)); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) { return CodeBlock.of("Math.min($L, $L)", a, b); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return CodeBlock.of("$L.min($L)", a, b); }
    },
    /** 1 where {@code a > b}, else 0; no gradient. */
    GT("compare") {
        @Override public double eval(double a, double b) { return a > b ? 1.0 : 0.0; }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return new Node[2]; }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) {
            return CodeBlock.of("($L > $L ? $L : $L)", a, b, s.lit(1), s.lit(0));
        }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return compare(v, "GT", a, b); }
        @Override public boolean differentiable() { return false; }
    },
    /** 1 where {@code a >= b}, else 0; no gradient. */
    GE("compare") {
        @Override public double eval(double a, double b) { return a >= b ? 1.0 : 0.0; }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return new Node[2]; }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) {
            return CodeBlock.of("($L >= $L ? $L : $L)", a, b, s.lit(1), s.lit(0));
        }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return compare(v, "GE", a, b); }
        @Override public boolean differentiable() { return false; }
    },
    /** 1 where {@code a != b} (NaN included), else 0; no gradient. */
    NE("compare") {
        @Override public double eval(double a, double b) { return a != b ? 1.0 : 0.0; }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return new Node[2]; }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) {
            return CodeBlock.of("($L != $L ? $L : $L)", a, b, s.lit(1), s.lit(0));
        }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return compare(v, "NE", a, b); }
        @Override public boolean differentiable() { return false; }
    },
    /** 1 where {@code a == b}, else 0; no gradient. */
    EQ("compare") {
        @Override public double eval(double a, double b) { return a == b ? 1.0 : 0.0; }
        @Override Node[] grad(Graph G, Node a, Node b, Node y, Node g) { return new Node[2]; }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b) {
            return CodeBlock.of("($L == $L ? $L : $L)", a, b, s.lit(1), s.lit(0));
        }
        @Override public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) { return compare(v, "EQ", a, b); }
        @Override public boolean differentiable() { return false; }
    };

    private final String verb;

    Binary(String verb) {
        this.verb = verb;
    }

    /** How shape errors name the op: "cannot {@code verb} [2] and [3]". */
    public String verb() {
        return verb;
    }

    /** The value at one pair of elements. */
    public abstract double eval(double a, double b);

    /** The gradients to {@code a} and {@code b} (null for none). */
    abstract Node[] grad(Graph G, Node a, Node b, Node y, Node g);

    /** The Java expression of one element. */
    public abstract CodeBlock scalar(ScalarCode s, CodeBlock a, CodeBlock b);

    /** The lane-wise vector expression, or null when there is none. */
    public CodeBlock vector(VectorCode v, CodeBlock a, CodeBlock b) {
        return null;
    }

    /**
     * Whether {@code a OP b} equals {@code b OP a} lane for lane, bit for bit (IEEE addition and
     * multiplication; max and min, NaN and signed zeros included), so the code generator may
     * swap the operands of the vector code.
     */
    public boolean commutative() {
        return switch (this) {
            case ADD, MUL, MAXIMUM, MINIMUM -> true;
            case SUB, DIV, POW, GT, GE, NE, EQ -> false;
        };
    }

    private static Node[] tieSplit(Graph G, Node g, Node a, Node b, Node aWins, Node bWins) {
        Node half = G.mul(G.constant(0.5), G.binary(EQ, a, b));
        return new Node[] {G.mul(g, G.add(aWins, half)), G.mul(g, G.add(bWins, half))};
    }

    /** 1 in the lanes where {@code a OP b}, else 0. */
    static CodeBlock compare(VectorCode v, String op, CodeBlock a, CodeBlock b) {
        return CodeBlock.of("$L.blend($L, $L.compare($T.$L, $L))", v.constant(0), v.constant(1), a, v.operators(), op, b);
    }

    @Override
    public Family family() {
        return Family.BINARY;
    }

    @Override
    public double eval(double[] args, double c) {
        return eval(args[0], args[1]);
    }

    @Override
    public CodeBlock scalar(ScalarCode code, Node n, List<CodeBlock> args) {
        return scalar(code, args.get(0), args.get(1));
    }

    @Override
    public CodeBlock vector(VectorCode code, Node n, List<CodeBlock> args) {
        return vector(code, args.get(0), args.get(1));
    }

    @Override
    public Node rebuild(Graph g, Node n, List<Node> inputs) {
        return g.binary(this, inputs.get(0), inputs.get(1), verb);
    }

    @Override
    public Node[] vjp(Graph g, Node y, Node adj) {
        return grad(g, y.input(0), y.input(1), y, adj);
    }

    @Override
    public Size flops(Node n) {
        return n.shape().numel().times(flopsPerElement());
    }

    @Override
    public String label(Node n) {
        return lower();
    }
}
