package dev.nnc.codegen;

import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.passes.Compiled;
import java.util.ArrayList;
import java.util.List;

/**
 * The public entry methods of a generated class, each as the roots it computes and the roots
 * that end up in arrays of their own: one definition for the code generator ({@link EntryMethods})
 * and for the tools that explain its plans ({@link Plans}).
 */
final class EntrySpecs {
    private EntrySpecs() {}

    /** What an array target holds: output, param gradient or input gradient number {@code index}. */
    enum Role { OUTPUT, PARAM_GRAD, INPUT_GRAD }

    record Target(Node root, Role role, int index) {}

    /**
     * One entry method.
     *
     * @param name     infer, loss, gradients, trainStep or trainingPass
     * @param roots    every value the method computes
     * @param targets  the roots that land in arrays of their own (the caller's output arrays, the
     *                 gradient fields), in order
     * @param loss     the loss root, or null
     * @param updates  one per buffer: its new value, or null (the method then leaves it as is)
     * @param delegated true when the method computes nothing of its own but calls others (a
     *                 {@code trainingPass} of a model whose modes do not differ calls {@code infer}
     *                 and {@code gradients})
     */
    record Spec(String name, List<Node> roots, List<Target> targets, Node loss, List<Node> updates, boolean delegated) {
        /** The target roots, in order (a root may be several targets). */
        List<Node> targetRoots() {
            List<Node> out = new ArrayList<>();
            for (Target t : targets) out.add(t.root());
            return out;
        }
    }

    /** The entry methods of the class generated from {@code c}, in the order they are written. */
    static List<Spec> of(Compiled c) {
        Model m = c.model();
        List<Spec> out = new ArrayList<>();
        Compiled.Roots eval = c.eval(), train = c.train();
        if (!m.outputs().isEmpty()) out.add(spec("infer", eval, true, false, false));
        if (eval.loss() != null) {
            out.add(spec("loss", eval, false, false, false));
            out.add(spec("gradients", eval, false, true, false));
            if (m.optimizer() != null) out.add(spec("trainStep", train, false, true, true));
        }
        Spec pass = spec("trainingPass", train, true, eval.loss() != null, true);
        if (train.equals(eval)) {
            pass = new Spec(pass.name(), pass.roots(), pass.targets(), pass.loss(), pass.updates(), true);
        }
        out.add(pass);
        return out;
    }

    /** The spec named {@code name}. */
    static Spec named(Compiled c, String name) {
        for (Spec s : of(c)) if (s.name().equals(name)) return s;
        throw new IllegalArgumentException("no entry " + name);
    }

    /**
     * The spec of an entry over roots {@code r}: its outputs (as targets) when {@code outputs}, its
     * loss and gradients when {@code grads} (the input gradients as targets only outside
     * {@code trainStep}, which reads none), its buffer updates when {@code updates}.
     */
    private static Spec spec(String name, Compiled.Roots r, boolean outputs, boolean grads, boolean updates) {
        List<Node> roots = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        if (outputs) {
            for (int i = 0; i < r.outputs().size(); i++) {
                roots.add(r.outputs().get(i));
                targets.add(new Target(r.outputs().get(i), Role.OUTPUT, i));
            }
        }
        Node loss = r.loss();
        if (loss != null && (grads || name.equals("loss"))) roots.add(loss);
        else loss = null;
        if (grads) {
            for (int i = 0; i < r.paramGrads().size(); i++) {
                roots.add(r.paramGrads().get(i));
                targets.add(new Target(r.paramGrads().get(i), Role.PARAM_GRAD, i));
            }
            if (!name.equals("trainStep")) {
                for (int i = 0; i < r.inputGrads().size(); i++) {
                    Node g = r.inputGrads().get(i);
                    if (g == null) continue;
                    roots.add(g);
                    targets.add(new Target(g, Role.INPUT_GRAD, i));
                }
            }
        }
        List<Node> ups = new ArrayList<>();
        for (Node u : r.bufferUpdates()) {
            ups.add(updates ? u : null);
            if (updates && u != null) roots.add(u);
        }
        return new Spec(name, roots, targets, loss, ups, false);
    }
}
