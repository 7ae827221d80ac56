package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Tensor;
import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorFile;
import dev.nnc.passes.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saveParameters}, {@code loadParameters}, {@code saveCheckpoint} and
 * {@code loadCheckpoint} loop over static tables of the tensors' names and shapes
 * ({@link TensorTable}), so their code does not grow with the number of tensors: a model of
 * 1,000 parameters, whose checkpoint holds 2,000 tensors with the momentum, compiles (no method
 * past javac's 64 KiB), its save and load methods are as long as those of a model of 2
 * parameters, and what it saves is standard safetensors that loads back exactly.
 */
class ManyTensorsSaveTest {
    /** {@code params} parameters of shape [2], all added to the input: a cheap graph with many tensors. */
    static String wideModel(int params) {
        StringBuilder sb = new StringBuilder("model Wide {\n    dim batch\n    input x : [batch, 2]\n    input y : [batch, 2]\n");
        for (int i = 0; i < params; i++) sb.append("    param p").append(i).append(" : [2] init normal(0, 0.1)\n");
        sb.append("    h = x\n");
        for (int i = 0; i < params; i++) sb.append(i % 10 == 0 ? "    h = h" : "").append(" + p").append(i).append(i % 10 == 9 || i == params - 1 ? "\n" : "");
        sb.append("    output out = h\n    loss = mse(out, y)\n    optimizer sgd(lr = 0.1, momentum = 0.9)\n}\n");
        return sb.toString();
    }

    record Built(Compiled compiled, JavaEmitter.Output output, Class<?> type, Map<String, Integer> sizes) {}

    static Built build(int params) {
        String source = wideModel(params);
        Compiler.Result r = Compiler.compile("wide.nn", source);
        assertTrue(r.ok(), r::render);
        Compiled c = r.compiled().get(0);
        JavaEmitter.Output out = JavaEmitter.emit(c, new JavaEmitter.Options(null, true, "wide.nn", source));
        // javac refuses a method of more than 64 KiB of code: compiling is the first check
        InMemoryJavac.Classes classes = InMemoryJavac.compile(out.qualifiedName(), out.source());
        Map<String, Integer> sizes = new TreeMap<>();
        for (BytecodeSizeTest.MethodSize m : BytecodeSizeTest.methodSizes(out.qualifiedName(), classes.bytecode().get(out.qualifiedName()))) {
            sizes.merge(m.method().substring(0, m.method().indexOf('(')), m.codeLength(), Integer::sum);
        }
        return new Built(c, out, classes.load(out.qualifiedName()), sizes);
    }

    /** The code of the methods that save and load, by name: every method of the class whose name says so. */
    static Map<String, Integer> saveAndLoad(Built b) {
        Map<String, Integer> out = new TreeMap<>();
        b.sizes().forEach((name, size) -> {
            if (name.startsWith("save") || name.startsWith("load") || name.startsWith("read") || name.startsWith("checkpoint")
                    || name.startsWith("safetensors")) {
                out.put(name, size);
            }
        });
        return out;
    }

    @Test
    void twoThousandTensorsSaveAndLoadWithTheCodeOfFour(@TempDir Path dir) throws Throwable {
        Built small = build(2), wide = build(1000);
        Map<String, Integer> smallCode = saveAndLoad(small), wideCode = saveAndLoad(wide);
        assertEquals(smallCode.keySet(), wideCode.keySet(), "the same save and load methods, none split into parts");
        assertTrue(smallCode.keySet().containsAll(List.of("save$", "load$", "saveCheckpoint", "loadCheckpoint", "safetensorsHeader$")),
                smallCode::toString);
        // only the constants differ (the tensor counts and byte sizes: iconst or bipush against sipush or ldc)
        for (String m : smallCode.keySet()) {
            assertTrue(Math.abs(wideCode.get(m) - smallCode.get(m)) <= 12, m + ": " + smallCode.get(m) + " bytes with 4 tensors, "
                    + wideCode.get(m) + " with 2,000");
        }
        // the accessor from index to array has one case per tensor, in blocks of 100
        assertTrue(wide.sizes().containsKey("tensor$19") && !wide.sizes().containsKey("tensor$20"), wide.sizes().keySet()::toString);

        LoadedModel trained = LoadedModel.of(wide.compiled(), wide.output(), wide.type(), true, 1);
        Map<String, Tensor> batch = Map.of("x", Tensor.of(new int[] {2, 2}, 0.5, -1, 2, 0.25), "y", Tensor.of(new int[] {2, 2}, 1, 0, 0, 1));
        for (int i = 0; i < 3; i++) trained.trainStep(batch, Map.of("batch", 2));
        Path checkpoint = dir.resolve("wide.ckpt.safetensors"), parameters = dir.resolve("wide.safetensors");
        call(trained, "saveCheckpoint", checkpoint);
        call(trained, "saveParameters", parameters);

        // standard safetensors, in the compact form of nnc's own writer, tensors in table order
        for (Path p : List.of(checkpoint, parameters)) {
            byte[] bytes = Files.readAllBytes(p);
            TensorFile f = SafeTensors.read(bytes, p.toString());
            assertArrayEquals(bytes, SafeTensors.toBytes(f), p + " is what nnc's writer makes of its tensors and metadata");
        }
        TensorFile f = SafeTensors.read(checkpoint);
        List<String> names = new ArrayList<>(f.tensors().keySet());
        assertEquals(2000, names.size());
        assertEquals(List.of("p0", "p999", "optimizer.momentum.p0", "optimizer.momentum.p999"),
                List.of(names.get(0), names.get(999), names.get(1000), names.get(1999)));
        assertArrayEquals(new int[] {2}, f.tensors().get("optimizer.momentum.p500").shape());
        assertEquals("3", f.metadata().get("nnc.step"));
        assertEquals(1000, SafeTensors.read(parameters).tensors().size());

        // loads back exactly: a checkpoint of the loaded instance is the same file
        LoadedModel resumed = LoadedModel.of(wide.compiled(), wide.output(), wide.type(), true, 2);
        call(resumed, "loadCheckpoint", checkpoint);
        Path again = dir.resolve("again.safetensors");
        call(resumed, "saveCheckpoint", again);
        assertArrayEquals(Files.readAllBytes(checkpoint), Files.readAllBytes(again));
        LoadedModel params = LoadedModel.of(wide.compiled(), wide.output(), wide.type(), true, 3);
        assertFalse(java.util.Arrays.equals(trained.parameter("p999"), params.parameter("p999")));
        call(params, "loadParameters", parameters);
        for (String p : List.of("p0", "p500", "p999")) assertArrayEquals(trained.parameter(p), params.parameter(p), p);
    }

    /** The other end: one scalar parameter, whose table of shapes is one empty shape, and a plain SGD checkpoint. */
    @Test
    void aSingleScalarSavesAndLoads(@TempDir Path dir) throws Throwable {
        String source = "model One {\n    param s : [] init constant(3)\n    loss = (s - 1) ^ 2\n    optimizer sgd(lr = 0.1)\n}\n";
        Compiler.Result r = Compiler.compile("one.nn", source);
        assertTrue(r.ok(), r::render);
        LoadedModel a = LoadedModel.load(r.compiled().get(0), false, 1, "one.nn", source);
        a.trainStep(Map.of(), Map.of());
        Path file = dir.resolve("one.safetensors");
        call(a, "saveCheckpoint", file);
        TensorFile f = SafeTensors.read(file);
        assertArrayEquals(new int[0], f.tensors().get("s").shape());
        assertArrayEquals(new double[] {3 - 0.1 * 2 * (3 - 1)}, f.tensors().get("s").asDoubles());
        LoadedModel b = LoadedModel.load(r.compiled().get(0), false, 2, "one.nn", source);
        call(b, "loadCheckpoint", file);
        assertArrayEquals(a.parameter("s"), b.parameter("s"));
        assertEquals(1L, b.steps());
    }

    static void call(LoadedModel m, String method, Path file) throws Throwable {
        try {
            m.instance().getClass().getMethod(method, Path.class).invoke(m.instance(), file);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
