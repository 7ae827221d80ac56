package dev.nnc.passes;

import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A model after differentiation and optimization: the nodes that the interpreter and the code
 * generator evaluate, in two variants. {@link #eval} has dropout off (masks removed): it serves
 * inference, {@code loss}, {@code gradients} and {@code nnc eval}. {@link #train} keeps the
 * dropout masks: it serves {@code trainStep} and {@code nnc eval --train}. Both share one graph.
 */
public record Compiled(Model model, Roots eval, Roots train, Stats stats) {

    /**
     * The optimized roots of one variant, in declaration order.
     *
     * @param outputs    one node per {@link Model#outputs()}
     * @param loss       the loss, or null
     * @param paramGrads d loss / d param, one per param (empty without a loss)
     * @param inputGrads d loss / d input, one per input, null for integer inputs (empty without a loss)
     */
    public record Roots(List<Node> outputs, Node loss, List<Node> paramGrads, List<Node> inputGrads) {
        public Roots {
            outputs = List.copyOf(outputs);
            paramGrads = List.copyOf(paramGrads);
            inputGrads = Collections.unmodifiableList(new ArrayList<>(inputGrads));
        }

        /** Every non-null root: outputs, loss, param grads, input grads. */
        public List<Node> all() {
            List<Node> out = new ArrayList<>(outputs);
            if (loss != null) out.add(loss);
            out.addAll(paramGrads);
            for (Node n : inputGrads) if (n != null) out.add(n);
            return out;
        }
    }

    public String name() {
        return model.name();
    }
}
