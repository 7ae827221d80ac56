package dev.nnc.fuzz;

import dev.nnc.Compiler;
import dev.nnc.codegen.InMemoryJavac;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import dev.nnc.diag.Diagnostic;
import dev.nnc.io.Json;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.SafeTensorsException;
import dev.nnc.io.TensorFile;
import dev.nnc.passes.Compiled;
import dev.nnc.train.Dataset;
import dev.nnc.train.Metric;
import dev.nnc.train.ModelInfo;
import dev.nnc.train.SavedMetadata;
import dev.nnc.train.TableColumns;
import dev.nnc.train.TargetScale;
import dev.nnc.train.TrainJob;
import dev.nnc.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the fuzz tests check, one method per reader of user input. Each method takes the raw
 * input, runs the reader and throws (an {@link AssertionError}, or whatever escaped the code
 * under test) when the outcome is anything but a result or the reader's documented error. The
 * {@code @FuzzTest} classes are thin wrappers, so a new reader needs one method here and a test
 * class of ten lines; see docs/fuzzing.md.
 */
final class FuzzTargets {
    private FuzzTargets() {}

    /** Marks an input (a finding kept as text) whose generated classes are always compiled. */
    static final String JAVAC = "// nnc-fuzz: javac";

    /** Generated sources up to this size are compiled with javac when an input is picked for it. */
    private static final int JAVAC_MAX_CHARS = 200_000;

    /**
     * {@code .nn} source text: compiling gives a result, never an exception; the diagnostics
     * render; every model of an OK result is emitted as Java (f32 scalar and f64 vector
     * backends), and the generated classes compile with javac. javac costs as much as hundreds
     * of compiler runs, so only one input in 16 goes through it (the scalar class; one in 32 the
     * vector class too), chosen by a hash of the text so that a finding replays the same way;
     * and every input that contains {@value #JAVAC}, so a finding kept as text always does.
     */
    static void nnSource(String source) {
        Compiler.Result r = Compiler.compile("f.nn", source);
        String rendered = r.render();
        if (r.ok() != r.diagnostics().all().isEmpty()) {
            throw new AssertionError("ok() is " + r.ok() + " with diagnostics:\n" + rendered);
        }
        for (Diagnostic d : r.diagnostics().all()) {
            if (d.message() == null || d.message().isBlank()) throw new AssertionError("empty message: " + d);
        }
        if (!r.ok()) return;
        boolean always = source.contains(JAVAC);
        boolean javac = always || (source.hashCode() & 15) == 0;
        for (Compiled c : r.compiled()) {
            JavaEmitter.Output scalar = JavaEmitter.emit(c, new JavaEmitter.Options(null, true, "f.nn", source));
            JavaEmitter.Output vector = JavaEmitter.emit(c, new JavaEmitter.Options(null, false, "f.nn", source,
                    JavaEmitter.Backend.VECTOR));
            if (javac && scalar.source().length() <= JAVAC_MAX_CHARS) {
                InMemoryJavac.compile(scalar.qualifiedName(), scalar.source());
            }
            if (javac && (always || (source.hashCode() & 16) == 0) && vector.source().length() <= JAVAC_MAX_CHARS) {
                InMemoryJavac.compile(vector.qualifiedName(), vector.source());
            }
        }
    }

    /**
     * safetensors bytes: a {@link TensorFile} or a {@link SafeTensorsException}, nothing else;
     * what is read writes back to bytes that read back equal.
     */
    static void safetensors(byte[] bytes) {
        TensorFile f;
        try {
            f = SafeTensors.read(bytes, "fuzz.safetensors");
        } catch (SafeTensorsException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) throw new AssertionError("no message", expected);
            return;
        }
        TensorFile again;
        try {
            again = SafeTensors.read(SafeTensors.toBytes(f), "rewritten.safetensors");
        } catch (SafeTensorsException e) {
            throw new AssertionError("an accepted file does not read back after writing: " + e.getMessage(), e);
        }
        if (!again.equals(f)) throw new AssertionError("an accepted file reads back different after writing");
    }

    /** A {@link DataException} is an accepted outcome only with a message for the user. */
    private static void expected(DataException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("no message", e);
    }

    /**
     * CSV bytes: a {@link Csv.Table} or a {@link DataException} with a message, nothing else. A
     * table has at least one column and one row, every row as wide as the header, and rows that
     * start on increasing lines after the header's (line 2 or later).
     */
    static void csv(byte[] bytes) {
        Csv.Table t;
        try {
            t = Csv.parse("fuzz.csv", bytes);
        } catch (DataException e) {
            expected(e);
            return;
        }
        checkTable(t);
    }

    private static void checkTable(Csv.Table t) {
        if (t.columnCount() < 1 || t.rowCount() < 1) {
            throw new AssertionError(t.columnCount() + " columns, " + t.rowCount() + " rows");
        }
        if (t.header().size() != t.columnCount()) throw new AssertionError("header of " + t.header().size());
        int last = 1;
        for (int r = 0; r < t.rowCount(); r++) {
            for (int c = 0; c < t.columnCount(); c++) {
                if (t.get(r, c) == null) throw new AssertionError("null field at row " + r + ", column " + c);
            }
            try {
                t.get(r, t.columnCount());
                throw new AssertionError("row " + r + " is wider than the header");
            } catch (IndexOutOfBoundsException expected) {
                // as wide as the header
            }
            if (t.line(r) <= last) throw new AssertionError("row " + r + " starts on line " + t.line(r) + ", after line " + last);
            last = t.line(r);
            if (t.where(r, 0).isBlank()) throw new AssertionError("no location");
        }
        for (int c = 0; c < t.columnCount(); c++) {
            if (t.column(t.header().get(c)) != c) throw new AssertionError("column " + c + " is not found by its name");
        }
    }

    // ------------------------------------------------------------------ the training data path

    /** The models the training-data target feeds: {@code W} is the feature width, set per input. */
    private static final String[] MODELS = {
        // 0: regression, the house-price shape: one real target column, mse
        """
        model Reg {
            dim batch
            input x : [batch, W]
            input y : [batch, 1]
            param w : [W, 1] init xavier_uniform
            param b : [1]
            output pred = x @ w + b
            loss = mse(pred, y)
            optimizer sgd(lr = 0.01, momentum = 0.9)
        }
        """,
        // 1: three classes, integer labels (the digits shape)
        """
        model Cls {
            dim batch
            input x : [batch, W]
            input label : int[batch]
            param w : [W, 3]
            param b : [3]
            logits = x @ w + b
            output probs = softmax(logits)
            loss = cross_entropy(logits, label)
            optimizer adam(lr = 1e-3)
        }
        """,
        // 2: two real target columns in one input (--target y --target z), huber
        """
        model Two {
            dim batch
            input x : [batch, W]
            input y : [batch, 2]
            param w : [W, 2]
            output pred = x @ w
            loss = huber(pred, y)
            optimizer adam
        }
        """,
        // 3: a real target and a label (--target y=y --target label=label), with its own loss each
        """
        model Both {
            dim batch
            input x : [batch, W]
            input y : [batch]
            input label : int[batch]
            param w : [W, 2]
            param v : [W]
            output logits = x @ w
            loss = cross_entropy(logits, label) + mse(x @ v, y)
            optimizer sgd(lr = 0.1)
        }
        """,
    };

    /** Feature widths up to this are compiled as models; wider data only meets the width check. */
    private static final int MAX_MODEL_WIDTH = 64;

    private static final Map<Long, ModelInfo> INFOS = new ConcurrentHashMap<>();

    private static ModelInfo modelInfo(int kind, int width) {
        return INFOS.computeIfAbsent((long) kind << 32 | width, k -> {
            String source = MODELS[kind].replace("W", Integer.toString(width));
            Compiled c = TrainJob.compile("fuzz.nn", source, null);
            return ModelInfo.of(c, "fuzz.nn", source, null, true);
        });
    }

    /**
     * The way {@code nnc train} turns a CSV file into tensors ({@link TableColumns#columns},
     * {@link TableColumns#checkWidth}, {@link TableColumns#dataset}, the target scaling of each run and
     * the metadata that {@code --save} writes and {@code nnc predict} reads back), for one of four
     * small models and the options chosen by the first two bytes (see the code); the other bytes
     * are the CSV file. The outcome is tensors or a {@link DataException} with a message, nothing else; the
     * tensors hold one finite value per row and feature, labels in range and finite targets;
     * the saved preprocessing reads back equal and encodes the rows the same way.
     */
    static void trainingData(byte[] input) {
        if (input.length < 2) return;
        int o = input[0] & 0xff, p = input[1] & 0xff;
        int kind = o & 3;
        boolean logTarget = (o & 4) != 0, standardize = (o & 8) != 0, naIndicator = (o & 16) != 0,
                standardizeTarget = (o & 32) != 0, f32 = (o & 64) == 0;
        List<String> na = (p & 1) != 0 ? List.of("", "NA", "None") : Preprocessing.DEFAULT_NA;
        boolean force = (p & 2) != 0;
        List<String> targets = switch (kind) {
            case 0 -> (p & 4) != 0 ? List.of("y") : List.of();
            case 1 -> (p & 4) != 0 ? List.of("label") : List.of();
            case 2 -> List.of("y", "z");
            default -> List.of("y=y", "label=label");
        };
        Preprocessing.Options po = new Preprocessing.Options(na, standardize, naIndicator,
                force ? Set.of("a") : Set.of(), force ? Set.of("b") : Set.of());
        TrainJob.Config config = new TrainJob.Config("fuzz.nn", MODELS[kind], null, null, f32, null, List.of(), targets,
                (p & 8) != 0 ? List.of("a", "b") : null, (p & 16) != 0 ? List.of("c") : List.of(), (p & 32) != 0 ? "id" : null,
                po, logTarget, standardizeTarget, 1, 1, 0, false, 0, 0, null, null, null, null);
        byte[] bytes = Arrays.copyOfRange(input, 2, input.length);
        ModelInfo info = modelInfo(kind, 2);
        Csv.Table t;
        try {
            t = Csv.parse("fuzz.csv", bytes);
        } catch (DataException e) {
            expected(e);
            return;
        }
        // --stats-data: fit the statistics on the rows twice over
        List<Csv.Table> stats = (p & 64) != 0 ? List.of(t) : List.of();
        TableColumns.Columns cols;
        Dataset ds;
        try {
            cols = TableColumns.columns(config, info, t, stats);
            Preprocessing prep = cols.prep();
            if (prep.width() != info.width()) {
                try {
                    TableColumns.checkWidth(info, prep, t, stats);
                    throw new AssertionError("a width of " + prep.width() + " passes the check for " + info.width());
                } catch (DataException e) {
                    expected(e);
                }
                if (prep.width() < 1 || prep.width() > MAX_MODEL_WIDTH) return;
                info = modelInfo(kind, prep.width());
            }
            TableColumns.checkWidth(info, prep, t, stats);
            ds = TableColumns.dataset(info, cols, t, logTarget);
        } catch (DataException e) {
            expected(e);
            return;
        }
        checkDataset(info, cols, t, ds, logTarget, standardizeTarget, f32);
    }

    private static void checkDataset(ModelInfo info, TableColumns.Columns cols, Csv.Table t, Dataset ds, boolean logTarget,
                                     boolean standardizeTarget, boolean f32) {
        Preprocessing prep = cols.prep();
        int n = t.rowCount(), w = prep.width();
        if (ds.rows() != n || ds.width() != w || ds.features().length != n * w) {
            throw new AssertionError("dataset of " + ds.rows() + " × " + ds.width() + " (" + ds.features().length
                    + " values) for " + n + " rows of " + w + " features");
        }
        for (int i = 0; i < ds.features().length; i++) {
            if (!Float.isFinite(ds.features()[i])) {
                throw new AssertionError("feature " + i % w + " of row " + (i / w + 1) + " is " + ds.features()[i]);
            }
        }
        List<TargetScale> scales = new ArrayList<>();
        for (int k = 0; k < info.labels().size(); k++) {
            ModelInfo.Label l = info.labels().get(k);
            Object target = ds.target(k);
            if (l.isInt()) {
                int[] labels = (int[]) target;
                int classes = info.outputWidth() > 1 ? info.outputWidth() : Integer.MAX_VALUE;
                if (labels.length != n) throw new AssertionError(labels.length + " labels for " + n + " rows");
                for (int label : labels) if (label < 0 || label >= classes) throw new AssertionError("label " + label);
                scales.add(null);
            } else {
                double[] raw = (double[]) target;
                if (raw.length != n * l.width()) throw new AssertionError(raw.length + " target values for " + n + " rows");
                for (double v : raw) {
                    if (!Double.isFinite(v) || (logTarget && !(v > 0))) throw new AssertionError("target value " + v);
                }
                scales.add(TargetScale.fit(raw, l.width(), logTarget, standardizeTarget));
            }
        }
        List<Object> modelTargets;
        try {
            modelTargets = Trainer.modelTargets(ds, scales, f32);
        } catch (DataException e) {
            expected(e); // an unstandardized target beyond the range of f32
            modelTargets = List.of();
        }
        for (Object m : modelTargets) {
            if (m instanceof float[] fs) {
                for (float v : fs) if (!Float.isFinite(v)) throw new AssertionError("a target as the model takes it is " + v);
            } else if (m instanceof double[] ds2) {
                for (double v : ds2) if (!Double.isFinite(v)) throw new AssertionError("a target as the model takes it is " + v);
            }
        }
        // --save, then nnc predict: the metadata reads back, and the preprocessing encodes the rows the same way
        List<List<String>> targetColumns = new ArrayList<>();
        for (int[] tc : cols.targetCols()) targetColumns.add(Arrays.stream(tc).mapToObj(t.header()::get).toList());
        String meta = SavedMetadata.write(info, prep, targetColumns, scales, cols.labels(), cols.id(), Metric.RMSE);
        Map<String, Object> back = tree(meta);
        SavedMetadata.read(meta, "p.safetensors"); // as nnc predict reads it: no DataException
        @SuppressWarnings("unchecked")
        Preprocessing again = Preprocessing.fromJson((Map<String, Object>) back.get("preprocessing"));
        if (!again.columns().equals(prep.columns()) || again.width() != prep.width()) {
            throw new AssertionError("the saved preprocessing reads back different:\n" + prep.toJson() + "\n" + again.toJson());
        }
        if (!Arrays.equals(again.transform(t), ds.features())) throw new AssertionError("the saved preprocessing encodes differently");
        @SuppressWarnings("unchecked")
        List<Object> savedTargets = (List<Object>) back.get("targets");
        for (int k = 0; k < scales.size(); k++) {
            if (scales.get(k) == null) continue;
            @SuppressWarnings("unchecked")
            TargetScale s = TargetScale.fromJson((Map<String, Object>) ((Map<String, Object>) savedTargets.get(k)).get("scale"));
            if (!Arrays.equals(s.mean(), scales.get(k).mean()) || !Arrays.equals(s.std(), scales.get(k).std())) {
                throw new AssertionError("the saved target scaling reads back different");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(String json) {
        try {
            return (Map<String, Object>) Json.parse(json);
        } catch (Json.SyntaxException e) {
            throw new AssertionError("nnc wrote JSON it cannot read: " + e.getMessage() + "\n" + json);
        }
    }

    /**
     * The training metadata of a parameters file ({@code nnc.training}), as {@code nnc predict}
     * reads it: {@link SavedMetadata#read} gives the metadata or a {@link DataException} naming
     * the file, nothing else (no StackOverflowError however deep the JSON nests, no
     * ClassCastException or NullPointerException whatever the types). Metadata it accepts is
     * usable: finite target scaling with positive stds, and a preprocessing that is written
     * back and reads back equal.
     */
    static void savedMetadata(byte[] bytes) {
        SavedMetadata m;
        try {
            m = SavedMetadata.read(new String(bytes, StandardCharsets.UTF_8), "p.safetensors");
        } catch (DataException e) {
            expected(e);
            if (!e.getMessage().startsWith("p.safetensors: ")) throw new AssertionError("the message does not name the file: " + e.getMessage());
            return;
        }
        if (m.preprocessing() == null) throw new AssertionError("no preprocessing");
        if (m.targetColumns() != null && m.targetColumns().isEmpty()) throw new AssertionError("empty target columns");
        if (m.scale() != null) {
            for (int j = 0; j < m.scale().mean().length; j++) {
                if (!Double.isFinite(m.scale().mean()[j]) || !(m.scale().std()[j] > 0) || !Double.isFinite(m.scale().std()[j])) {
                    throw new AssertionError("target scaling " + m.scale().mean()[j] + " / " + m.scale().std()[j]);
                }
            }
        }
        Preprocessing again = Preprocessing.fromJson(tree(Json.write(m.preprocessing().toJson())));
        if (!again.columns().equals(m.preprocessing().columns()) || again.width() != m.preprocessing().width()) {
            throw new AssertionError("the preprocessing writes back different:\n" + m.preprocessing().toJson() + "\n" + again.toJson());
        }
    }
}
