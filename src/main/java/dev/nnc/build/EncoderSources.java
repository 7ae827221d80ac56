package dev.nnc.build;

import dev.nnc.codegen.EncoderEmitter;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.data.DataException;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorFile;
import dev.nnc.passes.Compiled;
import dev.nnc.train.ModelInfo;
import dev.nnc.train.SavedMetadata;
import dev.nnc.train.TargetScale;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters files given with {@code --preprocessing} (the Maven goal's
 * {@code <preprocessing>}): each was written by {@code nnc train --save} for one model, and
 * makes an encoder class beside that model's class.
 */
final class EncoderSources {
    private EncoderSources() {}

    /** One file: its training metadata and fingerprint, and the model it belongs to. */
    record Source(Path file, SavedMetadata meta, String fingerprint, String model) {
        String origin() {
            return file.getFileName().toString();
        }
    }

    /**
     * Reads {@code files}, by model name.
     *
     * @throws IOException naming the file: unreadable, not a parameters file of {@code nnc train --save}, or a second file for one model
     */
    static Map<String, Source> read(List<Path> files) throws IOException {
        Map<String, Source> out = new LinkedHashMap<>();
        for (Path f : files) {
            TensorFile t;
            try {
                t = SafeTensors.read(f);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(f.toString(), null, "no such file (--preprocessing)");
            } catch (IOException e) {
                throw new IOException(f + ": cannot read it as a parameters file: " + e.getMessage(), e);
            }
            String text = t.metadata().get(SavedMetadata.KEY);
            if (text == null) {
                throw new IOException(f + ": no '" + SavedMetadata.KEY + "' metadata: --preprocessing takes the parameters that"
                        + " 'nnc train --save' writes, which hold the preprocessing");
            }
            SavedMetadata meta;
            try {
                meta = SavedMetadata.read(text, f.toString());
            } catch (DataException e) {
                throw new IOException(e.getMessage(), e);
            }
            String model = meta.model() != null ? meta.model() : t.metadata().get("model");
            if (model == null) throw new IOException(f + ": the metadata does not say which model the parameters are for");
            String fingerprint = t.metadata().getOrDefault(SavedMetadata.FINGERPRINT_KEY, digest(text));
            Source old = out.put(model, new Source(f, meta, fingerprint, model));
            if (old != null) throw new IOException(f + " and " + old.file() + " are both for model " + model + "; give one");
        }
        return out;
    }

    /** What the files hold, for the generator's record of its options: a change regenerates. */
    static String fingerprint(Map<String, Source> sources) {
        List<String> parts = new ArrayList<>();
        for (Source s : sources.values()) parts.add(s.file().toAbsolutePath().normalize() + "=" + s.fingerprint());
        return String.join(";", parts);
    }

    /** The encoder of compiled model {@code c} (whose class is {@code o}). */
    static EncoderEmitter.Spec spec(Source s, Compiled c, JavaEmitter.Output o, boolean f32, String nnFile, String nnText) throws IOException {
        ModelInfo info;
        try {
            info = ModelInfo.of(c, nnFile, nnText, s.meta().output(), false);
        } catch (DataException e) {
            throw new IOException(s.file() + ": " + e.getMessage(), e);
        }
        SavedMetadata m = s.meta();
        if (m.preprocessing().width() != info.width()) {
            throw new IOException(s.file() + ": its preprocessing gives " + m.preprocessing().width() + " features, but input "
                    + info.features().name() + " of model " + info.name() + " takes " + info.width());
        }
        List<String> targets = m.targetColumns() != null && !info.labels().isEmpty() ? m.targetColumns() : List.of();
        List<String> classes = null;
        if (m.classTarget()) {
            int n = Math.max(info.outputWidth(), 2);
            classes = new ArrayList<>();
            for (int i = 0; i < n; i++) classes.add(m.classes().name(i));
        }
        TargetScale scale = m.scale();
        int width = targets.size();
        double[] mean = scale != null ? scale.mean() : new double[width];
        double[] std = scale != null ? scale.std() : ones(width);
        String features = info.features().name() + " " + info.features().node().shape();
        String output = info.output().name() + " " + c.eval().outputs().get(c.model().outputs().indexOf(info.output())).shape();
        return new EncoderEmitter.Spec(EncoderEmitter.classNameFor(c.model().name()), o.packageName(), o.className(), s.origin(), s.fingerprint(), f32,
                m.preprocessing(), features, output, info.outputWidth(), info.probability(), targets, classes,
                scale != null && scale.log(), mean, std);
    }

    private static double[] ones(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
