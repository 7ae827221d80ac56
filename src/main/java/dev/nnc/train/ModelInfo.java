package dev.nnc.train;

import dev.nnc.data.DataException;
import dev.nnc.diag.Diagnostics;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Walk;
import dev.nnc.ops.Leaf;
import dev.nnc.passes.Compiled;
import dev.nnc.syntax.Ast;
import dev.nnc.syntax.Parser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a model meets a table: which input takes the features, which inputs take the targets
 * (the inputs only the loss uses), which output is the prediction, and what the loss is made of
 * (to choose a default metric and target scaling).
 *
 * @param compiled     the model
 * @param file         the .nn file name, for messages
 * @param rowDim       the runtime dim that counts rows (the first dim of every input)
 * @param features     the input that takes the feature matrix, {@code [rowDim, width]}
 * @param width        the number of features it takes
 * @param labels       the inputs that take target columns, in declaration order (none for an autoencoder, whose loss
 *                     compares the outputs with the features)
 * @param output       the output used for predictions and metrics
 * @param outputWidth  its number of columns (1 for {@code [rowDim]})
 * @param lossFns      the built-in loss functions the loss uses (mse, huber, cross_entropy, bce_with_logits)
 * @param probability  whether the output is a probability (sigmoid or softmax of something)
 */
public record ModelInfo(Compiled compiled, String file, String rowDim, Model.Input features, int width,
                        List<Label> labels, Model.Output output, int outputWidth, Set<String> lossFns, boolean probability) {

    /** A target input: real with {@code width} columns, or integer class labels (width 1). */
    public record Label(Model.Input input, int width) {
        public boolean isInt() {
            return input.isInt();
        }
    }

    static final Set<String> LOSS_FNS = Set.of("mse", "huber", "cross_entropy", "bce_with_logits");

    /** True when the loss is a regression loss (mse, huber) and nothing else. */
    public boolean regression() {
        return !lossFns.isEmpty() && (lossFns.contains("mse") || lossFns.contains("huber"))
                && !lossFns.contains("cross_entropy") && !lossFns.contains("bce_with_logits");
    }

    public String name() {
        return compiled.model().name();
    }

    /**
     * Works out the roles of a model's inputs and outputs.
     *
     * @param outputName the output to predict with, or null for the first one
     * @throws DataException if the model cannot be trained on a table (no loss, no optimizer, no
     *                       output, inputs that are not row-major matrices, …), saying why
     */
    public static ModelInfo of(Compiled c, String file, String source, String outputName, boolean needTraining) {
        Model m = c.model();
        String where = file + ": model " + m.name();
        if (needTraining && m.loss() == null) throw new DataException(where + " has no loss, so it cannot be trained");
        if (needTraining && m.optimizer() == null) {
            throw new DataException(where + " has no optimizer statement (e.g. optimizer adam(lr = 1e-3)), so it cannot be trained");
        }
        if (m.outputs().isEmpty()) throw new DataException(where + " has no output to predict with; add e.g. 'output prediction = …'");
        Model.Output out;
        if (outputName == null) {
            out = m.outputs().get(0);
        } else {
            out = null;
            for (Model.Output o : m.outputs()) if (o.name().equals(outputName)) out = o;
            if (out == null) {
                List<String> names = m.outputs().stream().map(Model.Output::name).toList();
                String near = dev.nnc.diag.Suggest.closest(outputName, names);
                throw new DataException(where + " has no output named '" + outputName + "'" + (near != null ? "; did you mean '" + near + "'?"
                        + " Its outputs are " : "; its outputs are ") + names);
            }
        }
        // the row dim: the first dim of every input
        String rowDim = null;
        for (Model.Input in : m.inputs()) {
            Shape s = in.node().shape();
            if (s.rank() == 0 || s.get(0).isStatic() || (rowDim != null && !rowDim.equals(s.get(0).symbol()))
                    || s.rank() > 2 || (s.rank() == 2 && !s.get(1).isStatic())) {
                throw new DataException(where + ": input " + in.name() + " " + (in.isInt() ? "int" : "") + s
                        + " cannot be fed from a table: every input must be [rows] or [rows, columns], with the same runtime dim for rows"
                        + " (e.g. 'dim batch' and 'input x : [batch, 8]')");
            }
            rowDim = s.get(0).symbol();
        }
        // inputs reachable from the outputs are features; the others feed only the loss
        Set<String> used = inputsUsedBy(m.outputs().stream().map(Model.Output::node).toList());
        List<Model.Input> featureInputs = new ArrayList<>();
        List<Label> labels = new ArrayList<>();
        for (Model.Input in : m.inputs()) {
            Shape s = in.node().shape();
            int w = s.rank() == 2 ? s.get(1).size() : 1;
            if (used.contains(in.name())) featureInputs.add(in);
            else labels.add(new Label(in, w));
        }
        if (featureInputs.size() != 1 || featureInputs.get(0).isInt() || featureInputs.get(0).node().shape().rank() != 2) {
            throw new DataException(where + ": training from a table needs exactly one real input [rows, features] that the outputs use"
                    + " (the features), but the outputs use " + (featureInputs.isEmpty() ? "no input"
                    : featureInputs.stream().map(i -> i.name() + " " + (i.isInt() ? "int" : "") + i.node().shape()).toList()));
        }
        // no target input: the loss compares the outputs with the features themselves (an autoencoder)
        Model.Input feat = featureInputs.get(0);
        int width = feat.node().shape().get(1).size();
        Node outNode = out.node();
        int outWidth;
        Shape os = outNode.shape();
        if (os.rank() == 1 && !os.get(0).isStatic()) outWidth = 1;
        else if (os.rank() == 2 && !os.get(0).isStatic() && os.get(1).isStatic()) outWidth = os.get(1).size();
        else {
            throw new DataException(where + ": output " + out.name() + " " + os + " is not one row per input row ([rows] or [rows, k])");
        }
        Set<String> lossFns = new LinkedHashSet<>();
        boolean probability = false;
        Ast.File ast = Parser.parse(file, source, new Diagnostics());
        if (ast != null) {
            for (Ast.ModelDecl md : ast.models()) {
                if (!md.name().name().equals(m.name())) continue;
                Map<String, Ast.FnDecl> fns = new HashMap<>();
                for (Ast.FnDecl f : ast.fns()) fns.put(f.name().name(), f);
                Map<String, Ast.Expr> locals = new HashMap<>();
                for (Ast.Stmt st : md.body()) {
                    if (st instanceof Ast.AssignStmt a) locals.put(a.name().name(), a.value());
                    else if (st instanceof Ast.LossStmt l) collectCalls(l.value(), locals, fns, lossFns, new HashSet<>());
                    else if (st instanceof Ast.OutputStmt o && o.name().name().equals(out.name())) {
                        Ast.Expr v = o.value() != null ? o.value() : locals.get(o.name().name());
                        probability = isProbability(v, locals);
                    }
                }
            }
        }
        lossFns.retainAll(LOSS_FNS);
        return new ModelInfo(c, file, rowDim, feat, width, labels, out, outWidth, lossFns, probability);
    }

    private static boolean isProbability(Ast.Expr e, Map<String, Ast.Expr> locals) {
        for (int depth = 0; depth < 8 && e != null; depth++) {
            if (e instanceof Ast.Call call) return call.fn().name().equals("sigmoid") || call.fn().name().equals("softmax");
            if (e instanceof Ast.Name n) e = locals.get(n.name());
            else return false;
        }
        return false;
    }

    private static void collectCalls(Ast.Expr e, Map<String, Ast.Expr> locals, Map<String, Ast.FnDecl> fns, Set<String> out, Set<String> seen) {
        if (e instanceof Ast.Call c) {
            out.add(c.fn().name());
            Ast.FnDecl f = fns.get(c.fn().name());
            if (f != null && seen.add("fn " + f.name().name())) collectCalls(f.body(), Map.of(), fns, out, seen);
            for (Ast.Arg a : c.args()) collectCalls(a.value(), locals, fns, out, seen);
        } else if (e instanceof Ast.Name n) {
            Ast.Expr v = locals.get(n.name());
            if (v != null && seen.add(n.name())) collectCalls(v, locals, fns, out, seen);
        } else {
            for (Ast.Expr child : Ast.children(e)) collectCalls(child, locals, fns, out, seen);
        }
    }

    /** The names of the inputs that {@code roots} depend on. */
    static Set<String> inputsUsedBy(List<Node> roots) {
        Set<String> names = new HashSet<>();
        for (Node n : Walk.reachable(roots)) if (n.op() == Leaf.INPUT) names.add(n.leafName());
        return names;
    }

    /** The model's input declaration as written, e.g. {@code x [batch, 331]}. */
    static String describe(Model.Input in) {
        return in.name() + " " + (in.isInt() ? "int" : "") + in.node().shape();
    }
}
