package dev.nnc.passes;

import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import java.util.List;

/**
 * A model after differentiation and optimization: the nodes that the interpreter and the code
 * generator evaluate. All lists follow declaration order.
 *
 * @param model      the checked model
 * @param outputs    one node per {@link Model#outputs()} (inference: dropout masks are ones)
 * @param loss       the loss, or null
 * @param paramGrads d loss / d param, one per param (null list entries never occur; empty without a loss)
 * @param inputGrads d loss / d input, one per input, null for integer inputs (empty without a loss)
 * @param stats      node counts per phase
 */
public record Compiled(Model model, List<Node> outputs, Node loss, List<Node> paramGrads, List<Node> inputGrads,
                       Stats stats) {
    public Compiled {
        outputs = List.copyOf(outputs);
        paramGrads = List.copyOf(paramGrads);
        inputGrads = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(inputGrads));
    }
}
