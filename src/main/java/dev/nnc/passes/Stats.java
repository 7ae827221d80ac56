package dev.nnc.passes;

import dev.nnc.ir.Node;
import dev.nnc.ir.Walk;
import dev.nnc.ops.Family;
import java.util.Collection;

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
        int count = 0;
        for (Node n : Walk.reachable(roots)) if (n.op().family() != Family.LEAF) count++;
        return count;
    }
}
