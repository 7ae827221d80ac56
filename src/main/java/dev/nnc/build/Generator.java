package dev.nnc.build;

import dev.nnc.Compiler;
import dev.nnc.codegen.EncoderEmitter;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Renderer;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.SourceVersion;

/**
 * "Compile these .nn files into that folder": the one code path behind {@code nnc compile} and
 * the Maven goal {@code nnc:generate}, over {@link Compiler} and {@link JavaEmitter}.
 *
 * <p>Every input is compiled before anything is written; when any has an error, nothing is
 * written, deleted or recorded, and the report carries every diagnostic of every file. Each Java
 * file is written to a temporary file beside it and moved into place, so no reader ever sees
 * half a file.
 *
 * <p>Given a state file, a run is incremental. An input is compiled again only when it is new,
 * its modification time or content changed, one of its Java files is missing or was modified
 * since, or the options or the compiler changed; its Java files are then rewritten. Up-to-date
 * inputs are not even parsed, and their Java files keep their timestamps. The Java files of
 * inputs that are gone, and those an input no longer makes (a renamed model), are deleted.
 * Nothing else in the output folder is touched.
 */
public final class Generator {
    private Generator() {}

    /**
     * How models become classes.
     *
     * @param packageName the Java package of every class ("" for none), or null: each model's
     *                    package statement, else its folder's package
     * @param precision   the element type of every class, or null: each model's precision
     *                    statement, else f32
     * @param backend     how kernels are written (scalar loops, or the Vector API)
     * @param preprocessing parameters files written by {@code nnc train --save}: each makes an encoder class beside
     *                    the class of its model ({@link EncoderSources})
     */
    public record Options(String packageName, Model.Precision precision, JavaEmitter.Backend backend, List<Path> preprocessing) {
        public static final Options DEFAULT = new Options(null, null);

        /** The scalar backend. */
        public Options(String packageName, Model.Precision precision) {
            this(packageName, precision, JavaEmitter.Backend.SCALAR);
        }

        /** No preprocessing files. */
        public Options(String packageName, Model.Precision precision, JavaEmitter.Backend backend) {
            this(packageName, precision, backend, List.of());
        }

        public Options {
            if (backend == null) backend = JavaEmitter.Backend.SCALAR;
            preprocessing = preprocessing == null ? List.of() : List.copyOf(preprocessing);
            if (packageName != null && !packageName.isEmpty() && !SourceVersion.isName(packageName)) {
                throw new IllegalArgumentException("'" + packageName + "' is not a Java package name");
            }
        }

        String fingerprint() {
            return "package=" + (packageName == null ? "(file)" : packageName.isEmpty() ? "(none)" : packageName)
                    + " precision=" + (precision == null ? "(file)" : precision.name().toLowerCase(java.util.Locale.ROOT))
                    + " backend=" + backend.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One input.
     *
     * @param file          the .nn file; diagnostics name it as given here
     * @param folderPackage the package of its models that have no package statement when the
     *                      options name none: "" for none. Checked only when it is used.
     */
    public record Source(Path file, String folderPackage) {
        public Source(Path file) {
            this(file, "");
        }
    }

    /** Every error found in one input, sorted by position. */
    public record Failure(Path file, String source, List<Diagnostic> diagnostics) {
        /** Each diagnostic rendered as nnc shows it ({@code file:line:col: error[E…]: message}, the line, a caret). */
        public List<String> rendered() {
            List<String> out = new ArrayList<>();
            for (Diagnostic d : diagnostics) out.add(Renderer.render(d, source));
            return out;
        }

        public String render() {
            return String.join("", rendered());
        }
    }

    /**
     * What a run did.
     *
     * @param failures inputs with errors, in input order; when any, nothing was written
     * @param compiled inputs compiled in this run
     * @param upToDate inputs skipped because nothing about them changed
     * @param written  the Java files written, in the output folder
     * @param removed  stale Java files deleted from the output folder
     */
    public record Report(List<Failure> failures, List<Path> compiled, List<Path> upToDate, List<Path> written,
                         List<Path> removed) {
        public boolean ok() {
            return failures.isEmpty();
        }

        /** The number of diagnostics over all failures. */
        public int errorCount() {
            int n = 0;
            for (Failure f : failures) n += f.diagnostics().size();
            return n;
        }
    }

    /** Compiles every input and writes all their classes, or nothing (no state: not incremental). */
    public static Report run(List<Source> sources, Path outDir, Options options) throws IOException {
        return run(sources, outDir, options, null);
    }

    /**
     * Compiles the inputs that need it and updates {@code outDir}; with {@code stateFile} (null
     * for none) the run is incremental, as the class comment describes.
     *
     * @throws IOException naming the file, when an input cannot be read or an output cannot be
     *                     written (model errors are not exceptions: see {@link Report#failures})
     */
    public static Report run(List<Source> sources, Path outDir, Options options, Path stateFile) throws IOException {
        Map<String, EncoderSources.Source> encoders = EncoderSources.read(options.preprocessing());
        String fingerprint = options.fingerprint() + " compiler=" + compilerIdentity()
                + (encoders.isEmpty() ? "" : " preprocessing=" + EncoderSources.fingerprint(encoders));
        GenerateState prev = stateFile == null ? GenerateState.EMPTY : GenerateState.read(stateFile);
        boolean sameOptions = fingerprint.equals(prev.fingerprint());

        // 1. Read every input and decide which must be compiled.
        Map<String, Input> inputs = new LinkedHashMap<>();
        for (Source s : sources) {
            String key = s.file().toAbsolutePath().normalize().toString();
            if (inputs.containsKey(key)) continue;
            long mtime = mtime(s.file()); // before reading: an edit made meanwhile shows next time
            byte[] bytes = read(s.file());
            String hash = sha256(bytes);
            GenerateState.Entry old = prev.entries().get(key);
            boolean stale = !sameOptions || old == null || old.mtime() != mtime || !old.hash().equals(hash)
                    || !intact(old, outDir);
            inputs.put(key, new Input(s, key, new String(bytes, StandardCharsets.UTF_8), mtime, hash, stale ? null : old));
        }

        // 2. Compile the stale ones, plan their classes, check that no two inputs make the same file.
        Map<String, String> owners = new HashMap<>(); // output relative path → who makes it, for messages
        for (Input in : inputs.values()) {
            if (in.upToDate != null) for (String rel : in.upToDate.outputs().keySet()) owners.put(rel, in.source.file().toString());
        }
        List<Failure> failures = new ArrayList<>();
        java.util.Set<String> encoded = new java.util.HashSet<>();
        List<Path> compiled = new ArrayList<>();
        List<Path> upToDate = new ArrayList<>();
        for (Input in : inputs.values()) {
            if (in.upToDate != null) {
                upToDate.add(in.source.file());
                continue;
            }
            compiled.add(in.source.file());
            Compiler.Result r = Compiler.compile(in.source.file().toString(), in.text);
            List<Diagnostic> diags = new ArrayList<>(r.diagnostics().sorted());
            for (Compiled c : r.compiled()) {
                Model m = c.model();
                String pkg = packageOf(m, in.source, options, diags);
                if (pkg == null) continue;
                boolean f32 = options.precision() != null ? options.precision() == Model.Precision.F32
                        : m.precision() != Model.Precision.F64;
                String fileName = in.source.file().getFileName().toString();
                EncoderSources.Source enc = encoders.get(m.name());
                String encoderName = EncoderEmitter.classNameFor(m.name());
                JavaEmitter.Output o = JavaEmitter.emit(c, new JavaEmitter.Options(pkg, f32, fileName, in.text, options.backend(),
                        enc == null ? null : new JavaEmitter.Encoder(encoderName, enc.fingerprint(), enc.origin())));
                List<JavaEmitter.Output> classes = new ArrayList<>(List.of(o));
                if (enc != null) {
                    classes.add(EncoderEmitter.emit(EncoderSources.spec(enc, c, o, f32, in.source.file().toString(), in.text)));
                    encoded.add(m.name());
                }
                for (JavaEmitter.Output out : classes) {
                    String rel = (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + out.className() + ".java";
                    String who = in.source.file() + " (model '" + m.name() + "'" + (out == o ? "" : ", its encoder") + ")";
                    String other = owners.putIfAbsent(rel, who);
                    if (other != null) {
                        diags.add(new Diagnostic(ErrorKind.CLASS_CLASH, m.span(),
                                ErrorKind.CLASS_CLASH.format(m.name(), rel, other), "rename one of the models, or give the files different packages"));
                    } else {
                        in.planned.put(rel, out.source());
                    }
                }
            }
            if (!diags.isEmpty()) {
                diags.sort(Comparator.comparingInt(d -> d.span().start()));
                failures.add(new Failure(in.source.file(), in.text, List.copyOf(diags)));
            }
        }
        if (!failures.isEmpty()) return new Report(failures, compiled, upToDate, List.of(), List.of());
        if (upToDate.isEmpty()) {
            for (EncoderSources.Source e : encoders.values()) {
                if (!encoded.contains(e.model())) {
                    throw new IOException(e.file() + ": its parameters are for model " + e.model() + ", which none of the .nn files"
                            + " defines (--preprocessing)");
                }
            }
        }

        // 3. Write the new classes, delete the stale ones, record the state.
        List<Path> written = new ArrayList<>();
        Map<String, GenerateState.Entry> next = new LinkedHashMap<>();
        for (Input in : inputs.values()) {
            if (in.upToDate != null) {
                next.put(in.key, in.upToDate);
                continue;
            }
            Map<String, Long> outs = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : in.planned.entrySet()) {
                Path dest = outDir.resolve(e.getKey());
                try {
                    writeAtomically(dest, e.getValue());
                } catch (IOException ex) {
                    throw new IOException(dest + ": cannot write: " + ex.getMessage()
                            + (written.isEmpty() ? "" : " (already written: " + written + ")"), ex);
                }
                written.add(dest);
                outs.put(e.getKey(), Files.getLastModifiedTime(dest).toMillis());
            }
            next.put(in.key, new GenerateState.Entry(in.mtime, in.hash, outs));
        }
        List<Path> removed = new ArrayList<>();
        Path root = outDir.toAbsolutePath().normalize();
        for (GenerateState.Entry old : prev.entries().values()) {
            for (String rel : old.outputs().keySet()) {
                if (owners.containsKey(rel)) continue;
                Path p = root.resolve(rel).normalize();
                if (!p.startsWith(root) || p.equals(root)) continue; // a tampered state file
                if (Files.deleteIfExists(p)) removed.add(outDir.resolve(rel));
                pruneEmptyFolders(p.getParent(), root);
            }
        }
        if (stateFile != null) {
            next.keySet().removeIf(k -> k.indexOf('\n') >= 0 || k.indexOf('\r') >= 0); // unrecordable: compiled every time
            new GenerateState(fingerprint, next).write(stateFile);
        }
        return new Report(List.of(), compiled, upToDate, written, removed);
    }

    /** Writes {@code text} (UTF-8) to a temporary file beside {@code dest}, then moves it into place. */
    public static void writeAtomically(Path dest, String text) throws IOException {
        Path dir = dest.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + dest.getFileName(), ".tmp");
        try {
            readableByAll(tmp);
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Gives a temporary file (created owner-only) the permissions of an ordinary file: rw-r--r--. */
    public static void readableByAll(Path tmp) throws IOException {
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }

    // ------------------------------------------------------------------ helpers

    /** An input of one run; {@code upToDate} is its previous state entry when it need not be compiled. */
    private static final class Input {
        final Source source;
        final String key;
        final String text;
        final long mtime;
        final String hash;
        final GenerateState.Entry upToDate;
        final Map<String, String> planned = new LinkedHashMap<>(); // relative path → Java source

        Input(Source source, String key, String text, long mtime, String hash, GenerateState.Entry upToDate) {
            this.source = source;
            this.key = key;
            this.text = text;
            this.mtime = mtime;
            this.hash = hash;
            this.upToDate = upToDate;
        }
    }

    /** The options' package, else the model's, else the folder's; null (and a diagnostic) when the folder's is not a name. */
    private static String packageOf(Model m, Source s, Options o, List<Diagnostic> diags) {
        if (o.packageName() != null) return o.packageName();
        if (!m.pkg().isEmpty()) return m.pkg();
        String folder = s.folderPackage();
        if (folder.isEmpty() || SourceVersion.isName(folder)) return folder;
        diags.add(new Diagnostic(ErrorKind.FOLDER_PACKAGE, m.span(),
                ErrorKind.FOLDER_PACKAGE.format(m.name(), folder.replace('.', '/')),
                "add a package statement to the file, or name its folders as Java identifiers"));
        return null;
    }

    private static boolean intact(GenerateState.Entry e, Path outDir) {
        for (Map.Entry<String, Long> o : e.outputs().entrySet()) {
            Path p = outDir.resolve(o.getKey());
            try {
                if (Files.getLastModifiedTime(p).toMillis() != o.getValue()) return false;
            } catch (IOException ex) {
                return false;
            }
        }
        return true;
    }

    private static void pruneEmptyFolders(Path dir, Path root) throws IOException {
        while (dir != null && dir.startsWith(root) && !dir.equals(root)) {
            try {
                if (!Files.deleteIfExists(dir)) return;
            } catch (DirectoryNotEmptyException e) {
                return;
            }
            dir = dir.getParent();
        }
    }

    private static long mtime(Path file) throws IOException {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        } catch (IOException e) {
            throw new IOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        } catch (IOException e) {
            throw new IOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /**
     * Identifies the compiler build, so that a new nnc version (or a rebuilt snapshot)
     * regenerates everything: the jar holding this class, with its size and time.
     */
    static String compilerIdentity() {
        try {
            URL u = Generator.class.getProtectionDomain().getCodeSource().getLocation();
            Path p = Path.of(u.toURI());
            if (Files.isRegularFile(p)) {
                return p.getFileName() + "@" + Files.size(p) + "/" + Files.getLastModifiedTime(p).toMillis();
            }
        } catch (Exception e) {
            // no code source (unusual class loader): fall through
        }
        return "classes";
    }
}
