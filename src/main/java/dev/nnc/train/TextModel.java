package dev.nnc.train;

import dev.nnc.data.DataException;
import dev.nnc.diag.Span;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Walk;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;
import dev.nnc.passes.Compiled;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a character-level language model meets a text, by rule: the int input {@code [batch, seq]}
 * that an embedding of the outputs reads takes the characters ({@code tokens}); the int input
 * the loss takes as class labels takes the next characters ({@code next}); an int input
 * {@code [seq]} takes the positions 0 … seq − 1. Any other input is an error naming it.
 *
 * @param compiled  the model
 * @param file      the .nn file name, for messages
 * @param batchDim  the runtime dim that counts windows
 * @param seqDim    the runtime dim that counts characters per window
 * @param tokens    the characters
 * @param next      the next characters
 * @param positions the positions, or null
 * @param logits    the output the loss reads, {@code [batch, seq, classes]}
 * @param classes   the loss's class count
 * @param classesAt where the loss turns the labels into classes (its cross_entropy), for messages
 * @param tables    per int input that an embedding of the outputs reads, that embedding's table
 */
public record TextModel(Compiled compiled, String file, String batchDim, String seqDim, Model.Input tokens, Model.Input next,
                        Model.Input positions, Model.Output logits, int classes, Span classesAt, Map<String, Table> tables) {

    /** An embedding table: its name (a param's, else "the table"), its rows and where the embedding is. */
    public record Table(String name, int rows, Span at) {}

    static final String RULES = "the int input [batch, seq] that an embedding reads takes the characters, the int input the loss"
            + " takes as class labels the next characters, and an int input [seq] the positions 0 … seq − 1";

    public String name() {
        return compiled.model().name();
    }

    /**
     * Works out the roles of a model's inputs.
     *
     * @param needTraining require an optimizer
     * @throws DataException naming the model and the input, or what is missing, if the model does not fit the rules
     */
    public static TextModel of(Compiled c, String file, boolean needTraining) {
        Model m = c.model();
        String where = file + ": model " + m.name();
        if (m.loss() == null) throw new DataException(where + " has no loss, so it cannot learn from a text");
        if (needTraining && m.optimizer() == null) {
            throw new DataException(where + " has no optimizer statement (e.g. optimizer adamw(lr = 3e-3)), so it cannot be trained");
        }
        Map<String, Table> tables = new HashMap<>();
        for (Node n : Walk.reachable(m.outputs().stream().map(Model.Output::node).toList())) {
            Node table = n.op() == Layout.GATHER ? n.input(0) : null;
            if (table != null && n.input(1).op() == Leaf.INPUT && table.shape().get(0).isStatic()) {
                String name = table.op() == Leaf.PARAM ? table.leafName() : "the table";
                tables.put(n.input(1).leafName(), new Table(name, table.shape().get(0).size(), n.origin()));
            }
        }
        Set<Node> lossNodes = new HashSet<>(Walk.reachable(m.loss()));
        String label = null;
        int classes = 0;
        Span classesAt = Span.NONE;
        for (Node n : lossNodes) {
            if (n.op() == Layout.ONE_HOT && n.input(0).op() == Leaf.INPUT) {
                label = n.input(0).leafName();
                classes = n.attr(Attr.Count.class).n();
                classesAt = n.origin();
            }
        }
        if (label == null) {
            throw new DataException(where + ": its loss takes no int class labels (e.g. cross_entropy(logits, next)),"
                    + " so nothing takes the next characters");
        }
        Model.Input tokens = null, next = null, positions = null;
        for (Model.Input in : m.inputs()) {
            int rank = in.node().shape().rank();
            if (in.isInt() && in.name().equals(label)) next = in;
            else if (in.isInt() && rank == 2 && tokens == null && tables.containsKey(in.name())) tokens = in;
            else if (in.isInt() && rank == 1 && positions == null) positions = in;
            else throw new DataException(where + ": input " + ModelInfo.describe(in) + " has no role in training on text: " + RULES);
        }
        if (tokens == null) throw new DataException(where + ": no int input [batch, seq] that an embedding reads takes the characters; " + RULES);
        Shape ts = tokens.node().shape();
        if (ts.get(0).isStatic() || ts.get(1).isStatic() || ts.get(0).equals(ts.get(1))) {
            throw new DataException(where + ": input " + ModelInfo.describe(tokens) + " must be [batch, seq] with two runtime dims");
        }
        if (!next.node().shape().equals(ts)) {
            throw new DataException(where + ": input " + ModelInfo.describe(next) + " (the next characters) must have the shape of "
                    + ModelInfo.describe(tokens));
        }
        String batch = ts.get(0).symbol(), seq = ts.get(1).symbol();
        if (positions != null && !positions.node().shape().equals(Shape.of(ts.get(1)))) {
            throw new DataException(where + ": input " + ModelInfo.describe(positions) + " must be [" + seq + "] (the positions); " + RULES);
        }
        for (String d : m.dims()) {
            if (!d.equals(batch) && !d.equals(seq)) {
                throw new DataException(where + ": dim " + d + " is neither " + batch + " nor " + seq + " of input " + ModelInfo.describe(tokens));
            }
        }
        Model.Output logits = null;
        for (Model.Output o : m.outputs()) if (logits == null && lossNodes.contains(o.node())) logits = o;
        if (logits == null) throw new DataException(where + ": no output feeds its loss (the logits of the next characters)");
        Shape ls = logits.node().shape();
        if (ls.rank() != 3 || !ls.get(0).equals(ts.get(0)) || !ls.get(1).equals(ts.get(1)) || ls.get(2).size() != classes) {
            throw new DataException(where + ": output " + logits.name() + " " + ls + " must be [" + batch + ", " + seq + ", " + classes
                    + "] (logits per character and class)");
        }
        return new TextModel(c, file, batch, seq, tokens, next, positions, logits, classes, classesAt, Map.copyOf(tables));
    }

    /**
     * Checks that {@code size} characters (of the vocabulary of {@code textFile}) fit the loss's
     * classes and the characters' embedding table.
     */
    public void checkVocabulary(int size, String textFile) {
        if (size > classes) {
            throw new DataException(textFile + ": " + size + " distinct characters, more than the " + classes + " classes of model "
                    + name() + " (its loss at " + classesAt + "); it needs at least " + size);
        }
        Table t = tables.get(tokens.name());
        if (size > t.rows()) {
            throw new DataException(textFile + ": " + size + " distinct characters, more than the " + t.rows() + " rows of " + t.name()
                    + ", the embedding of input " + tokens.name() + " (at " + t.at() + "); it needs at least " + size);
        }
    }

    /** Checks that windows of {@code seq} characters fit the positions' embedding table, if any. */
    public void checkSeq(int seq) {
        if (seq < 1) throw new DataException("--seq must be at least 1, got " + seq);
        Table t = positions == null ? null : tables.get(positions.name());
        if (t != null && seq > t.rows()) {
            throw new DataException("--seq " + seq + " is more than the " + t.rows() + " rows of " + t.name() + ", the embedding of input "
                    + positions.name() + " (at " + t.at() + "); the model takes at most " + t.rows() + " characters per window");
        }
    }

    /** The roles, one line each, for the start of a training run. */
    List<String> describe() {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("  characters -> input " + ModelInfo.describe(tokens));
        lines.add("  next characters -> input " + ModelInfo.describe(next) + " (class labels of output " + logits.name() + ")");
        if (positions != null) lines.add("  positions 0 … " + seqDim + " − 1 -> input " + ModelInfo.describe(positions));
        return lines;
    }
}
