package dev.nnc.interp;

import dev.nnc.ir.DType;
import dev.nnc.ir.Model;
import dev.nnc.ir.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter initialization, deterministic for a seed and specified so that generated code
 * reproduces it bit for bit.
 *
 * <p>Param number {@code i} (declaration order, from 0) of a model initialized with
 * {@code seed} draws from {@code new Rng(Rng.mix(seed, i))} (buffer number {@code j} from stream
 * {@code params + j}), element by element in row-major
 * order ({@link #init(Model.Init, int[], Rng)}):
 * <ul>
 *   <li>{@code zeros}, {@code ones}, {@code constant(v)}: no draws.
 *   <li>{@code uniform(a, b)}: {@code a + (b - a) * u}, {@code u = rng.nextDouble()}.
 *   <li>{@code normal(mean, std)}: {@code mean + std * rng.nextGaussian()} (two uniforms each).
 *   <li>{@code xavier_uniform}: uniform(−bound, bound), {@code bound = sqrt(6.0 / (fanIn + fanOut))};
 *       {@code xavier_normal}: normal(0, {@code sqrt(2.0 / (fanIn + fanOut))}).
 *   <li>{@code he_uniform}: uniform(−bound, bound), {@code bound = sqrt(6.0 / fanIn)};
 *       {@code he_normal}: normal(0, {@code sqrt(2.0 / fanIn)}).
 * </ul>
 * nnc's rank-2 weights are laid out {@code [in, out]} (used as {@code x @ w}), so for rank 2
 * {@code fanIn = shape[0]}, {@code fanOut = shape[1]}. A weight of rank 3 or more is a
 * convolution's {@code [out, in / groups, kernel…]}, so it follows PyTorch's rule:
 * {@code fanIn = shape[1] · r}, {@code fanOut = shape[0] · r}, where {@code r} is the product of
 * dims 2.. (the kernel's elements). Xavier and He need rank 2 or more.
 */
public final class Initializers {
    private Initializers() {}

    /** The initial value of param {@code index} of a model seeded with {@code seed}. */
    public static Tensor init(Model.Init init, int[] shape, long seed, int index) {
        return init(init, shape, new Rng(Rng.mix(seed, index)));
    }

    /** The initial values of a param of {@code shape} (static), drawn from {@code rng}. */
    public static Tensor init(Model.Init init, int[] shape, Rng rng) {
        int n = Tensor.numel(shape);
        double[] d = new double[n];
        List<Double> a = init.args();
        switch (init.kind()) {
            case "zeros" -> {
                args(init, 0);
            }
            case "ones" -> {
                args(init, 0);
                Arrays.fill(d, 1.0);
            }
            case "constant" -> {
                args(init, 1);
                Arrays.fill(d, a.get(0));
            }
            case "uniform" -> {
                args(init, 2);
                uniform(d, a.get(0), a.get(1), rng);
            }
            case "normal" -> {
                args(init, 2);
                normal(d, a.get(0), a.get(1), rng);
            }
            case "xavier_uniform" -> {
                args(init, 0);
                double bound = Math.sqrt(6.0 / (fanIn(init, shape) + fanOut(init, shape)));
                uniform(d, -bound, bound, rng);
            }
            case "xavier_normal" -> {
                args(init, 0);
                normal(d, 0.0, Math.sqrt(2.0 / (fanIn(init, shape) + fanOut(init, shape))), rng);
            }
            case "he_uniform" -> {
                args(init, 0);
                double bound = Math.sqrt(6.0 / fanIn(init, shape));
                uniform(d, -bound, bound, rng);
            }
            case "he_normal" -> {
                args(init, 0);
                normal(d, 0.0, Math.sqrt(2.0 / fanIn(init, shape)), rng);
            }
            default -> throw new IllegalArgumentException("unknown initializer '" + init.kind() + "'");
        }
        return new Tensor(shape.clone(), d, DType.REAL);
    }

    /** The initial values of every param of {@code model}, by name in declaration order. */
    public static Map<String, Tensor> initAll(Model model, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Model.Param> params = model.params();
        for (int i = 0; i < params.size(); i++) {
            Model.Param p = params.get(i);
            out.put(p.name(), init(p.init() == null ? Model.Init.ZEROS : p.init(), staticSizes(p.name(), p.node().shape()), seed, i));
        }
        return out;
    }

    /**
     * The initial values of every buffer of {@code model}, by name in declaration order: buffer
     * number {@code j} draws from stream {@code params + j}, after the params'.
     */
    public static Map<String, Tensor> initBuffers(Model model, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Model.Buffer> buffers = model.buffers();
        for (int j = 0; j < buffers.size(); j++) {
            Model.Buffer b = buffers.get(j);
            out.put(b.name(), init(b.init(), staticSizes(b.name(), b.node().shape()), seed, model.params().size() + j));
        }
        return out;
    }

    /** The sizes of a param's shape, which must be static. */
    public static int[] staticSizes(String name, Shape shape) {
        if (!shape.isStatic()) throw new IllegalArgumentException("param '" + name + "' has a runtime dim in its shape " + shape);
        int[] r = new int[shape.rank()];
        for (int i = 0; i < r.length; i++) r[i] = shape.get(i).size();
        return r;
    }

    /** {@code shape[0]} for rank 2 ({@code [in, out]}); {@code shape[1]} times the kernel's elements (dims 2..) above. */
    public static long fanIn(Model.Init init, int[] shape) {
        requireRank2(init, shape);
        return shape.length == 2 ? shape[0] : (long) shape[1] * receptive(shape);
    }

    /** {@code shape[1]} for rank 2 ({@code [in, out]}); {@code shape[0]} times the kernel's elements (dims 2..) above. */
    public static long fanOut(Model.Init init, int[] shape) {
        requireRank2(init, shape);
        return shape.length == 2 ? shape[1] : (long) shape[0] * receptive(shape);
    }

    private static long receptive(int[] shape) {
        long r = 1;
        for (int i = 2; i < shape.length; i++) r *= shape[i];
        return r;
    }

    private static void requireRank2(Model.Init init, int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException(init.kind() + " needs a param of rank 2 or more (fan-in and fan-out), got shape "
                    + Tensor.shapeString(shape));
        }
    }

    private static void args(Model.Init init, int n) {
        if (init.args().size() != n) {
            throw new IllegalArgumentException("initializer " + init.kind() + " takes " + n + " arguments, got " + init.args().size());
        }
    }

    private static void uniform(double[] d, double a, double b, Rng rng) {
        for (int i = 0; i < d.length; i++) d[i] = a + (b - a) * rng.nextDouble();
    }

    private static void normal(double[] d, double mean, double std, Rng rng) {
        for (int i = 0; i < d.length; i++) d[i] = mean + std * rng.nextGaussian();
    }
}
