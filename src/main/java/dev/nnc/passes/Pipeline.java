package dev.nnc.passes;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import java.util.ArrayList;
import java.util.List;

/** The passes after checking, in order: differentiate, simplify (folding included), count. */
public final class Pipeline {
    private Pipeline() {}

    public static Compiled compile(Model m) {
        Graph g = m.graph();
        int checkedNodes = g.size();
        List<Node> outputs = new ArrayList<>();
        for (Model.Output o : m.outputs()) outputs.add(o.node());

        // 1. differentiate: the loss with respect to params (trainStep) and to params and real inputs (eval)
        List<Node> paramGrads = new ArrayList<>();
        List<Node> inputGrads = new ArrayList<>();
        if (m.loss() != null) {
            List<Node> params = new ArrayList<>();
            for (Model.Param p : m.params()) params.add(p.node());
            paramGrads = Autodiff.gradients(g, m.loss(), params);
            List<Node> realInputs = new ArrayList<>();
            for (Model.Input in : m.inputs()) if (!in.isInt()) realInputs.add(in.node());
            List<Node> ig = Autodiff.gradients(g, m.loss(), realInputs);
            int k = 0;
            for (Model.Input in : m.inputs()) inputGrads.add(in.isInt() ? null : ig.get(k++));
        }
        List<Node> forwardRoots = new ArrayList<>(outputs);
        if (m.loss() != null) forwardRoots.add(m.loss());
        List<Node> trainRoots = new ArrayList<>(paramGrads);
        if (m.loss() != null) trainRoots.add(m.loss());
        int forwardOps = Stats.ops(forwardRoots);
        int trainOps = Stats.ops(trainRoots);

        // 2. simplify (constant folding and algebraic rewrites); stop_gradient is now an identity
        List<Node> all = new ArrayList<>(outputs);
        all.add(m.loss());
        all.addAll(paramGrads);
        all.addAll(inputGrads);
        List<Node> simplified = simplifyAll(g, all);
        int k = 0;
        List<Node> optOutputs = new ArrayList<>(simplified.subList(k, k += outputs.size()));
        Node optLoss = simplified.get(k++);
        List<Node> optParamGrads = new ArrayList<>(simplified.subList(k, k += paramGrads.size()));
        List<Node> optInputGrads = new ArrayList<>(simplified.subList(k, k + inputGrads.size()));

        // 3. count (dead nodes are simply not reachable from the roots)
        List<Node> optForward = new ArrayList<>(optOutputs);
        if (optLoss != null) optForward.add(optLoss);
        List<Node> optTrain = new ArrayList<>(optParamGrads);
        if (optLoss != null) optTrain.add(optLoss);
        Stats stats = new Stats(checkedNodes, forwardOps, trainOps, Stats.ops(optForward), Stats.ops(optTrain),
                optLoss == null ? 0 : Stats.ops(List.of(optLoss)));
        return new Compiled(m, optOutputs, optLoss, optParamGrads, optInputGrads, stats);
    }

    private static List<Node> simplifyAll(Graph g, List<Node> roots) {
        List<Node> present = new ArrayList<>();
        for (Node r : roots) if (r != null) present.add(r);
        List<Node> done = Simplify.run(g, present, true);
        List<Node> out = new ArrayList<>();
        int k = 0;
        for (Node r : roots) out.add(r == null ? null : done.get(k++));
        return out;
    }
}
