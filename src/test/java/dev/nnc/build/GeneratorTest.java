package dev.nnc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.ir.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compile-to-folder path shared by {@code nnc compile} and the Maven goal, incremental runs included. */
class GeneratorTest {
    @TempDir
    Path tmp;
    Path src, out, state;

    @BeforeEach
    void dirs() {
        src = tmp.resolve("nn");
        out = tmp.resolve("out");
        state = tmp.resolve("status/generate.state");
    }

    static String model(String name) {
        return "model " + name + " {\n    input x : [2]\n    param w : [2]\n    output y = x * w\n}\n";
    }

    Path write(String rel, String text) throws IOException {
        Path p = src.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    Generator.Report run() throws IOException {
        return run(Generator.Options.DEFAULT);
    }

    Generator.Report run(Generator.Options o) throws IOException {
        return Generator.run(SourceSet.scan(src, null, null), out, o, state);
    }

    /** Every file under the output folder → its modification time. */
    Map<String, FileTime> outputs() throws IOException {
        Map<String, FileTime> m = new LinkedHashMap<>();
        if (!Files.exists(out)) return m;
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                m.put(out.relativize(p).toString().replace('\\', '/'), Files.getLastModifiedTime(p));
            }
        }
        return m;
    }

    static void later(Path p) throws IOException {
        Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 10_000));
    }

    @Test
    void packageComesFromTheOptionsElseTheStatementElseTheFolder() throws IOException {
        write("a.nn", model("A"));
        write("com/acme/b.nn", model("B"));
        write("com/acme/c.nn", "package org.other\n" + model("C"));
        assertTrue(run().ok());
        assertEquals(List.of("A.java", "com/acme/B.java", "org/other/C.java"), List.copyOf(outputs().keySet()));
        assertTrue(Files.readString(out.resolve("com/acme/B.java")).contains("package com.acme;"));

        assertTrue(run(new Generator.Options("x.y", null)).ok());
        assertEquals(List.of("x/y/A.java", "x/y/B.java", "x/y/C.java"), List.copyOf(outputs().keySet()),
                "an option change regenerates everything and removes the old classes and their empty folders");
        assertFalse(Files.exists(out.resolve("com")));
    }

    @Test
    void precisionComesFromTheOptionsElseTheStatement() throws IOException {
        write("a.nn", model("A").replace("input x", "precision f64\n    input x"));
        write("b.nn", model("B"));
        assertTrue(run().ok());
        assertTrue(Files.readString(out.resolve("A.java")).contains("double[] y"));
        assertTrue(Files.readString(out.resolve("B.java")).contains("float[] y"));
        assertTrue(run(new Generator.Options(null, Model.Precision.F32)).ok());
        assertTrue(Files.readString(out.resolve("A.java")).contains("float[] y"));
    }

    @Test
    void aSecondRunWithNothingChangedCompilesAndWritesNothing() throws IOException {
        write("a.nn", model("A"));
        write("p/b.nn", model("B"));
        Generator.Report first = run();
        assertEquals(2, first.compiled().size());
        assertEquals(2, first.written().size());
        Map<String, FileTime> before = outputs();

        Generator.Report second = run();
        assertTrue(second.ok());
        assertEquals(List.of(), second.compiled());
        assertEquals(2, second.upToDate().size());
        assertEquals(List.of(), second.written());
        assertEquals(before, outputs());
    }

    @Test
    void aTouchedFileIsRegeneratedAndOnlyIt() throws IOException {
        Path a = write("a.nn", model("A"));
        write("b.nn", model("B"));
        run();
        Map<String, FileTime> before = outputs();
        later(a);
        Generator.Report r = run();
        assertEquals(List.of(a), r.compiled());
        assertEquals(List.of(out.resolve("A.java")), r.written());
        Map<String, FileTime> after = outputs();
        assertEquals(before.get("B.java"), after.get("B.java"));
        assertFalse(before.get("A.java").equals(after.get("A.java")), "A.java rewritten");
    }

    @Test
    void anEditedFileIsRegeneratedEvenWithTheSameTimestamp() throws IOException {
        Path a = write("a.nn", model("A"));
        run();
        FileTime t = Files.getLastModifiedTime(a);
        Files.writeString(a, model("A").replace("x * w", "x + w"));
        Files.setLastModifiedTime(a, t);
        Generator.Report r = run();
        assertEquals(List.of(a), r.compiled());
        assertTrue(Files.readString(out.resolve("A.java")).contains("x + w"));
    }

    @Test
    void deletedInputsAndRenamedModelsLoseTheirClasses() throws IOException {
        Path a = write("a.nn", model("A"));
        Path b = write("gone/b.nn", model("B"));
        run();
        Files.delete(b);
        Files.writeString(a, model("Renamed"));
        Generator.Report r = run();
        assertEquals(List.of(out.resolve("Renamed.java")), r.written());
        assertEquals(2, r.removed().size());
        assertEquals(List.of("Renamed.java"), List.copyOf(outputs().keySet()));
        assertFalse(Files.exists(out.resolve("gone")), "the emptied package folder is removed too");
    }

    @Test
    void aClassDeletedOrEditedByHandIsRegenerated() throws IOException {
        write("a.nn", model("A"));
        write("b.nn", model("B"));
        run();
        String original = Files.readString(out.resolve("B.java"));
        Files.delete(out.resolve("A.java"));
        Files.writeString(out.resolve("B.java"), "// edited\n");
        Generator.Report r = run();
        assertEquals(2, r.compiled().size());
        assertEquals(original, Files.readString(out.resolve("B.java")));
        assertTrue(Files.exists(out.resolve("A.java")));
    }

    @Test
    void filesOutsideTheRecordedOutputsAreNeverTouched() throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("Mine.java"), "class Mine {}");
        Path a = write("a.nn", model("A"));
        run();
        Files.delete(a);
        run();
        assertEquals(List.of("Mine.java"), List.copyOf(outputs().keySet()));
    }

    @Test
    void anyErrorMeansNothingWrittenOrDeletedAndEveryFileIsReported() throws IOException {
        write("a.nn", model("A"));
        Path b = write("b.nn", model("B"));
        run();
        Map<String, FileTime> before = outputs();
        write("c.nn", model("C"));
        Path d = write("d.nn", "model D {\n    input x : [2]\n    output y = x + q\n}\n");
        Path e = write("e.nn", "model E {\n    input x : [2]\n    output y = x @ x @ x\n    output z = nope(x)\n}\n");
        Files.delete(b);
        Generator.Report r = run();
        assertFalse(r.ok());
        assertEquals(List.of(d, e), r.failures().stream().map(Generator.Failure::file).toList());
        assertEquals(3, r.errorCount());
        String all = String.join("", r.failures().stream().map(Generator.Failure::render).toList());
        assertTrue(all.startsWith(d + ":3:20: error[E200]: unknown name 'q'\n"), all);
        assertTrue(all.contains(e + ":3:22: error[E402]"), all);
        assertTrue(all.contains(e + ":4:16: error[E201]"), all);
        assertEquals(List.of(), r.written());
        assertEquals(before, outputs(), "B.java is kept and C.java not written while any file has errors");

        Files.delete(d);
        Files.delete(e);
        Generator.Report fixed = run();
        assertTrue(fixed.ok());
        assertEquals(List.of("A.java", "C.java"), List.copyOf(outputs().keySet()));
        assertEquals(List.of(src.resolve("c.nn")), fixed.compiled());
    }

    @Test
    void twoFilesMakingTheSameClassIsAnError() throws IOException {
        write("a.nn", "package p\n" + model("Same"));
        run();
        Path b = write("b.nn", "package p\n\n" + model("Same"));
        Generator.Report r = run();
        assertFalse(r.ok());
        String msg = r.failures().get(0).render();
        assertEquals(b + ":3:1: error[E600]: model 'Same' would be generated as p/Same.java, which "
                + src.resolve("a.nn") + " also generates\n"
                + "    model Same {\n"
                + "    ^\n"
                + "  hint: rename one of the models, or give the files different packages\n", msg);
    }

    @Test
    void aFolderThatIsNoPackageNeedsAPackageStatement() throws IOException {
        Path bad = write("my-models/a.nn", model("A"));
        write("my-models/b.nn", "package ok.pkg\n" + model("B"));
        Generator.Report r = run();
        assertEquals(1, r.failures().size());
        assertEquals(bad + ":1:1: error[E601]: model 'A' has no package statement, and its folder my-models is not a Java package name\n"
                + "    model A {\n"
                + "    ^\n"
                + "  hint: add a package statement to the file, or name its folders as Java identifiers\n",
                r.failures().get(0).render());
        assertTrue(run(new Generator.Options("", null)).ok(), "an explicit package needs no folder package");
    }

    @Test
    void withoutAStateFileEverythingIsCompiledAndNothingRecorded() throws IOException {
        Path a = write("a.nn", model("A"));
        List<Generator.Source> s = new ArrayList<>(List.of(new Generator.Source(a)));
        assertEquals(1, Generator.run(s, out, Generator.Options.DEFAULT).written().size());
        assertEquals(1, Generator.run(s, out, Generator.Options.DEFAULT).written().size());
        assertFalse(Files.exists(state));
    }

    @Test
    void aGarbledStateFileMeansAFullRebuild() throws IOException {
        write("a.nn", model("A"));
        run();
        Files.writeString(state, "nnc-generate-state 1\nsource x y\n");
        assertEquals(1, run().compiled().size());
        assertEquals(0, run().compiled().size());
    }

    @Test
    void unreadableInputsAndBadOptionsAreExceptionsNamingThem() {
        Path missing = tmp.resolve("missing.nn");
        IOException e = assertThrows(NoSuchFileException.class,
                () -> Generator.run(List.of(new Generator.Source(missing)), out, Generator.Options.DEFAULT));
        assertEquals(missing + ": no such file", e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Generator.Options("a.class", null));
        assertEquals("'a.class' is not a Java package name", bad.getMessage());
    }

    /** A parameters file as nnc train --save writes it, for model {@code model}, whose first feature has mean {@code mean}. */
    Path params(String file, String model, double mean) throws IOException {
        String json = "{\"model\":\"" + model + "\",\"output\":\"y\",\"targets\":[],\"preprocessing\":{\"na_values\":[\"\"],"
                + "\"na_indicator\":true,\"columns\":[{\"name\":\"a\",\"kind\":\"numeric\",\"mean\":" + mean + ",\"std\":2},"
                + "{\"name\":\"b\",\"kind\":\"numeric\",\"mean\":0,\"std\":1}]}}";
        Path p = tmp.resolve(file);
        dev.nnc.io.SafeTensors.write(p, dev.nnc.io.TensorFile.builder().metadata("nnc.training", json).metadata("nnc.encoding", "e" + mean)
                .tensor("w", dev.nnc.io.TensorData.f64(new int[] {2, 1}, new double[2])).build());
        return p;
    }

    @Test
    void preprocessingFilesMakeEncodersAndRegenerateThemWhenTheyChange() throws IOException {
        write("t.nn", "model T {\n    dim batch\n    input x : [batch, 2]\n    param w : [2, 1]\n    output y = x @ w\n}\n");
        Path p = params("t.safetensors", "T", 1.5);
        Generator.Options o = new Generator.Options(null, null, dev.nnc.codegen.JavaEmitter.Backend.SCALAR, List.of(p));
        assertTrue(run(o).ok());
        assertEquals(List.of("T.java", "TEncoder.java"), List.copyOf(outputs().keySet()));
        assertTrue(Files.readString(out.resolve("TEncoder.java")).contains("new Column(\"a\", 0, 1.5, 2.0, null)"));
        assertTrue(Files.readString(out.resolve("T.java")).contains("\"e1.5\""), "the model checks the encoding");
        assertEquals(0, run(o).compiled().size(), "nothing changed");
        params("t.safetensors", "T", 2.5);
        assertEquals(1, run(o).compiled().size(), "a new training regenerates");
        assertTrue(Files.readString(out.resolve("TEncoder.java")).contains("new Column(\"a\", 0, 2.5, 2.0, null)"));
        // without the file, the encoder goes
        assertTrue(run(Generator.Options.DEFAULT).ok());
        assertEquals(List.of("T.java"), List.copyOf(outputs().keySet()));

        Path other = params("other.safetensors", "Other", 1);
        IOException e = assertThrows(IOException.class,
                () -> run(new Generator.Options(null, null, dev.nnc.codegen.JavaEmitter.Backend.SCALAR, List.of(other))));
        assertEquals(other + ": its parameters are for model Other, which none of the .nn files defines (--preprocessing)", e.getMessage());
        Path bare = tmp.resolve("bare.safetensors");
        dev.nnc.io.SafeTensors.write(bare, dev.nnc.io.TensorFile.builder()
                .tensor("w", dev.nnc.io.TensorData.f64(new int[] {2, 1}, new double[2])).build());
        e = assertThrows(IOException.class,
                () -> run(new Generator.Options(null, null, dev.nnc.codegen.JavaEmitter.Backend.SCALAR, List.of(bare))));
        assertEquals(bare + ": no 'nnc.training' metadata: --preprocessing takes the parameters that 'nnc train --save' writes,"
                + " which hold the preprocessing", e.getMessage());
    }
}
