package dev.nnc.inspect;

import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ir.Walk;
import java.util.Collection;

/**
 * Floating-point operation counts, by one simple rule per op, stated by the op itself
 * ({@code Op.flops}; documented in docs/graph.md):
 * <ul>
 *   <li>{@code matmul [m,k] @ [k,n]}: {@code 2·m·k·n} (a multiply and an add per term);</li>
 *   <li>elementwise ops: 1 per output element, transcendental functions ({@code exp}, {@code log},
 *       {@code tanh}, {@code erf}, {@code pow}, …) included, and {@code clamp} 2 (two comparisons);</li>
 *   <li>reductions ({@code sum}, {@code max}): 1 per input element;</li>
 *   <li>leaves, and ops that only move or select data ({@code reshape}, {@code broadcast},
 *       {@code transpose}, {@code concat}, {@code slice}, {@code one_hot}, {@code stop_gradient},
 *       dropout masks): 0.</li>
 * </ul>
 * A count is a {@link Size} in the runtime dims. It counts operations, not time: an {@code exp}
 * costs more than an add, and memory traffic is not counted.
 */
public final class Flops {
    private Flops() {}

    /** The count of one node. */
    public static Size of(Node n) {
        return n.op().flops(n);
    }

    /** The count of every node reachable from {@code roots}, each counted once. */
    public static Size reachable(Collection<Node> roots) {
        Size sum = Size.ZERO;
        for (Node n : Walk.reachable(roots)) sum = sum.plus(of(n));
        return sum;
    }

    /**
     * Operations per parameter element of one optimizer update, as the generated {@code update}
     * method does them: SGD 4 ({@code d = g + wd·p}, {@code p -= lr·d}), +2 with momentum, +2
     * more with Nesterov; Adam 15; AdamW 14 (the decay multiplies the parameter instead of adding
     * to the gradient); +3 with {@code clip_norm} (a square and a sum for the norm, a scaling). The
     * per-step scalar bias corrections and the norm's square root are not counted.
     */
    public static long updatePerElement(Model.Optimizer o) {
        if (o == null) return 0;
        long f = switch (o.kind()) {
            case "sgd" -> 4 + (o.arg("momentum") != 0 ? 2 : 0) + (o.arg("momentum") != 0 && o.arg("nesterov") != 0 ? 2 : 0);
            case "adam" -> 15;
            case "adamw" -> 14;
            default -> throw new IllegalArgumentException("optimizer " + o.kind());
        };
        return o.clipNorm() == null ? f : f + 3;
    }

    /** The update's count for all params of {@code m}. */
    public static Size update(Model m) {
        long params = 0;
        for (Model.Param p : m.params()) params += p.node().shape().staticProduct();
        return Size.constant(params * updatePerElement(m.optimizer()));
    }
}
