package dev.nnc.inspect;

import dev.nnc.ir.Dim;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Floating-point operation counts, by one simple rule per op (documented in docs/graph.md):
 * <ul>
 *   <li>{@code matmul [m,k] @ [k,n]}: {@code 2·m·k·n} (a multiply and an add per term);</li>
 *   <li>elementwise ops: 1 per output element, transcendental functions ({@code exp}, {@code log},
 *       {@code tanh}, {@code erf}, {@code pow}, …) included, and {@code clamp} 2 (two comparisons);</li>
 *   <li>reductions ({@code sum}, {@code max}): 1 per input element;</li>
 *   <li>leaves, and ops that only move or select data ({@code reshape}, {@code broadcast},
 *       {@code transpose}, {@code concat}, {@code slice}, {@code one_hot}, {@code stop_gradient},
 *       dropout masks): 0.</li>
 * </ul>
 * A count is a {@link Poly} in the runtime dims. It counts operations, not time: an {@code exp}
 * costs more than an add, and memory traffic is not counted.
 */
public final class Flops {
    private Flops() {}

    /** The count of one node. */
    public static Poly of(Node n) {
        Poly out = Poly.numel(n.shape());
        return switch (n.op()) {
            case INPUT, PARAM, CONST, SIZE, DROPOUT_MASK -> Poly.ZERO;
            case RESHAPE, BROADCAST, TRANSPOSE, CONCAT, SLICE, ONE_HOT, STOP_GRADIENT -> Poly.ZERO;
            case MATMUL -> out.times(dim(n.input(0).shape().get(1))).times(2);
            case SUM, MAX -> Poly.numel(n.input(0).shape());
            case CLAMP -> out.times(2);
            default -> {
                if (!n.op().isElementwise()) throw new IllegalStateException("no FLOP rule for " + n.op());
                yield out;
            }
        };
    }

    /** The count of every node reachable from {@code roots}, each counted once. */
    public static Poly reachable(Collection<Node> roots) {
        Poly sum = Poly.ZERO;
        for (Node n : reach(roots)) sum = sum.plus(of(n));
        return sum;
    }

    /**
     * Operations per parameter element of one optimizer update, as the generated {@code update}
     * method does them: SGD 4 ({@code d = g + wd·p}, {@code p -= lr·d}), +2 with momentum, +2
     * more with Nesterov; Adam 15. The per-step scalar bias corrections are not counted.
     */
    public static long updatePerElement(Model.Optimizer o) {
        if (o == null) return 0;
        if (o.kind().equals("sgd")) {
            long f = 4;
            if (o.arg("momentum") != 0) f += 2;
            if (o.arg("momentum") != 0 && o.arg("nesterov") != 0) f += 2;
            return f;
        }
        return 15;
    }

    /** The update's count for all params of {@code m}. */
    public static Poly update(Model m) {
        long params = 0;
        for (Model.Param p : m.params()) params += p.node().shape().staticProduct();
        return Poly.constant(params * updatePerElement(m.optimizer()));
    }

    private static Poly dim(Dim d) {
        return d.isStatic() ? Poly.constant(d.size()) : Poly.monomial(1, List.of(d.symbol()));
    }

    /** Every node reachable from {@code roots} (nulls ignored). */
    static Set<Node> reach(Collection<Node> roots) {
        Set<Node> seen = new HashSet<>();
        List<Node> stack = new ArrayList<>();
        for (Node r : roots) if (r != null) stack.add(r);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (seen.add(n)) stack.addAll(n.inputs());
        }
        return seen;
    }
}
