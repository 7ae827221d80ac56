package dev.nnc.passes;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The passes after checking, as a straight list: differentiate; specialize for evaluation
 * (dropout masks become ones); simplify (constant folding included); count.
 */
public final class Pipeline {
    private Pipeline() {}

    public static Compiled compile(Model m) {
        Graph g = m.graph();
        int checkedNodes = g.size();

        // 1. differentiate the loss with respect to every param and every real-valued input
        Compiled.Roots raw = differentiate(m);
        List<Node> forwardRoots = new ArrayList<>(raw.outputs());
        if (raw.loss() != null) forwardRoots.add(raw.loss());
        List<Node> trainRoots = new ArrayList<>(raw.paramGrads());
        if (raw.loss() != null) trainRoots.add(raw.loss());
        int forwardOps = Stats.ops(forwardRoots);
        int trainOps = Stats.ops(trainRoots);

        // 2. the training variant keeps dropout masks; the evaluation variant replaces them by ones
        Compiled.Roots train = simplify(g, raw);
        Compiled.Roots eval = simplify(g, withoutDropout(g, raw));

        // 3. count (dead nodes are simply not reachable from the roots)
        List<Node> optForward = new ArrayList<>(eval.outputs());
        if (eval.loss() != null) optForward.add(eval.loss());
        List<Node> optTrain = new ArrayList<>(train.paramGrads());
        if (train.loss() != null) optTrain.add(train.loss());
        Stats stats = new Stats(checkedNodes, forwardOps, trainOps, Stats.ops(optForward), Stats.ops(optTrain),
                train.loss() == null ? 0 : Stats.ops(List.of(train.loss())));
        return new Compiled(m, eval, train, stats);
    }

    private static Compiled.Roots differentiate(Model m) {
        Graph g = m.graph();
        List<Node> outputs = new ArrayList<>();
        for (Model.Output o : m.outputs()) outputs.add(o.node());
        List<Node> paramGrads = new ArrayList<>();
        List<Node> inputGrads = new ArrayList<>();
        if (m.loss() != null) {
            List<Node> wrt = new ArrayList<>();
            for (Model.Param p : m.params()) wrt.add(p.node());
            for (Model.Input in : m.inputs()) if (!in.isInt()) wrt.add(in.node());
            List<Node> grads = Autodiff.gradients(g, m.loss(), wrt);
            paramGrads = grads.subList(0, m.params().size());
            int k = m.params().size();
            for (Model.Input in : m.inputs()) inputGrads.add(in.isInt() ? null : grads.get(k++));
        }
        return new Compiled.Roots(outputs, m.loss(), paramGrads, inputGrads);
    }

    /** The same roots with every DROPOUT_MASK replaced by ones. */
    private static Compiled.Roots withoutDropout(Graph g, Compiled.Roots r) {
        Map<Node, Node> memo = new HashMap<>();
        return map(r, n -> replaceMasks(g, n, memo));
    }

    private static Node replaceMasks(Graph g, Node root, Map<Node, Node> memo) {
        List<Node> stack = new ArrayList<>(List.of(root));
        while (!stack.isEmpty()) {
            Node n = stack.get(stack.size() - 1);
            if (memo.containsKey(n)) {
                stack.remove(stack.size() - 1);
                continue;
            }
            boolean ready = true;
            for (Node i : n.inputs()) {
                if (!memo.containsKey(i)) {
                    stack.add(i);
                    ready = false;
                }
            }
            if (!ready) continue;
            stack.remove(stack.size() - 1);
            if (n.op() == Op.DROPOUT_MASK) {
                memo.put(n, g.filled(1, n.shape()));
            } else {
                List<Node> ins = new ArrayList<>();
                for (Node i : n.inputs()) ins.add(memo.get(i));
                memo.put(n, g.rebuild(n, ins));
            }
        }
        return memo.get(root);
    }

    private static Compiled.Roots simplify(Graph g, Compiled.Roots r) {
        List<Node> all = new ArrayList<>(r.outputs());
        all.add(r.loss());
        all.addAll(r.paramGrads());
        all.addAll(r.inputGrads());
        List<Node> present = new ArrayList<>();
        for (Node n : all) if (n != null) present.add(n);
        List<Node> done = Simplify.run(g, present, true);
        Map<Node, Node> result = new HashMap<>();
        for (int i = 0; i < present.size(); i++) result.put(present.get(i), done.get(i));
        return map(r, result::get);
    }

    private static Compiled.Roots map(Compiled.Roots r, java.util.function.Function<Node, Node> f) {
        List<Node> outputs = new ArrayList<>();
        for (Node n : r.outputs()) outputs.add(f.apply(n));
        List<Node> pg = new ArrayList<>();
        for (Node n : r.paramGrads()) pg.add(f.apply(n));
        List<Node> ig = new ArrayList<>();
        for (Node n : r.inputGrads()) ig.add(n == null ? null : f.apply(n));
        return new Compiled.Roots(outputs, r.loss() == null ? null : f.apply(r.loss()), pg, ig);
    }
}
