package dev.nnc.interp;

import static dev.nnc.interp.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.ir.Attr;
import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ops.Binary;
import dev.nnc.ops.Structured;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attention op in the interpreter against its definition written with existing ops
 * ({@code softmax(q @ kᵀ / √E + mask) @ v}, the causal mask as a {@code where}), at scores in the
 * thousands (finite, equal to the computation shifted by the row maximum), and its second
 * derivatives against finite differences.
 */
class AttentionTest {
    private static final int[] Q = {2, 3, 4}, K = {2, 5, 4}, V = {2, 5, 3}, S = {2, 3, 5};

    /** The composite definition; {@code causal} masks keys after the query's position with −∞. */
    private static Node composite(Graph g, Node q, Node k, Node v, Node mask, boolean causal) {
        Node s = g.div(g.matmul(q, g.transpose(k)), g.constant(Math.sqrt(q.shape().last(1).size())));
        if (mask != null) s = g.add(s, mask);
        if (causal) {
            Node rows = g.reshape(g.arange(s.shape().last(2)), Shape.of(s.shape().last(2), Dim.of(1)));
            s = g.where(g.binary(Binary.GE, rows, g.arange(s.shape().last(1))), s, g.constant(Double.NEGATIVE_INFINITY));
        }
        Node m = g.stopGradient(g.max(s, List.of(-1), true));
        Node e = g.exp(g.sub(s, m));
        return g.matmul(g.div(e, g.sum(e, List.of(-1), true)), v);
    }

    private static Node attention(Graph g, Node q, Node k, Node v, Node mask, boolean causal) {
        List<Node> in = new ArrayList<>(List.of(q, k, v));
        if (mask != null) in.add(mask);
        return g.structured(Structured.ATTENTION, in, new Attr.Attention(causal, -1));
    }

    private static Map<String, Tensor> values(long seed, double scale) {
        Random r = new Random(seed);
        Map<String, Tensor> v = new HashMap<>();
        v.put("q", Fixtures.random(r, Q, -scale, scale));
        v.put("k", Fixtures.random(r, K, -scale, scale));
        v.put("v", Fixtures.random(r, V, -2, 2));
        v.put("mask", Fixtures.random(r, S, -3, 3));
        v.put("R", Fixtures.random(r, new int[] {2, 3, 3}, -1, 1));
        return v;
    }

    private record Leaves(Graph g, Node q, Node k, Node v, Node mask, Node r) {
        static Leaves make() {
            Graph g = new Graph();
            return new Leaves(g, g.input("q", 0, Shape.of(Q), DType.REAL), g.input("k", 1, Shape.of(K), DType.REAL),
                    g.input("v", 2, Shape.of(V), DType.REAL), g.input("mask", 3, Shape.of(S), DType.REAL),
                    g.input("R", 4, Shape.of(2, 3, 3), DType.REAL));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void theFusedOpIsTheCompositeWithItsGradients(int variant) {
        Leaves l = Leaves.make();
        Graph g = l.g();
        Node mask = variant == 2 ? l.mask() : null;
        boolean causal = variant == 1;
        Node fused = attention(g, l.q(), l.k(), l.v(), mask, causal), plain = composite(g, l.q(), l.k(), l.v(), mask, causal);
        List<Node> wrt = new ArrayList<>(List.of(l.q(), l.k(), l.v()));
        if (mask != null) wrt.add(mask);
        List<Node> roots = new ArrayList<>(List.of(fused));
        roots.addAll(Autodiff.gradients(g, g.sum(g.mul(fused, l.r()), null, false), wrt));
        roots.add(plain);
        roots.addAll(Autodiff.gradients(g, g.sum(g.mul(plain, l.r()), null, false), wrt));
        List<Tensor> out = Fixtures.interpreter(values(variant, 1.5), Map.of(), false).evaluate(roots);
        int n = 1 + wrt.size();
        for (int i = 0; i < n; i++) assertClose(out.get(n + i).data(), out.get(i).data(), 1e-12, 1e-13, "variant " + variant + " root " + i);
    }

    @Test
    void scoresInTheThousandsGiveTheShiftedComputation() {
        Leaves l = Leaves.make();
        Graph g = l.g();
        Map<String, Tensor> values = values(7, 60); // q·k/√E up to 60·60·4/2 = 7200
        for (boolean causal : new boolean[] {false, true}) {
            Node fused = attention(g, l.q(), l.k(), l.v(), null, causal);
            List<Node> roots = new ArrayList<>(List.of(fused));
            roots.addAll(Autodiff.gradients(g, g.sum(g.mul(fused, l.r()), null, false), List.of(l.q(), l.k(), l.v())));
            List<Tensor> out = Fixtures.interpreter(values, Map.of(), false).evaluate(roots);
            double max = 0;
            for (Tensor t : out) {
                for (double x : t.data()) assertTrue(Double.isFinite(x), "finite, causal " + causal + ": " + t);
            }
            // the same row computed here, shifted by its maximum
            double[] q = values.get("q").data(), k = values.get("k").data(), v = values.get("v").data();
            double[] want = new double[2 * 3 * 3];
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 3; i++) {
                    int keys = causal ? i + 1 : 5;
                    double[] s = new double[keys];
                    double m = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < keys; j++) {
                        for (int t = 0; t < 4; t++) s[j] += q[(b * 3 + i) * 4 + t] * k[(b * 5 + j) * 4 + t] / 2;
                        m = Math.max(m, s[j]);
                        max = Math.max(max, Math.abs(s[j]));
                    }
                    for (int j = 0; j < keys; j++) sum += Math.exp(s[j] - m);
                    for (int j = 0; j < keys; j++) {
                        for (int t = 0; t < 3; t++) want[(b * 3 + i) * 3 + t] += Math.exp(s[j] - m) / sum * v[(b * 5 + j) * 3 + t];
                    }
                }
            }
            assertTrue(max > 1000, "scores reach the thousands: " + max);
            assertClose(want, out.get(0).data(), 1e-12, 1e-12, "causal " + causal);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void secondDerivativesMatchDifferences(int variant) {
        Leaves l = Leaves.make();
        Graph g = l.g();
        Node mask = variant == 2 ? l.mask() : null;
        boolean causal = variant == 1;
        List<Node> wrt = new ArrayList<>(List.of(l.q(), l.k(), l.v()));
        if (mask != null) wrt.add(mask);
        Node f = g.sum(g.mul(attention(g, l.q(), l.k(), l.v(), mask, causal), l.r()), null, false);
        // h = Σ_x Σ (∂f/∂x)² / 2 over every input: differentiating h runs every gradient op's own gradient
        Node h = g.constant(0);
        for (Node d : Autodiff.gradients(g, f, wrt)) h = g.add(h, g.sum(g.mul(d, d), null, false));
        Fixtures.checkGradients(g, h, wrt, values(10 + variant, 1.5), Map.of(), false, 1e-6, 1e-8, "second order, variant " + variant);
    }
}
