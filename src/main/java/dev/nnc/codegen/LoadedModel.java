package dev.nnc.codegen;

import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generated class compiled in memory and driven by name, for tools ({@code nnc eval},
 * tests, benchmarks) that work with {@link Tensor}s rather than the class's typed API.
 */
public final class LoadedModel {
    private final Compiled compiled;
    private final JavaEmitter.Output output;
    private final Class<?> type;
    private final boolean f32;
    private Object instance;

    private LoadedModel(Compiled compiled, JavaEmitter.Output output, Class<?> type, boolean f32) {
        this.compiled = compiled;
        this.output = output;
        this.type = type;
        this.f32 = f32;
    }

    /** Generates, compiles and loads the class of {@code c}, and creates an instance seeded with {@code seed}. */
    public static LoadedModel load(Compiled c, boolean f32, long seed, String sourceName, String source) {
        return load(c, f32, seed, sourceName, source, JavaEmitter.Backend.SCALAR);
    }

    /** The same with a chosen backend (the vector backend needs {@code --add-modules jdk.incubator.vector}). */
    public static LoadedModel load(Compiled c, boolean f32, long seed, String sourceName, String source, JavaEmitter.Backend backend) {
        JavaEmitter.Output out = JavaEmitter.emit(c, new JavaEmitter.Options(null, f32, sourceName, source, backend));
        Class<?> cls = InMemoryJavac.compile(out.qualifiedName(), out.source()).load(out.qualifiedName());
        return of(c, out, cls, f32, seed);
    }

    /**
     * Drives {@code cls}, already compiled from {@code out} (emitted from {@code c} with element
     * type f32 or f64), through a new instance seeded with {@code seed}. For callers that compile
     * many generated classes in one javac run.
     */
    public static LoadedModel of(Compiled c, JavaEmitter.Output out, Class<?> cls, boolean f32, long seed) {
        LoadedModel m = new LoadedModel(c, out, cls, f32);
        try {
            m.instance = cls.getConstructor(long.class).newInstance(seed);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate generated " + out.qualifiedName(), e);
        }
        return m;
    }

    public JavaEmitter.Output output() {
        return output;
    }

    /** True when the generated class computes in float (f32), false for double (f64). */
    public boolean f32() {
        return f32;
    }

    /** Re-initializes the parameters from {@code seed}, clears the optimizer state and the step count. */
    public void reset(long seed) {
        call("reset", new Class<?>[] {long.class}, seed);
    }

    /** The number of training steps since the last reset. */
    public long steps() {
        return (Long) call("steps", new Class<?>[0]);
    }

    /** The number of training steps since the last reset that were skipped for a non-finite loss or gradient. */
    public long skippedSteps() {
        return (Long) call("skippedSteps", new Class<?>[0]);
    }

    /** The live array ({@code float[]} or {@code double[]}) of param {@code name}: writes change the model. */
    public Object parameterArray(String name) {
        return call("parameter", new Class<?>[] {String.class}, name);
    }

    /**
     * The typed entry method {@code name} ({@code infer}, {@code loss}, {@code gradients} or
     * {@code trainStep}) of the generated class, looked up once and bound to this instance: the
     * fast path for callers that keep their own {@code float[]}/{@code double[]}/{@code int[]}
     * arrays (a training loop), with no conversion per call.
     *
     * @throws IllegalArgumentException if the class has no such entry (e.g. trainStep without an optimizer)
     */
    public Entry entry(String name) {
        List<String> spec = output.entries().get(name);
        if (spec == null) throw new IllegalArgumentException(output.className() + " has no " + name + " method");
        List<Class<?>> types = new ArrayList<>();
        for (String s : spec) {
            int colon = s.indexOf(':');
            String kind = s.substring(0, colon), arg = s.substring(colon + 1);
            switch (kind) {
                case "dim" -> types.add(int.class);
                case "input" -> types.add(compiled.model().input(arg).isInt() ? int[].class : arrayType());
                case "output" -> types.add(arrayType());
                default -> throw new IllegalStateException(s);
            }
        }
        try {
            return new Entry(type.getMethod(name, types.toArray(new Class<?>[0])), spec);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("generated " + output.className() + " lacks " + name + types, e);
        }
    }

    /**
     * One typed entry method bound to the instance. Its arguments, in order, are named by
     * {@link #arguments()} as {@code dim:NAME}, {@code input:NAME} or {@code output:NAME}: an
     * {@code int} per dim, then an array per input (int[] for int inputs), then (infer) an array
     * per output to fill.
     */
    public final class Entry {
        private final Method method;
        private final List<String> arguments;

        private Entry(Method method, List<String> arguments) {
            this.method = method;
            this.arguments = List.copyOf(arguments);
        }

        public List<String> arguments() {
            return arguments;
        }

        /** Calls the method; returns its result (the loss as a Float or Double), or null for infer. */
        public Object invoke(Object... args) {
            try {
                return method.invoke(instance, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        /** {@link #invoke} for the entries that return the loss. */
        public double invokeForLoss(Object... args) {
            return ((Number) invoke(args)).doubleValue();
        }
    }

    public Object instance() {
        return instance;
    }

    /** Copies {@code values} into param {@code name}. */
    public void setParameter(String name, double[] values) {
        call("setParameter", new Class<?>[] {String.class, arrayType()}, name, toArray(values));
    }

    /** A copy of param {@code name}. */
    public double[] parameter(String name) {
        return fromArray(call("parameter", new Class<?>[] {String.class}, name));
    }

    /** The gradient of param {@code name} from the last gradients or trainStep call. */
    public double[] gradient(String name) {
        return fromArray(call("gradient", new Class<?>[] {String.class}, name));
    }

    /** The gradient of input {@code name} from the last gradients call. */
    public double[] inputGradient(String name) {
        return fromArray(call("inputGradient", new Class<?>[] {String.class}, name));
    }

    /** Copies {@code values} into buffer {@code name}. */
    public void setBuffer(String name, double[] values) {
        call("setBuffer", new Class<?>[] {String.class, arrayType()}, name, toArray(values));
    }

    /** A copy of buffer {@code name}. */
    public double[] buffer(String name) {
        return fromArray(call("buffer", new Class<?>[] {String.class}, name));
    }

    /** A copy of buffer {@code name} in the class's element type ({@code float[]} or {@code double[]}). */
    public Object bufferArray(String name) {
        return call("buffer", new Class<?>[] {String.class}, name);
    }

    /** Every output, dropout off. */
    public Map<String, Tensor> infer(Map<String, Tensor> inputs, Map<String, Integer> dims) {
        Map<String, Object> outs = outputArrays(dims);
        invoke("infer", inputs, dims, outs);
        return outputs(outs, dims);
    }

    /** What {@link #trainingPass} computed: every output, and the loss (NaN for a model without one). */
    public record Pass(Map<String, Tensor> outputs, double loss) {}

    /**
     * One training-mode pass without an optimizer update ({@code trainingPass}): every output and
     * the loss; gradients and buffers are read afterwards with {@link #gradient},
     * {@link #inputGradient} and {@link #buffer}.
     */
    public Pass trainingPass(Map<String, Tensor> inputs, Map<String, Integer> dims) {
        Map<String, Object> outs = outputArrays(dims);
        Object loss = invoke("trainingPass", inputs, dims, outs);
        return new Pass(outputs(outs, dims), loss == null ? Double.NaN : ((Number) loss).doubleValue());
    }

    private Map<String, Object> outputArrays(Map<String, Integer> dims) {
        Map<String, Object> outs = new LinkedHashMap<>();
        Model m = compiled.model();
        for (int i = 0; i < m.outputs().size(); i++) {
            int[] shape = compiled.eval().outputs().get(i).shape().sizes(dims);
            outs.put(m.outputs().get(i).name(), f32 ? new float[Tensor.numel(shape)] : new double[Tensor.numel(shape)]);
        }
        return outs;
    }

    private Map<String, Tensor> outputs(Map<String, Object> outs, Map<String, Integer> dims) {
        Model m = compiled.model();
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (int i = 0; i < m.outputs().size(); i++) {
            String name = m.outputs().get(i).name();
            result.put(name, Tensor.of(compiled.eval().outputs().get(i).shape().sizes(dims), fromArray(outs.get(name))));
        }
        return result;
    }

    public double loss(Map<String, Tensor> inputs, Map<String, Integer> dims) {
        return ((Number) invoke("loss", inputs, dims, Map.of())).doubleValue();
    }

    public double gradients(Map<String, Tensor> inputs, Map<String, Integer> dims) {
        return ((Number) invoke("gradients", inputs, dims, Map.of())).doubleValue();
    }

    public double trainStep(Map<String, Tensor> inputs, Map<String, Integer> dims) {
        return ((Number) invoke("trainStep", inputs, dims, Map.of())).doubleValue();
    }

    private Object invoke(String entry, Map<String, Tensor> inputs, Map<String, Integer> dims, Map<String, Object> outs) {
        List<String> spec = output.entries().get(entry);
        if (spec == null) throw new IllegalStateException(output.className() + " has no " + entry + " method");
        List<Class<?>> types = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        for (String s : spec) {
            int colon = s.indexOf(':');
            String kind = s.substring(0, colon), name = s.substring(colon + 1);
            switch (kind) {
                case "dim" -> {
                    types.add(int.class);
                    args.add(dims.get(name));
                }
                case "input" -> {
                    Tensor t = inputs.get(name);
                    if (compiled.model().input(name).isInt()) {
                        types.add(int[].class);
                        double[] d = t.data();
                        int[] v = new int[d.length];
                        for (int i = 0; i < d.length; i++) v[i] = (int) d[i];
                        args.add(v);
                    } else {
                        types.add(arrayType());
                        args.add(toArray(t.data()));
                    }
                }
                case "output" -> {
                    types.add(arrayType());
                    args.add(outs.get(name));
                }
                default -> throw new IllegalStateException(s);
            }
        }
        return call(entry, types.toArray(new Class<?>[0]), args.toArray());
    }

    private Object call(String name, Class<?>[] types, Object... args) {
        try {
            Method m = type.getMethod(name, types);
            return m.invoke(instance, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("generated " + output.className() + " lacks " + name, e);
        }
    }

    private Class<?> arrayType() {
        return f32 ? float[].class : double[].class;
    }

    private Object toArray(double[] d) {
        if (!f32) return d.clone();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static double[] fromArray(Object o) {
        if (o instanceof double[] d) return d.clone();
        float[] f = (float[]) o;
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
