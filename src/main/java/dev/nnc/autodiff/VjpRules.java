package dev.nnc.autodiff;

import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Op;
import dev.nnc.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The vector-Jacobian rules: for a node {@code y = op(x...)} and the adjoint {@code g} of
 * {@code y}, one gradient per input ({@code null} = zero / not differentiable). The switch is
 * exhaustive over {@link Op}, so adding an op without a rule does not compile. Gradients may
 * come back broadcast to {@code y}'s shape; {@link Autodiff} sums them down to each input's.
 */
final class VjpRules {
    private VjpRules() {}

    static Node[] vjp(Graph G, Node y, Node g) {
        List<Node> in = y.inputs();
        Node x = in.isEmpty() ? null : in.get(0);
        return switch (y.op()) {
            case INPUT, PARAM, CONST, SIZE, DROPOUT_MASK -> new Node[0];
            case NEG -> one(G.neg(g));
            case EXP -> one(G.mul(g, y));
            case LOG -> one(G.div(g, x));
            case SQRT -> one(G.div(g, G.mul(G.constant(2), y)));
            case ABS -> one(G.mul(g, G.unary(Op.SIGN, x)));
            case SIGN, GT, EQ, ONE_HOT, STOP_GRADIENT -> new Node[in.size()];
            case SIN -> one(G.mul(g, G.unary(Op.COS, x)));
            case COS -> one(G.neg(G.mul(g, G.unary(Op.SIN, x))));
            case TANH -> one(G.mul(g, G.sub(G.constant(1), G.mul(y, y))));
            case SIGMOID -> one(G.mul(g, G.mul(y, G.sub(G.constant(1), y))));
            case RELU -> one(G.mul(g, gt(G, x, G.constant(0))));
            case SOFTPLUS -> one(G.mul(g, G.unary(Op.SIGMOID, x)));
            case ERF -> one(G.mul(g, G.mul(G.constant(2 / Math.sqrt(Math.PI)), G.exp(G.neg(G.mul(x, x))))));
            case POWC -> {
                double c = y.constValue();
                if (c == 0) yield new Node[1]; // x^0 is constant: zero, not 0·x^-1 (NaN at x = 0), as PyTorch
                Node d = c == 1 ? G.constant(1) : G.mul(G.constant(c), c == 2 ? x : G.powc(x, c - 1));
                yield one(G.mul(g, d));
            }
            case ELU -> {
                Node pos = gt(G, x, G.constant(0));
                Node negSlope = G.add(y, G.constant(y.constValue()));
                yield one(G.mul(g, G.add(pos, G.mul(G.sub(G.constant(1), pos), negSlope))));
            }
            case ADD -> new Node[] {g, g};
            case SUB -> new Node[] {g, G.neg(g)};
            case MUL -> new Node[] {G.mul(g, in.get(1)), G.mul(g, x)};
            case DIV -> new Node[] {G.div(g, in.get(1)), G.neg(G.div(G.mul(g, y), in.get(1)))};
            case POW -> {
                Node a = x, b = in.get(1);
                Node da = G.mul(g, G.mul(b, G.binary(Op.POW, a, G.sub(b, G.constant(1)))));
                // a^b·log(a), taken as 0 where a == 0 (its limit for b > 0, as PyTorch) instead of 0·(−inf) = NaN
                Node db = G.mul(g, G.mul(y, G.log(G.add(a, G.binary(Op.EQ, a, G.constant(0))))));
                yield new Node[] {da, db};
            }
            case MAXIMUM, MINIMUM -> {
                Node a = x, b = in.get(1);
                Node half = G.mul(G.constant(0.5), G.binary(Op.EQ, a, b));
                Node aWins = y.op() == Op.MAXIMUM ? gt(G, a, b) : gt(G, b, a);
                Node bWins = y.op() == Op.MAXIMUM ? gt(G, b, a) : gt(G, a, b);
                yield new Node[] {G.mul(g, G.add(aWins, half)), G.mul(g, G.add(bWins, half))};
            }
            case CLAMP -> {
                Node lo = in.get(1), hi = in.get(2);
                Node inside = G.mul(gt(G, x, lo), gt(G, hi, x));
                // min(max(x, lo), hi) is hi everywhere when lo > hi (as torch.clamp): lo then has no
                // influence and hi takes the whole gradient
                Node loWins = G.mul(gt(G, lo, x), gt(G, hi, lo));
                Node hiWins = G.binary(Op.MAXIMUM, gt(G, x, hi), gt(G, lo, hi));
                yield new Node[] {G.mul(g, inside), G.mul(g, loWins), G.mul(g, hiWins)};
            }
            case SUM -> one(G.broadcast(keptDims(G, y, g), x.shape()));
            case MAX -> {
                Node mask = G.binary(Op.EQ, x, keptDims(G, y, y));
                Attr.Axes ax = y.attr(Attr.Axes.class);
                Node count = G.sum(mask, ax.axes(), true);
                yield one(G.div(G.mul(keptDims(G, y, g), mask), count));
            }
            case MATMUL -> {
                Node a = x, b = in.get(1);
                yield new Node[] {G.matmul(g, G.transpose(b)), G.matmul(G.transpose(a), g)};
            }
            case TRANSPOSE -> one(G.transpose(g));
            case RESHAPE -> one(G.reshape(g, x.shape()));
            case BROADCAST -> one(g);
            case CONCAT -> {
                int axis = y.attr(Attr.Axis.class).axis();
                Node[] out = new Node[in.size()];
                int start = 0;
                for (int i = 0; i < in.size(); i++) {
                    int len = in.get(i).shape().get(axis).size();
                    out[i] = G.slice(g, axis, start, start + len);
                    start += len;
                }
                yield out;
            }
            case SLICE -> {
                Attr.Slice s = y.attr(Attr.Slice.class);
                int full = x.shape().get(s.axis()).size();
                List<Node> parts = new ArrayList<>();
                if (s.start() > 0) parts.add(G.filled(0, x.shape().with(s.axis(), Dim.of(s.start()))));
                parts.add(g);
                if (s.end() < full) parts.add(G.filled(0, x.shape().with(s.axis(), Dim.of(full - s.end()))));
                yield one(G.concat(parts, s.axis()));
            }
        };
    }

    private static Node[] one(Node n) {
        return new Node[] {n};
    }

    private static Node gt(Graph G, Node a, Node b) {
        return G.binary(Op.GT, a, b);
    }

    /** {@code v} (shaped like reduction {@code y}) reshaped so the reduced axes are kept as size 1. */
    private static Node keptDims(Graph G, Node y, Node v) {
        Attr.Axes ax = y.attr(Attr.Axes.class);
        if (ax.keepdims()) return v;
        Shape in = y.input(0).shape();
        List<Dim> ds = new ArrayList<>();
        for (int i = 0; i < in.rank(); i++) ds.add(ax.axes().contains(i) ? Dim.of(1) : in.get(i));
        return G.reshape(v, new Shape(ds));
    }
}
