package dev.nnc.ops;

import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import java.util.List;

/** Vector-Jacobian rules of structured ops that are compositions of other ops (second derivatives, rarely run). */
final class StructuredGrads {
    private StructuredGrads() {}

    /**
     * The gradient with respect to {@code x} of {@code L = Σ a · LAYER_NORM_GRAD(x, g)}. Per row
     * of N elements, with {@code c = x − mean(x)}, {@code r = 1/√(mean(c²) + eps)}, {@code h = c·r},
     * {@code m = mean(g·h)}, {@code S = Σ a·h} and {@code A = Σ a·(g − mean(g))}:
     * <pre>{@code
     * q = −r² · (S/N · g + m · a + (A − 3·m·S)/N · h)
     * dL/dx = q − mean(q)
     * }</pre>
     * (differentiate {@code L = r·A − r·m·S} through {@code h} and {@code r}, then through the
     * centring).
     */
    static Node layerNormGradOfInput(Graph G, Node x, Node g, Node a, double eps) {
        List<Integer> last = List.of(-1);
        Node n = G.size(List.of(x.shape().last(1)));
        Node c = G.sub(x, mean(G, x, n));
        Node r = G.div(G.constant(1), G.unary(Unary.SQRT, G.add(mean(G, G.mul(c, c), n), G.constant(eps))));
        Node h = G.mul(c, r);
        Node m = mean(G, G.mul(g, h), n);
        Node s = G.sum(G.mul(a, h), last, true);
        Node big = G.sub(G.sum(G.mul(a, g), last, true), G.mul(mean(G, g, n), G.sum(a, last, true)));
        Node coef = G.div(G.sub(big, G.mul(G.constant(3), G.mul(m, s))), n);
        Node inner = G.add(G.add(G.mul(G.div(s, n), g), G.mul(m, a)), G.mul(coef, h));
        Node q = G.neg(G.mul(G.mul(r, r), inner));
        return G.sub(q, mean(G, q, n));
    }

    private static Node mean(Graph G, Node v, Node n) {
        return G.div(G.sum(v, List.of(-1), true), n);
    }
}
