package dev.nnc.passes;

import dev.nnc.ir.Node;
import dev.nnc.ir.Op;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Node counts per phase. "Ops" are non-leaf nodes (inputs, params, constants and dropout
 * masks are not counted). Counts are of nodes reachable from the phase's roots, so dead nodes
 * never count.
 *
 * @param checkedNodes   every node the checker created (including dead ones)
 * @param forwardOps     ops reachable from the outputs and the loss, before optimization
 * @param trainOps       ops reachable from the loss and its parameter gradients, before optimization
 * @param optForwardOps  ops reachable from the optimized outputs and loss
 * @param optTrainOps    ops reachable from the optimized loss and parameter gradients
 * @param optLossOps     ops reachable from the optimized loss alone
 */
public record Stats(int checkedNodes, int forwardOps, int trainOps, int optForwardOps, int optTrainOps, int optLossOps) {

    /**
     * What the gradients cost: {@code ops(loss and gradients) / ops(loss alone)} of the optimized
     * graphs, or NaN without a loss. Counted by reachability from the roots, so a node both
     * computations need counts once; {@code nnc check --verbose}'s "ops per phase" splits the
     * nodes of the training step into forward and backward instead.
     */
    public double gradientCost() {
        return optLossOps == 0 ? Double.NaN : (double) optTrainOps / optLossOps;
    }

    /** The number of non-leaf nodes reachable from {@code roots}. */
    public static int ops(Collection<Node> roots) {
        Set<Node> seen = new HashSet<>();
        List<Node> stack = new ArrayList<>();
        for (Node r : roots) if (r != null) stack.add(r);
        int count = 0;
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (!seen.add(n)) continue;
            if (n.op().kind() != Op.Kind.LEAF) count++;
            stack.addAll(n.inputs());
        }
        return count;
    }
}
