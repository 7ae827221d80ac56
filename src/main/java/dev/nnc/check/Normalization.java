package dev.nnc.check;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeException;
import dev.nnc.ops.Unary;
import java.util.ArrayList;
import java.util.List;

/** The lowerings of the normalization functions to graph primitives. */
final class Normalization {
    private Normalization() {}

    /**
     * {@code batch_norm(x, weight, bias, running_mean, running_var, momentum, eps)} as
     * {@code F.batch_norm}: per channel (axis 1) of {@code [N, C, …]}. Training mode normalizes by
     * the batch's mean and biased variance (the gradient flows through them) and registers the
     * buffers' updates {@code r ← (1 − momentum)·r + momentum·s}, with the unbiased variance for
     * {@code running_var}; evaluation mode normalizes by the buffers.
     */
    static Node batchNorm(Graph g, Builtins.Args a) {
        Node x = a.tensor("x");
        Shape s = x.shape();
        if (s.rank() < 2) throw new ShapeException(ErrorKind.RANK, "batch_norm", "an input [N, C] or [N, C, …]", s);
        Dim c = s.get(1);
        if (!c.isStatic()) throw new ShapeException(ErrorKind.RANK, "batch_norm", "a compile-time number of channels (axis 1)", s);
        for (String name : List.of("running_mean", "running_var")) {
            if (!a.has(name)) throw new ShapeException(ErrorKind.MISSING_ARG, "batch_norm", name);
        }
        if (a.has("weight") != a.has("bias")) {
            String given = a.has("weight") ? "weight" : "bias", other = a.has("weight") ? "bias" : "weight";
            throw new ShapeException(ErrorKind.BAD_ARG_VALUE, given, "batch_norm", "needs '" + other + "' too: give both or leave both out");
        }
        Shape channels = Shape.of(c);
        for (String name : List.of("weight", "bias", "running_mean", "running_var")) {
            Node v = a.tensor(name);
            if (v != null && !v.shape().equals(channels)) {
                throw new ShapeException(ErrorKind.ARG_TYPE, name, "batch_norm", "of shape " + channels + " (one per channel of " + s + ")");
            }
        }
        double momentum = a.number("momentum"), eps = a.number("eps");
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "momentum", "batch_norm", "must be in [0, 1]");
        }
        if (!(eps > 0)) throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "eps", "batch_norm", "must be positive");

        List<Integer> axes = new ArrayList<>();
        List<Dim> counted = new ArrayList<>();
        List<Dim> kept = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            kept.add(i == 1 ? c : Dim.of(1));
            if (i != 1) {
                axes.add(i);
                counted.add(s.get(i));
            }
        }
        Shape keptShape = new Shape(kept);
        Node n = g.size(counted);
        Node mean = g.div(g.sum(x, axes, true), n);
        Node centered = g.sub(x, mean);
        Node var = g.div(g.sum(g.mul(centered, centered), axes, true), n);
        Node train = g.div(centered, g.unary(Unary.SQRT, g.add(var, g.constant(eps))));
        Node rm = a.tensor("running_mean"), rv = a.tensor("running_var");
        Node eval = g.div(g.sub(x, g.reshape(rm, keptShape)), g.unary(Unary.SQRT, g.add(g.reshape(rv, keptShape), g.constant(eps))));
        Node y = g.mode(train, eval);
        if (a.has("weight")) y = g.add(g.mul(y, g.reshape(a.tensor("weight"), keptShape)), g.reshape(a.tensor("bias"), keptShape));

        Node keep = g.constant(1 - momentum), m = g.constant(momentum);
        Node unbiased = g.mul(var, g.div(n, g.sub(n, g.constant(1))));
        a.update(rm, g.add(g.mul(keep, rm), g.mul(m, g.reshape(mean, channels))));
        a.update(rv, g.add(g.mul(keep, rv), g.mul(m, g.reshape(unbiased, channels))));
        return y;
    }

    /**
     * {@code layer_norm(x, weight, bias, eps)} as {@code F.layer_norm(x, [D], weight, bias, eps)}:
     * each row of the last axis (D elements) normalized by its mean and biased variance (one
     * fused op, {@code LAYER_NORM}), then scaled by {@code weight} and shifted by {@code bias}
     * ({@code [D]} each, either may be left out).
     */
    static Node layerNorm(Graph g, Builtins.Args a) {
        Node x = a.tensor("x");
        Shape s = x.shape();
        if (s.rank() < 1) throw new ShapeException(ErrorKind.RANK, "layer_norm", "a tensor of rank 1 or more", s);
        double eps = a.number("eps");
        if (!(eps > 0)) throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "eps", "layer_norm", "must be positive");
        Shape last = Shape.of(s.last(1));
        for (String name : List.of("weight", "bias")) {
            Node v = a.tensor(name);
            if (v != null && !v.shape().equals(last)) {
                throw new ShapeException(ErrorKind.ARG_TYPE, name, "layer_norm", "of shape " + last + " (the last axis of " + s + ")");
            }
        }
        Node y = g.layerNorm(x, eps);
        if (a.has("weight")) y = g.mul(y, a.tensor("weight"));
        if (a.has("bias")) y = g.add(y, a.tensor("bias"));
        return y;
    }
}
