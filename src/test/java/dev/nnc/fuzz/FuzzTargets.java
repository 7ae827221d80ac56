package dev.nnc.fuzz;

import dev.nnc.Compiler;
import dev.nnc.codegen.InMemoryJavac;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.diag.Diagnostic;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.SafeTensorsException;
import dev.nnc.io.TensorFile;
import dev.nnc.passes.Compiled;

/**
 * What the fuzz tests check, one method per reader of user input. Each method takes the raw
 * input, runs the reader and throws (an {@link AssertionError}, or whatever escaped the code
 * under test) when the outcome is anything but a result or the reader's documented error. The
 * {@code @FuzzTest} classes are thin wrappers, so a new reader (such as the CSV reader of
 * {@code dev.nnc.train}) needs one method here and a test class of ten lines; see
 * docs/fuzzing.md.
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
}
