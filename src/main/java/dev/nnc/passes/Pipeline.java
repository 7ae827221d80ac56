package dev.nnc.passes;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Walk;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;
import java.util.ArrayList;
import java.util.List;

/**
 * The passes after checking, as a straight list, once per mode: resolve the mode (training or
 * evaluation: every {@code MODE} node becomes one of its inputs); differentiate; simplify
 * (constant folding included); count (dead nodes are simply not reachable from the roots).
 */
public final class Pipeline {
    private Pipeline() {}

    public static Compiled compile(Model m) {
        Graph g = m.graph();
        int checkedNodes = g.size();

        // 1. the two modes of the forward graph
        Compiled.Roots trainForward = Modes.resolve(g, forward(m), true);
        Compiled.Roots evalForward = Modes.resolve(g, forward(m), false);

        // 2. differentiate the loss of each with respect to every param and every real-valued input
        //    (once when the modes do not differ: hash-consing would give the very same nodes)
        boolean same = trainForward.equals(evalForward);
        Compiled.Roots trainRaw = differentiate(m, trainForward);
        Compiled.Roots evalRaw = same ? trainRaw : differentiate(m, evalForward);

        // 3. simplify
        Compiled.Roots train = simplify(g, trainRaw);
        Compiled.Roots eval = same ? train : simplify(g, evalRaw);

        // 4. count the training mode, where every op of the model runs
        Stats stats = new Stats(checkedNodes, Stats.ops(forwardRoots(trainRaw)), Stats.ops(trainRoots(trainRaw)),
                Stats.ops(forwardRoots(eval)), Stats.ops(trainRoots(train)),
                train.loss() == null ? 0 : Stats.ops(List.of(train.loss())));
        return new Compiled(m, eval, train, stats);
    }

    /**
     * The roots of one mode before simplification, as the checker and autodiff made them: the
     * forward roots with modes resolved and, with {@code grad}, the gradients of the loss.
     */
    public static Compiled.Roots parsed(Model m, boolean train, boolean grad) {
        Compiled.Roots fwd = Modes.resolve(m.graph(), forward(m), train);
        return grad ? differentiate(m, fwd) : fwd;
    }

    /** The model's forward roots, modes unresolved: outputs, loss, buffer updates. */
    private static Compiled.Roots forward(Model m) {
        List<Node> outputs = new ArrayList<>();
        for (Model.Output o : m.outputs()) outputs.add(o.node());
        List<Node> updates = new ArrayList<>();
        for (Model.Buffer b : m.buffers()) updates.add(m.updates().get(b.name()));
        return new Compiled.Roots(outputs, m.loss(), List.of(), List.of(), updates);
    }

    private static List<Node> forwardRoots(Compiled.Roots r) {
        List<Node> out = new ArrayList<>(r.outputs());
        if (r.loss() != null) out.add(r.loss());
        return out;
    }

    private static List<Node> trainRoots(Compiled.Roots r) {
        List<Node> out = new ArrayList<>(r.paramGrads());
        if (r.loss() != null) out.add(r.loss());
        return out;
    }

    private static Compiled.Roots differentiate(Model m, Compiled.Roots fwd) {
        List<Node> paramGrads = new ArrayList<>();
        List<Node> inputGrads = new ArrayList<>();
        if (fwd.loss() != null) {
            List<Node> wrt = new ArrayList<>();
            for (Model.Param p : m.params()) wrt.add(p.node());
            for (Model.Input in : m.inputs()) if (!in.isInt()) wrt.add(in.node());
            List<Node> grads = Autodiff.gradients(m.graph(), fwd.loss(), wrt);
            paramGrads = grads.subList(0, m.params().size());
            int k = m.params().size();
            for (Model.Input in : m.inputs()) inputGrads.add(in.isInt() ? null : grads.get(k++));
        }
        return new Compiled.Roots(fwd.outputs(), fwd.loss(), paramGrads, inputGrads, fwd.bufferUpdates());
    }

    private static Compiled.Roots simplify(Graph g, Compiled.Roots r) {
        Simplify s = new Simplify(g, true);
        return r.map(s::apply);
    }

    /** The resolution of modes. */
    static final class Modes {
        private Modes() {}

        /**
         * {@code r} with every MODE node replaced by its training ({@code train}) or evaluation
         * input; in evaluation mode a dropout mask that a gradient of the training side still
         * reads (multiplied by zero) is ones.
         */
        static Compiled.Roots resolve(Graph g, Compiled.Roots r, boolean train) {
            Walk.Rewrite w = new Walk.Rewrite((n, ins) -> {
                if (n.op() == Layout.MODE) return ins.get(train ? 0 : 1);
                if (n.op() == Leaf.DROPOUT_MASK && !train) return g.filled(1, n.shape());
                return g.rebuild(n, ins);
            });
            Compiled.Roots out = r.map(w::apply);
            if (train) return out;
            // evaluation mode updates no buffer
            List<Node> none = new ArrayList<>();
            for (int i = 0; i < r.bufferUpdates().size(); i++) none.add(null);
            return new Compiled.Roots(out.outputs(), out.loss(), out.paramGrads(), out.inputGrads(), none);
        }
    }
}
