package dev.nnc.ops;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import java.util.List;

/** Elementwise ops of three broadcasting inputs. */
public enum Ternary implements Elementwise {
    /**
     * {@code clamp(x, lo, hi) = min(max(x, lo), hi)}, as torch.clamp: the gradient passes to
     * {@code x} only strictly inside {@code (lo, hi)}; where {@code lo > hi} the result is
     * {@code hi} and {@code hi} takes the whole gradient.
     */
    CLAMP {
        @Override public double eval(double x, double lo, double hi) { return Math.min(Math.max(x, lo), hi); }
        @Override Node[] grad(Graph G, Node x, Node lo, Node hi, Node g) {
            Node inside = G.mul(gt(G, x, lo), gt(G, hi, x));
            Node loWins = G.mul(gt(G, lo, x), gt(G, hi, lo));
            Node hiWins = G.binary(Binary.MAXIMUM, gt(G, x, hi), gt(G, lo, hi));
            return new Node[] {G.mul(g, inside), G.mul(g, loWins), G.mul(g, hiWins)};
        }
        @Override public CodeBlock scalar(ScalarCode s, List<CodeBlock> a) {
            return CodeBlock.of("Math.min(Math.max($L, $L), $L)", a.get(0), a.get(1), a.get(2));
        }
        @Override public CodeBlock vector(VectorCode v, List<CodeBlock> a) {
            return CodeBlock.of("$L.max($L).min($L)", a.get(0), a.get(1), a.get(2));
        }
        @Override public long flopsPerElement() { return 2; }
    },
    /**
     * {@code where(c, a, b)}: {@code a} where {@code c != 0} (NaN counts as true), else {@code b};
     * the gradient goes to {@code a} and {@code b} by the mask, none to {@code c}.
     */
    WHERE {
        @Override public double eval(double c, double a, double b) { return c != 0 ? a : b; }
        @Override Node[] grad(Graph G, Node c, Node a, Node b, Node g) {
            Node zero = G.constant(0);
            return new Node[] {null, G.ternary(WHERE, c, g, zero), G.ternary(WHERE, c, zero, g)};
        }
        @Override public CodeBlock scalar(ScalarCode s, List<CodeBlock> a) {
            return CodeBlock.of("($L != $L ? $L : $L)", a.get(0), s.lit(0), a.get(1), a.get(2));
        }
        @Override public CodeBlock vector(VectorCode v, List<CodeBlock> a) {
            // only the first argument receives calls (VectorCode): b is blended into -0 + b, the same lanes
            return CodeBlock.of("$L.add($L).blend($L, $L.compare($T.NE, $L))", v.constant(-0.0), a.get(2), a.get(1), a.get(0),
                    v.operators(), v.constant(0));
        }
        @Override public long flopsPerElement() { return 1; }
    };

    /** The value at one triple of elements. */
    public abstract double eval(double a, double b, double c);

    /** The gradients to the three inputs (null for none). */
    abstract Node[] grad(Graph G, Node a, Node b, Node c, Node g);

    /** The Java expression of one element. */
    public abstract CodeBlock scalar(ScalarCode s, List<CodeBlock> args);

    /** The lane-wise vector expression, or null when there is none. */
    public abstract CodeBlock vector(VectorCode v, List<CodeBlock> args);

    private static Node gt(Graph G, Node a, Node b) {
        return G.binary(Binary.GT, a, b);
    }

    @Override
    public Family family() {
        return Family.TERNARY;
    }

    @Override
    public double eval(double[] args, double c) {
        return eval(args[0], args[1], args[2]);
    }

    @Override
    public CodeBlock scalar(ScalarCode code, Node n, List<CodeBlock> args) {
        return scalar(code, args);
    }

    @Override
    public CodeBlock vector(VectorCode code, Node n, List<CodeBlock> args) {
        return vector(code, args);
    }

    @Override
    public Node rebuild(Graph g, Node n, List<Node> inputs) {
        return g.ternary(this, inputs.get(0), inputs.get(1), inputs.get(2));
    }

    @Override
    public Node[] vjp(Graph g, Node y, Node adj) {
        return grad(g, y.input(0), y.input(1), y.input(2), adj);
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
