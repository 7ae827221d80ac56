package dev.nnc.ops;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Erf;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ir.Numbers;
import java.util.List;

/**
 * Elementwise ops of one input. Each constant states its value at one element ({@link #eval}),
 * its derivative as graph ({@link #vjp(Graph, Node, Node, Node)}: {@code x} the input,
 * {@code y} the result, {@code g} its adjoint), its Java expression and, where the Vector API has
 * a lane-wise form, its vector expression. Conventions at kinks follow PyTorch; every function
 * stays finite at ±1000 where the language promises stability.
 */
public enum Unary implements Elementwise {
    NEG {
        @Override public double eval(double x, double c) { return -x; }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.neg(g); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return CodeBlock.of("(-$L)", x); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock x, double c) { return CodeBlock.of("$L.neg()", x); }
    },
    EXP {
        @Override public double eval(double x, double c) { return Math.exp(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.mul(g, y); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) {
            return s.f32() ? s.helper(Helper.EXPF, x) : s.call("Math.exp", x);
        }
        @Override public CodeBlock vector(VectorCode v, CodeBlock x, double c) { return v.function(Helper.EXPF, x); }
    },
    LOG {
        @Override public double eval(double x, double c) { return Math.log(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.div(g, x); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return s.call("Math.log", x); }
    },
    SQRT {
        @Override public double eval(double x, double c) { return Math.sqrt(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.div(g, G.mul(G.constant(2), y)); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return s.call("Math.sqrt", x); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock x, double c) { return CodeBlock.of("$L.sqrt()", x); }
    },
    /** {@code abs'(0) = 0}, as PyTorch. */
    ABS {
        @Override public double eval(double x, double c) { return Math.abs(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.mul(g, G.unary(SIGN, x)); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return CodeBlock.of("Math.abs($L)", x); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock x, double c) { return CodeBlock.of("$L.abs()", x); }
    },
    SIGN {
        @Override public double eval(double x, double c) { return Math.signum(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return null; }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return CodeBlock.of("Math.signum($L)", x); }
        @Override public boolean differentiable() { return false; }
    },
    SIN {
        @Override public double eval(double x, double c) { return Math.sin(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.mul(g, G.unary(COS, x)); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return s.call("Math.sin", x); }
    },
    COS {
        @Override public double eval(double x, double c) { return Math.cos(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.neg(G.mul(g, G.unary(SIN, x))); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return s.call("Math.cos", x); }
    },
    TANH {
        @Override public double eval(double x, double c) { return Math.tanh(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.mul(g, G.sub(G.constant(1), G.mul(y, y))); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) {
            return s.f32() ? s.helper(Helper.TANHF, x) : s.call("Math.tanh", x);
        }
    },
    SIGMOID {
        @Override public double eval(double x, double c) { return sigmoid(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.mul(g, G.mul(y, G.sub(G.constant(1), y))); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return s.helper(Helper.SIGMOID, x); }
    },
    /** {@code relu'(0) = 0}, as PyTorch. */
    RELU {
        @Override public double eval(double x, double c) { return Math.max(x, 0.0); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.mul(g, G.binary(Binary.GT, x, G.constant(0))); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return CodeBlock.of("Math.max($L, $L)", x, s.lit(0)); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock x, double c) { return CodeBlock.of("$L.max($L)", x, v.constant(0)); }
    },
    SOFTPLUS {
        @Override public double eval(double x, double c) { return softplus(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.mul(g, G.unary(SIGMOID, x)); }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return s.helper(Helper.SOFTPLUS, x); }
    },
    ERF {
        @Override public double eval(double x, double c) { return Erf.erf(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) {
            return G.mul(g, G.mul(G.constant(2 / Math.sqrt(Math.PI)), G.exp(G.neg(G.mul(x, x)))));
        }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) { return s.helper(Helper.ERF, x); }
        @Override public CodeBlock vector(VectorCode v, CodeBlock x, double c) { return v.function(Helper.ERF, x); }
    },
    /** {@code x ^ c} for a constant exponent ({@link Attr.Const}); exact for 1, 2 and 0.5. */
    POWC {
        @Override public double eval(double x, double c) { return powc(x, c); }
        @Override Node grad(Graph G, Node x, Node y, Node g) {
            double c = y.constValue();
            if (c == 0) return null; // x^0 is constant: zero, not 0·x^-1 (NaN at x = 0), as PyTorch
            Node d = c == 1 ? G.constant(1) : G.mul(G.constant(c), c == 2 ? x : G.powc(x, c - 1));
            return G.mul(g, d);
        }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) {
            if (c == 1) return x;
            if (c == 2) return s.helper(Helper.SQ, x);
            if (c == 0.5) return s.call("Math.sqrt", x);
            return s.call("Math.pow", x, CodeBlock.of("$L", javaDouble(c)));
        }
        @Override public CodeBlock vector(VectorCode v, CodeBlock x, double c) {
            if (c == 1) return x;
            return c == 2 ? CodeBlock.of("$L.mul($L)", x, x) : null;
        }
        @Override public String label(Node n) { return "pow ^" + Numbers.format(n.constValue()); }
    },
    /** ELU with alpha ({@link Attr.Const}): {@code x} above 0, else {@code alpha·(exp(x) − 1)}. */
    ELU {
        @Override public double eval(double x, double c) { return x > 0 ? x : c * Math.expm1(x); }
        @Override Node grad(Graph G, Node x, Node y, Node g) {
            Node pos = G.binary(Binary.GT, x, G.constant(0));
            Node negSlope = G.add(y, G.constant(y.constValue()));
            return G.mul(g, G.add(pos, G.mul(G.sub(G.constant(1), pos), negSlope)));
        }
        @Override public CodeBlock scalar(ScalarCode s, CodeBlock x, double c) {
            return s.helper(Helper.ELU, x, CodeBlock.of("$L", javaDouble(c)));
        }
        @Override public String label(Node n) { return "elu α=" + Numbers.format(n.constValue()); }
    };

    /** The value at one element; {@code c} is the constant attribute of POWC and ELU, else ignored. */
    public abstract double eval(double x, double c);

    /** The gradient flowing to {@code x}, or null for none. */
    abstract Node grad(Graph G, Node x, Node y, Node g);

    /** The Java expression of one element. */
    public abstract CodeBlock scalar(ScalarCode s, CodeBlock x, double c);

    /** The lane-wise vector expression, or null when there is none. */
    public CodeBlock vector(VectorCode v, CodeBlock x, double c) {
        return null;
    }

    /** True for the ops with a constant attribute ({@link Attr.Const}). */
    public boolean hasConstant() {
        return this == POWC || this == ELU;
    }

    /** The constant attribute of {@code n} (0 when the op has none). */
    static double constantOf(Node n) {
        return n.attr() instanceof Attr.Const c ? c.value() : 0;
    }

    @Override
    public Family family() {
        return Family.UNARY;
    }

    @Override
    public double eval(double[] args, double c) {
        return eval(args[0], c);
    }

    @Override
    public CodeBlock scalar(ScalarCode code, Node n, List<CodeBlock> args) {
        return scalar(code, args.get(0), constantOf(n));
    }

    @Override
    public CodeBlock vector(VectorCode code, Node n, List<CodeBlock> args) {
        return vector(code, args.get(0), constantOf(n));
    }

    @Override
    public Node rebuild(Graph g, Node n, List<Node> inputs) {
        return hasConstant() ? g.unary(this, inputs.get(0), n.constValue()) : g.unary(this, inputs.get(0));
    }

    @Override
    public Node[] vjp(Graph g, Node y, Node adj) {
        return new Node[] {grad(g, y.input(0), y, adj)};
    }

    @Override
    public Size flops(Node n) {
        return n.shape().numel().times(flopsPerElement());
    }

    @Override
    public String label(Node n) {
        return lower();
    }

    /**
     * Stable logistic function: with {@code e = exp(-|x|)} (never overflows),
     * {@code x >= 0 ? 1/(1+e) : e/(1+e)}.
     */
    public static double sigmoid(double x) {
        double e = Math.exp(-Math.abs(x));
        return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }

    /** Stable {@code log(1 + exp(x))}. */
    public static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** {@code x ^ c} with the exact special cases 1, 2 and 0.5. */
    public static double powc(double x, double c) {
        if (c == 1) return x;
        if (c == 2) return x * x;
        if (c == 0.5) return Math.sqrt(x);
        return Math.pow(x, c);
    }

    /** Java source for a double constant, whatever its value: NaN and the infinities by name. */
    static String javaDouble(double v) {
        if (Double.isNaN(v)) return "Double.NaN";
        if (Double.isInfinite(v)) return v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        return Double.toString(v);
    }
}
