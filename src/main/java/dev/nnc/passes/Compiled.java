package dev.nnc.passes;

import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A model after differentiation and optimization: the nodes that the interpreter and the code
 * generator evaluate, in two modes. {@link #eval} is evaluation mode (no dropout, normalization
 * by running statistics, no buffer updates): it serves inference, {@code loss},
 * {@code gradients} and {@code nnc eval}. {@link #train} is training mode: it serves
 * {@code trainStep} and {@code nnc eval --train}. Both share one graph.
 */
public record Compiled(Model model, Roots eval, Roots train, Stats stats) {

    /**
     * The optimized roots of one mode, in declaration order.
     *
     * @param outputs       one node per {@link Model#outputs()}
     * @param loss          the loss, or null
     * @param paramGrads    d loss / d param, one per param (empty without a loss)
     * @param inputGrads    d loss / d input, one per input, null for integer inputs (empty without a loss)
     * @param bufferUpdates the new value of each buffer after this mode's forward, one per
     *                      {@link Model#buffers()}, null where the buffer keeps its value
     */
    public record Roots(List<Node> outputs, Node loss, List<Node> paramGrads, List<Node> inputGrads, List<Node> bufferUpdates) {
        public Roots {
            outputs = List.copyOf(outputs);
            paramGrads = List.copyOf(paramGrads);
            inputGrads = Collections.unmodifiableList(new ArrayList<>(inputGrads));
            bufferUpdates = Collections.unmodifiableList(new ArrayList<>(bufferUpdates));
        }

        /** Every non-null root: outputs, loss, param grads, input grads, buffer updates. */
        public List<Node> all() {
            List<Node> out = new ArrayList<>(outputs);
            if (loss != null) out.add(loss);
            out.addAll(paramGrads);
            for (Node n : inputGrads) if (n != null) out.add(n);
            for (Node n : bufferUpdates) if (n != null) out.add(n);
            return out;
        }

        /** True when this mode's forward changes some buffer. */
        public boolean updatesBuffers() {
            for (Node n : bufferUpdates) if (n != null) return true;
            return false;
        }

        /** The same roots, each replaced by {@code f} (nulls stay null). */
        public Roots map(UnaryOperator<Node> f) {
            List<Node> o = new ArrayList<>();
            for (Node n : outputs) o.add(f.apply(n));
            List<Node> pg = new ArrayList<>();
            for (Node n : paramGrads) pg.add(f.apply(n));
            List<Node> ig = new ArrayList<>();
            for (Node n : inputGrads) ig.add(n == null ? null : f.apply(n));
            List<Node> bu = new ArrayList<>();
            for (Node n : bufferUpdates) bu.add(n == null ? null : f.apply(n));
            return new Roots(o, loss == null ? null : f.apply(loss), pg, ig, bu);
        }
    }

    public String name() {
        return model.name();
    }
}
