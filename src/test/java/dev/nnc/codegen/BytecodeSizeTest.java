package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;

/**
 * C2 does not compile a method of more than 8,000 bytes of bytecode (HugeMethodLimit): it would
 * run interpreted, tens of times slower. Every method of every generated class must stay below
 * that, for the examples and for a synthetic deep model whose entry points, initialization and
 * parameter access must be split to fit.
 */
class BytecodeSizeTest {
    static final int HUGE_METHOD_LIMIT = 8000;

    /** One method's bytecode size. */
    record MethodSize(String className, String method, int codeLength) {
        @Override
        public String toString() {
            return className + "." + method + ": " + codeLength + " bytes";
        }
    }

    /**
     * The code length of every method with code, read from the class file: ASM's ClassReader
     * gives the constant pool and the offsets; the method table is walked as JVMS §4.1 lays it
     * out (the visitor API does not expose code lengths).
     */
    static List<MethodSize> methodSizes(String className, byte[] classFile) {
        ClassReader r = new ClassReader(classFile);
        char[] buf = new char[r.getMaxStringLength()];
        int off = r.header + 6; // access_flags, this_class, super_class
        off += 2 + 2 * r.readUnsignedShort(off); // interfaces
        int fields = r.readUnsignedShort(off);
        off += 2;
        for (int f = 0; f < fields; f++) off = skipAttributes(r, off + 6);
        int methods = r.readUnsignedShort(off);
        off += 2;
        List<MethodSize> out = new ArrayList<>();
        for (int m = 0; m < methods; m++) {
            String name = r.readUTF8(off + 2, buf) + r.readUTF8(off + 4, buf);
            int attributes = r.readUnsignedShort(off + 6);
            off += 8;
            for (int a = 0; a < attributes; a++) {
                String attr = r.readUTF8(off, buf);
                int length = r.readInt(off + 2);
                if (attr.equals("Code")) out.add(new MethodSize(className, name, r.readInt(off + 10))); // after max_stack, max_locals
                off += 6 + length;
            }
        }
        return out;
    }

    private static int skipAttributes(ClassReader r, int off) {
        int n = r.readUnsignedShort(off);
        off += 2;
        for (int a = 0; a < n; a++) off += 6 + r.readInt(off + 2);
        return off;
    }

    /** A generated class, compiled, and the sizes of its methods. */
    record Checked(Compiled compiled, JavaEmitter.Output output, InMemoryJavac.Classes classes, List<MethodSize> sizes) {}

    /** Generates and compiles every model of {@code source} and checks every method of every class. */
    static List<Checked> check(String sourceName, String source, boolean f32) {
        Compiler.Result r = Compiler.compile(sourceName, source);
        assertTrue(r.ok(), r::render);
        List<Checked> checked = new ArrayList<>();
        List<MethodSize> all = new ArrayList<>();
        for (Compiled c : r.compiled()) {
            JavaEmitter.Output out = JavaEmitter.emit(c, new JavaEmitter.Options(null, f32, sourceName, source));
            InMemoryJavac.Classes classes = InMemoryJavac.compile(out.qualifiedName(), out.source());
            List<MethodSize> sizes = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : classes.bytecode().entrySet()) sizes.addAll(methodSizes(e.getKey(), e.getValue()));
            checked.add(new Checked(c, out, classes, sizes));
            all.addAll(sizes);
        }
        assertFalse(all.isEmpty(), "no methods read");
        List<MethodSize> huge = all.stream().filter(m -> m.codeLength() >= HUGE_METHOD_LIMIT).toList();
        assertTrue(huge.isEmpty(), () -> sourceName + (f32 ? " (f32)" : " (f64)") + ": methods of " + HUGE_METHOD_LIMIT
                + " bytes or more, which C2 will not compile: " + huge);
        return checked;
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("generated-examples"))) {
            return s.filter(p -> p.toString().endsWith(".nn")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyMethodOfEveryExampleIsBelowTheLimit(Path file) throws IOException {
        String source = Files.readString(file);
        for (boolean f32 : new boolean[] {false, true}) check(file.getFileName().toString(), source, f32);
    }

    /** {@code layers} layers {@code h = tanh(h @ wI + bI)} of width 4, each with its own params, mse loss, sgd with momentum. */
    static String deepModel(int layers) {
        StringBuilder sb = new StringBuilder("model Deep {\n    dim batch\n    input x : [batch, 4]\n    input y : [batch, 4]\n");
        for (int i = 0; i < layers; i++) {
            sb.append("    param w").append(i).append(" : [4, 4] init xavier_uniform\n");
            sb.append("    param b").append(i).append(" : [4] init normal(0, 0.1)\n");
        }
        sb.append("    h = x\n");
        for (int i = 0; i < layers; i++) sb.append("    h = tanh(h @ w").append(i).append(" + b").append(i).append(")\n");
        sb.append("    output out = h\n    loss = mse(h, y)\n    optimizer sgd(lr = 0.01, momentum = 0.9)\n}\n");
        return sb.toString();
    }

    /**
     * 300 layers, 600 params: without splitting, the constructor (1,800 array fields), reset,
     * trainStep (600 updates and 600 buffers), gradients, and the switches of parameter,
     * parameterShape and gradient would each be 12 to 30 KB. The split class must still do what
     * the interpreter does: initialization, lookups by name, gradients and train steps.
     */
    @Test
    void aDeepModelWithManyParamsIsSplitIntoSmallMethods() throws ReflectiveOperationException {
        Checked deep = check("deep.nn", deepModel(300), false).get(0);
        // the test means something only if the model is big enough to need splitting
        int total = deep.sizes().stream().mapToInt(MethodSize::codeLength).sum();
        assertTrue(total > 10 * HUGE_METHOD_LIMIT, "the deep model's class has only " + total + " bytes of code");

        Model m = deep.compiled().model();
        LoadedModel lm = LoadedModel.of(deep.compiled(), deep.output(), deep.classes().load(deep.output().qualifiedName()), false, 5);
        Session s = new Session(m, 5, Model.Precision.F64);
        for (Model.Param p : m.params()) {
            assertArrayEquals(s.param(p.name()).data(), lm.parameter(p.name()), "initial " + p.name());
        }
        Map<String, Tensor> in = Map.of("x", Tensor.of(new int[] {2, 4}, 0.5, -1, 2, 0.25, 1, 0, -0.5, 3),
                "y", Tensor.of(new int[] {2, 4}, 1, 0, 0, 1, 0, 1, 1, 0));
        Agreement.compareOnce(m, s, lm, in, Agreement.F64, "deep");
        for (int step = 0; step < 2; step++) {
            assertEquals(s.trainStep(in), lm.trainStep(in, Map.of("batch", 2)), 1e-12, "trainStep " + step);
        }
        for (Model.Param p : m.params()) {
            Agreement.assertClose(s.param(p.name()).data(), lm.parameter(p.name()), Agreement.F64, p.name() + " after 2 steps");
        }
        Object gen = lm.instance();
        assertEquals("[4, 4]", Arrays.toString((int[]) invoke(gen, "parameterShape", "w299")));
        assertEquals("[4]", Arrays.toString((int[]) invoke(gen, "parameterShape", "b150")));
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> invoke(gen, "parameter", "w300"));
        assertTrue(e.getCause() instanceof IllegalArgumentException && e.getCause().getMessage().contains("'w300'"), e.getCause()::toString);
    }

    private static Object invoke(Object target, String method, String arg) throws ReflectiveOperationException {
        return target.getClass().getMethod(method, String.class).invoke(target, arg);
    }
}
