package dev.nnc.ops;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeRules;
import dev.nnc.ir.ShapeException;
import dev.nnc.ir.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Ops whose arithmetic is not a loop over elements: each has its own kernel in the code
 * generator ({@code dev.nnc.codegen.OpKernels#of}), which declares the views it reads in
 * place, the scratch it needs and whether its rows may split over threads. The interpreter's
 * kernels are in {@link StructuredEval}.
 */
public enum Structured implements Op {
    /**
     * The matrix product of operands of the same rank r ≥ 2, as {@code torch.matmul}: the last
     * two axes multiply ({@code [m,k] @ [k,n]}), the leading (batch) axes broadcast. Attr
     * {@link Attr.None}, or {@link Attr.Axes} naming batch axes that the product also sums over
     * (kept as size 1): the gradient of an operand broadcast along a batch axis. Other ranks and
     * broadcasts of the surface {@code @} lower to it ({@link Graph#matmul}).
     */
    MATMUL {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Shape sa = in.get(0).shape(), sb = in.get(1).shape();
            if (sa.rank() < 2 || sa.rank() != sb.rank()) {
                throw new ShapeException(ErrorKind.RANK, "@", "operands of the same rank, 2 or more", sa + " @ " + sb);
            }
            if (!sa.last(1).equals(sb.last(2))) throw new ShapeException(ErrorKind.MATMUL, sa, sb, sa.last(1), sb.last(2));
            List<Dim> out = new ArrayList<>(batch(sa, sb));
            for (int axis : summed(attr)) {
                if (axis >= out.size()) throw new IllegalArgumentException("a product sums over batch axes only, not axis " + axis);
                out.set(axis, Dim.of(1));
            }
            out.add(sa.last(2));
            out.add(sb.last(1));
            return new Shape(out);
        }
        /**
         * Each operand's gradient is a product with the adjoint and the other operand
         * transposed, summed over the batch axes along which the operand was broadcast.
         */
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node a = y.input(0), b = y.input(1);
            Node bt = g.transpose(b), at = g.transpose(a);
            return new Node[] {g.product(adj, bt, sumsFor(a, adj, bt)), g.product(at, adj, sumsFor(b, at, adj))};
        }
        /** {@code 2·m·k·n} per product, for every product of the broadcast batch (summed ones included). */
        @Override public Size flops(Node n) {
            Shape sa = n.input(0).shape(), sb = n.input(1).shape();
            Size batches = new Shape(batch(sa, sb)).numel();
            return batches.times(Size.of(sa.last(2))).times(Size.of(sa.last(1))).times(Size.of(sb.last(1))).times(2);
        }
        @Override public String label(Node n) {
            List<Integer> s = summed(n.attr());
            if (s.isEmpty()) return n.shape().rank() > 2 ? "batched matmul" : "matmul";
            return "batched matmul, summed over axes " + s;
        }
        /** Each product accumulated in double over ascending k (and the summed batches in order). */
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return StructuredEval.matmul(in.get(0), in.get(1), inShapes.get(0), inShapes.get(1), out);
        }
    },
    /**
     * {@code out[ids[i], :] += values[i, :]} into zeros of shape {@code [V, D]} (attr
     * {@link Attr.ShapeAttr}); {@code values} is {@code [..., D]} and {@code ids} an int tensor of
     * the leading shape. The gradient of a gather ({@link Layout#GATHER}), so repeated ids
     * accumulate. An id outside {@code [0, V)} is an {@link IllegalArgumentException} naming it.
     */
    SCATTER_ADD {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Shape table = attr(attr, Attr.ShapeAttr.class).shape();
            Shape v = in.get(0).shape(), ids = in.get(1).shape();
            List<Dim> want = new ArrayList<>(ids.dims());
            want.add(table.get(1));
            if (table.rank() != 2 || !v.equals(new Shape(want))) {
                throw new IllegalArgumentException("scatter-add of " + v + " by ids " + ids + " into " + table);
            }
            return table;
        }
        @Override public boolean takesIds(int input) {
            return input == 1;
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return new Node[] {g.gather(adj, y.input(1)), null};
        }
        /** One addition per element of the values. */
        @Override public Size flops(Node n) {
            return n.input(0).shape().numel();
        }
        @Override public String label(Node n) {
            return "scatter-add into " + n.shape();
        }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return StructuredEval.scatterAdd(in.get(0), in.get(1), out, idsName(n));
        }
    },
    /**
     * Layer normalization over the last axis without scale and shift: {@code (x − μ) / √(σ² + eps)}
     * per row, σ² the biased variance; attr {@link Attr.Const} eps. Its kernel computes each row's
     * statistics and result in one pass over the row.
     */
    LAYER_NORM {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Shape s = in.get(0).shape();
            if (s.rank() < 1) throw new ShapeException(ErrorKind.RANK, "layer_norm", "a tensor of rank 1 or more", s);
            return s;
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return new Node[] {g.layerNormGrad(y.input(0), adj, eps(y))};
        }
        /** Per element: a sum, a subtraction, a square and a sum, a multiplication. */
        @Override public Size flops(Node n) {
            return n.shape().numel().times(5);
        }
        @Override public String label(Node n) {
            return "layer norm, eps " + eps(n);
        }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return StructuredEval.layerNorm(in.get(0), out[out.length - 1], eps(n));
        }
    },
    /**
     * The gradient of {@link #LAYER_NORM} with respect to its input, given the adjoint {@code g}
     * of the normalized value: per row, with {@code h} the normalized row and {@code r = 1/√(σ² + eps)},
     * {@code r · (g − mean(g) − h · mean(g · h))}; attr {@link Attr.Const} eps. Its kernel
     * recomputes the row's statistics rather than storing them.
     */
    LAYER_NORM_GRAD {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Shape x = in.get(0).shape(), g = in.get(1).shape();
            if (!x.equals(g) || x.rank() < 1) throw new IllegalArgumentException("layer norm gradient of " + x + " by " + g);
            return x;
        }
        /** Linear and self-adjoint in {@code g}; the input's part is a composition ({@link StructuredGrads}). */
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return new Node[] {StructuredGrads.layerNormGradOfInput(g, y.input(0), y.input(1), adj, eps(y)),
                    g.layerNormGrad(y.input(0), adj, eps(y))};
        }
        /** Per element: the statistics (4), two sums (3) and the result (4). */
        @Override public Size flops(Node n) {
            return n.shape().numel().times(11);
        }
        @Override public String label(Node n) {
            return "layer norm gradient, eps " + eps(n);
        }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return StructuredEval.layerNormGrad(in.get(0), in.get(1), out[out.length - 1], eps(n));
        }
    },
    /**
     * A convolution (1-D or 2-D) of {@code x [N, C, spatial…]} by {@code w [O, C / groups, kernel…]}
     * as {@code F.conv1d/2d} without bias: {@code [N, O, out…]}; attr {@link Attr.Window}.
     */
    CONV {
        @Override public Shape shape(List<Node> in, Attr attr) { return Windows.conv(in.get(0).shape(), in.get(1).shape(), (Attr.Window) attr); }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node x = y.input(0), w = y.input(1);
            return new Node[] {g.structured(CONV_INPUT_GRAD, List.of(adj, w), y.attr()), g.structured(CONV_WEIGHT_GRAD, List.of(x, adj), y.attr())};
        }
        /** {@code 2·k} per output element, {@code k = C / groups · kernel elements}. */
        @Override public Size flops(Node n) { return n.shape().numel().times(2L * Windows.plane(n).k()); }
        @Override public String label(Node n) { return Windows.label("conv", n); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.conv(Windows.plane(n), out[0], in.get(0), in.get(1));
        }
    },
    /**
     * The gradient of {@link #CONV} with respect to its input: {@code (dy, w)} to {@code [N, C,
     * input…]}, the window's input size. Linear in both; its own gradients are a convolution and
     * a weight gradient.
     */
    CONV_INPUT_GRAD {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Attr.Window win = (Attr.Window) attr;
            Shape dy = in.get(0).shape(), w = in.get(1).shape();
            List<Dim> xs = new ArrayList<>(List.of(dy.get(0), Dim.of(w.get(1).size() * win.groups())));
            for (int i : win.input()) xs.add(Dim.of(i));
            Shape x = new Shape(xs);
            Windows.same(lower(), Windows.conv(x, w, win), dy);
            return x;
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node dy = y.input(0), w = y.input(1);
            return new Node[] {g.structured(CONV, List.of(adj, w), y.attr()), g.structured(CONV_WEIGHT_GRAD, List.of(adj, dy), y.attr())};
        }
        @Override public Size flops(Node n) { return n.input(0).shape().numel().times(2L * Windows.plane(n).k()); }
        @Override public String label(Node n) { return Windows.label("conv", n) + " input grad"; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.inputGrad(Windows.plane(n), out[0], in.get(0), in.get(1));
        }
    },
    /**
     * The gradient of {@link #CONV} with respect to its weight: {@code (x, dy)} to {@code [O, C /
     * groups, kernel…]}, summed over the batch.
     */
    CONV_WEIGHT_GRAD {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Attr.Window win = (Attr.Window) attr;
            Shape x = in.get(0).shape(), dy = in.get(1).shape();
            List<Dim> ws = new ArrayList<>();
            ws.add(dy.get(1));
            ws.add(Dim.of(x.get(1).size() / win.groups()));
            for (int k : win.kernel()) ws.add(Dim.of(k));
            Shape w = new Shape(ws);
            Windows.same(lower(), Windows.conv(x, w, win), dy);
            return w;
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            Node x = y.input(0), dy = y.input(1);
            return new Node[] {g.structured(CONV_INPUT_GRAD, List.of(dy, adj), y.attr()), g.structured(CONV, List.of(x, adj), y.attr())};
        }
        @Override public Size flops(Node n) { return n.input(1).shape().numel().times(2L * Windows.plane(n).k()); }
        @Override public String label(Node n) { return Windows.label("conv", n) + " weight grad"; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.weightGrad(Windows.plane(n), inShapes.get(0)[0], in.get(0), in.get(1));
        }
    },
    /**
     * Max pooling (1-D or 2-D): {@code (keys, values)} to {@code [N, C, out…]}, the element of
     * {@code values} where each window of {@code keys} has its first maximum in row-major order
     * ({@code max_pool2d(x)} is {@code MAX_POOL(x, x)}). The choice of element is constant almost
     * everywhere, so {@code keys} gets no gradient; {@code values} gets {@link #MAX_UNPOOL}.
     */
    MAX_POOL {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Windows.same(lower(), in.get(0).shape(), in.get(1).shape());
            return Windows.pool("max_pool", in.get(0).shape(), (Attr.Window) attr);
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return new Node[] {null, g.structured(MAX_UNPOOL, List.of(y.input(0), adj), y.attr())};
        }
        /** One comparison per window element. */
        @Override public Size flops(Node n) { return n.shape().numel().times((long) Windows.plane(n).kh() * Windows.plane(n).kw()); }
        @Override public String label(Node n) { return Windows.label("max_pool", n); }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.maxPool(Windows.plane(n), out[0], in.get(0), in.get(1));
        }
    },
    /**
     * The gradient of {@link #MAX_POOL}: {@code (keys, v)} to the shape of {@code keys}, each
     * element of {@code v} added where its window of {@code keys} has its first maximum.
     */
    MAX_UNPOOL {
        @Override public Shape shape(List<Node> in, Attr attr) {
            Windows.same(lower(), Windows.pool("max_pool", in.get(0).shape(), (Attr.Window) attr), in.get(1).shape());
            return in.get(0).shape();
        }
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return new Node[] {null, g.structured(MAX_POOL, List.of(y.input(0), adj), y.attr())};
        }
        @Override public Size flops(Node n) { return n.input(1).shape().numel().times((long) Windows.plane(n).kh() * Windows.plane(n).kw()); }
        @Override public String label(Node n) { return Windows.label("max_pool", n) + " grad"; }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return WindowEval.maxUnpool(Windows.plane(n), out[0], in.get(0), in.get(1));
        }
    },
    /**
     * {@code softmax(q @ kᵀ / √E + mask) @ v} as {@code F.scaled_dot_product_attention} without
     * dropout: inputs {@code q [..., Lq, E]}, {@code k [..., Lk, E]}, {@code v [..., Lk, Ev]} with
     * the same leading axes and, optionally, an additive {@code mask [..., Lq, Lk]} (the checker
     * broadcasts it); attr {@link Attr.Attention} (causal: keys after the query's position
     * masked). Its kernel runs an online softmax over the keys without storing the scores.
     */
    ATTENTION {
        @Override public Shape shape(List<Node> in, Attr attr) {
            return AttentionShapes.output(in);
        }
        /** Three (or four) fused gradient ops, from the row log-sum-exp and {@code D = rowsum(dO ∘ O)}. */
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return AttentionGrads.ofAttention(g, y, adj);
        }
        /** Per score: the two dot products (E and Ev multiply-adds) and the softmax (5). */
        @Override public Size flops(Node n) {
            return AttentionShapes.scores(n).times(Size.of(n.input(0).shape().last(1)).times(2)
                    .plus(Size.of(n.input(2).shape().last(1)).times(2)).plus(Size.constant(5)));
        }
        @Override public String label(Node n) {
            return "attention" + AttentionShapes.label(n, 3);
        }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return AttentionEval.forward(in, inShapes, causal(n));
        }
    },
    /**
     * The log-sum-exp of each row of attention scores ({@code [..., Lq]}), inputs {@code q, k}
     * and the optional mask of {@link #ATTENTION}: the row statistic its gradient keeps.
     */
    ATTENTION_LSE {
        @Override public Shape shape(List<Node> in, Attr attr) {
            return AttentionShapes.rowStatistic(in);
        }
        /** A composition (second derivatives only): the gradient of the composite log-sum-exp. */
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return AttentionGrads.ofComposite(g, y, adj);
        }
        /** Per score: a dot product of E multiply-adds and the running log-sum-exp (3). */
        @Override public Size flops(Node n) {
            return AttentionShapes.scores(n).times(Size.of(n.input(0).shape().last(1)).times(2).plus(Size.constant(3)));
        }
        @Override public String label(Node n) {
            return "attention log-sum-exp" + AttentionShapes.label(n, 2);
        }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return AttentionEval.logSumExp(in, inShapes, causal(n));
        }
    },
    /**
     * The gradient of {@link #ATTENTION} with respect to one of its inputs (attr
     * {@link Attr.Attention}'s {@code wrt}), FlashAttention-2 style: inputs {@code q, k, v, dO},
     * the row log-sum-exp, {@code D = rowsum(dO ∘ O)} and the optional mask; with
     * {@code P = exp(S − lse)} and {@code dS = P ∘ (dO vᵀ − D)}: {@code dS k/√E} (q),
     * {@code dSᵀ q/√E} (k), {@code Pᵀ dO} (v), or {@code dS} itself (the mask, {@code [..., Lq, Lk]}).
     * Its kernel recomputes the scores instead of reading them.
     */
    ATTENTION_GRAD {
        @Override public Shape shape(List<Node> in, Attr attr) {
            return AttentionShapes.gradient(in, attr(attr, Attr.Attention.class).wrt());
        }
        /** A composition (second derivatives only): the gradient of the composite gradient. */
        @Override public Node[] vjp(Graph g, Node y, Node adj) {
            return AttentionGrads.ofComposite(g, y, adj);
        }
        /** Per score: the score and {@code dO·v} (E and Ev multiply-adds), P and dS (4), and the product accumulated. */
        @Override public Size flops(Node n) {
            int wrt = n.attr(Attr.Attention.class).wrt();
            Size e = Size.of(n.input(0).shape().last(1)), ev = Size.of(n.input(2).shape().last(1));
            Size per = e.times(2).plus(ev.times(2)).plus(Size.constant(4));
            if (wrt == 0 || wrt == 1) per = per.plus(e.times(2));
            if (wrt == 2) per = per.plus(ev.times(2));
            return AttentionShapes.scores(n).times(per);
        }
        @Override public String label(Node n) {
            return "attention gradient of " + AttentionShapes.WRT.get(n.attr(Attr.Attention.class).wrt()) + AttentionShapes.label(n, 6);
        }
        @Override public double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out) {
            return AttentionEval.gradient(in, inShapes, n.attr(Attr.Attention.class));
        }
    };

    /** The shape rule: the result's shape, or a {@link ShapeException} for inputs the op does not take. */
    public abstract Shape shape(List<Node> in, Attr attr);

    /** The interpreter's kernel, as {@link Layout#eval}. */
    public abstract double[] eval(Node n, List<double[]> in, List<int[]> inShapes, int[] out);

    /** Whether input {@code input} is an int tensor of ids (every other input is real). */
    public boolean takesIds(int input) {
        return false;
    }

    @Override
    public Family family() {
        return Family.STRUCTURED;
    }

    @Override
    public Node rebuild(Graph g, Node n, List<Node> in) {
        return g.structured(this, in, n.attr());
    }

    @Override
    public String label(Node n) {
        return lower();
    }

    /** The batch axes a product sums over (attr {@link Attr.Axes}), or none. */
    public static List<Integer> summed(Attr attr) {
        return attr instanceof Attr.Axes a ? a.axes() : List.of();
    }

    /** The broadcast batch dims of two product operands of the same rank. */
    public static List<Dim> batch(Shape sa, Shape sb) {
        Shape a = new Shape(sa.dims().subList(0, sa.rank() - 2)), b = new Shape(sb.dims().subList(0, sb.rank() - 2));
        return ShapeRules.broadcastShapes(a, b, "multiply (@)").dims();
    }

    /** The batch axes along which {@code operand} was broadcast in the product of {@code x} and {@code y}: its gradient sums over them. */
    static List<Integer> sumsFor(Node operand, Node x, Node y) {
        List<Dim> full = batch(x.shape(), y.shape());
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < full.size(); i++) if (operand.shape().get(i).isOne() && !full.get(i).isOne()) axes.add(i);
        return axes;
    }

    static boolean causal(Node n) {
        return n.attr(Attr.Attention.class).causal();
    }

    static double eps(Node n) {
        return n.attr(Attr.Const.class).value();
    }

    static <T extends Attr> T attr(Attr a, Class<T> type) {
        if (!type.isInstance(a)) throw new IllegalArgumentException("expected " + type.getSimpleName() + ", got " + a);
        return type.cast(a);
    }

    /** What an out-of-range id of a gather or scatter-add names: its input, or "ids". */
    static String idsName(Node n) {
        Node ids = n.input(1);
        return ids.op() == Leaf.INPUT ? "input " + ids.leafName() : "ids";
    }
}
