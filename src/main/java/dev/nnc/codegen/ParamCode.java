package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Model;
import dev.nnc.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Initialization and optimizer updates, the same algorithms as the interpreter's
 * {@code Initializers} and {@code Optimizers} (SplitMix64 streams, torch.optim rules). Updates
 * compute in the element type, as torch.optim does on float32 tensors: in f32 each operation
 * rounds to float (the interpreter's f32 emulation rounds only the stored values; the two differ
 * by float rounding). Float arithmetic vectorizes in JDK 17 where double arithmetic narrowed to
 * float does not, which makes f32 updates several times faster.
 */
final class ParamCode {
    private ParamCode() {}

    /** Statements (without their semicolons) that set every param and buffer to its initial value for {@code seed}. */
    static List<CodeBlock> initialize(ClassContext cx) {
        List<CodeBlock> b = new ArrayList<>();
        for (ClassContext.State p : cx.saved()) {
            int i = p.stream();
            String f = p.field();
            Shape s = p.shape();
            List<Double> a = p.init().args();
            int[] sizes = dev.nnc.interp.Initializers.staticSizes(p.name(), s);
            String kind = p.init().kind();
            boolean fans = kind.startsWith("xavier") || kind.startsWith("he_");
            long fanIn = fans ? dev.nnc.interp.Initializers.fanIn(p.init(), sizes) : 0;
            long fanOut = fans ? dev.nnc.interp.Initializers.fanOut(p.init(), sizes) : 0;
            switch (kind) {
                case "zeros" -> b.add(CodeBlock.of("$T.fill($N, $L)", java.util.Arrays.class, f, cx.elem.lit(0)));
                case "ones" -> b.add(CodeBlock.of("$T.fill($N, $L)", java.util.Arrays.class, f, cx.elem.lit(1)));
                case "constant" -> b.add(CodeBlock.of("$T.fill($N, $L)", java.util.Arrays.class, f, cx.elem.lit(a.get(0))));
                case "uniform" -> uniform(b, f, i, a.get(0), a.get(1));
                case "normal" -> normal(b, f, i, a.get(0), a.get(1));
                case "xavier_uniform" -> {
                    double bound = Math.sqrt(6.0 / (fanIn + fanOut));
                    uniform(b, f, i, -bound, bound);
                }
                case "xavier_normal" -> normal(b, f, i, 0.0, Math.sqrt(2.0 / (fanIn + fanOut)));
                case "he_uniform" -> {
                    double bound = Math.sqrt(6.0 / fanIn);
                    uniform(b, f, i, -bound, bound);
                }
                case "he_normal" -> normal(b, f, i, 0.0, Math.sqrt(2.0 / fanIn));
                default -> throw new IllegalStateException("initializer " + kind);
            }
        }
        return b;
    }

    private static void uniform(List<CodeBlock> b, String field, int index, double lo, double hi) {
        b.add(CodeBlock.of("uniform($N, mix(seed, $L), $L, $L)", field, index, Elem.javaDouble(lo), Elem.javaDouble(hi)));
    }

    private static void normal(List<CodeBlock> b, String field, int index, double mean, double std) {
        b.add(CodeBlock.of("normal($N, mix(seed, $L), $L, $L)", field, index, Elem.javaDouble(mean), Elem.javaDouble(std)));
    }

    /** The random-number helpers: SplitMix64 and the streams of initialization and dropout. */
    static List<MethodSpec> randomHelpers(Elem e) {
        MethodSpec fmix = MethodSpec.methodBuilder("fmix").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("The SplitMix64 finalizer.\n")
                .returns(TypeName.LONG).addParameter(TypeName.LONG, "z")
                .addStatement("z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L")
                .addStatement("z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL")
                .addStatement("return z ^ (z >>> 31)").build();
        MethodSpec mix = MethodSpec.methodBuilder("mix").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("The seed of a derived stream: {@code fmix(h * 0x9E3779B97F4A7C15L + k)}.\n")
                .returns(TypeName.LONG).addParameter(TypeName.LONG, "h").addParameter(TypeName.LONG, "k")
                .addStatement("return fmix(h * 0x9E3779B97F4A7C15L + k)").build();
        MethodSpec uniform = MethodSpec.methodBuilder("uniform").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Fills {@code w} with {@code a + (b - a) * u}, u uniform in [0, 1) from the stream {@code state}.\n")
                .addParameter(e.array(), "w").addParameter(TypeName.LONG, "state")
                .addParameter(TypeName.DOUBLE, "a").addParameter(TypeName.DOUBLE, "b")
                .beginControlFlow("for (int i = 0; i < w.length; i++)")
                .addStatement("state += 0x9E3779B97F4A7C15L")
                .addStatement("double u = (fmix(state) >>> 11) * 0x1.0p-53")
                .addStatement("w[i] = $L(a + (b - a) * u)", e.f32() ? "(float) " : "")
                .endControlFlow().build();
        MethodSpec normal = MethodSpec.methodBuilder("normal").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Fills {@code w} with {@code mean + std * g}, g standard normal by Box–Muller from the stream {@code state}.\n")
                .addParameter(e.array(), "w").addParameter(TypeName.LONG, "state")
                .addParameter(TypeName.DOUBLE, "mean").addParameter(TypeName.DOUBLE, "std")
                .beginControlFlow("for (int i = 0; i < w.length; i++)")
                .addStatement("state += 0x9E3779B97F4A7C15L")
                .addStatement("double u1 = (fmix(state) >>> 11) * 0x1.0p-53")
                .addStatement("state += 0x9E3779B97F4A7C15L")
                .addStatement("double u2 = (fmix(state) >>> 11) * 0x1.0p-53")
                .addStatement("double g = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1)) * StrictMath.cos($L * u2)",
                        Double.toString(2 * Math.PI))
                .addStatement("w[i] = $L(mean + std * g)", e.f32() ? "(float) " : "")
                .endControlFlow().build();
        return List.of(fmix, mix, uniform, normal);
    }

    /** The private method that clips the gradients before an update, when the optimizer has {@code clip_norm}. */
    static final String CLIP = "clipGradients$";

    /**
     * {@link #CLIP}: {@code torch.nn.utils.clip_grad_norm_} over every parameter's gradient: the
     * L2 norm of all of them together (summed in double), and when {@code c / (norm + 1e-6) < 1},
     * every gradient multiplied by it.
     */
    static List<MethodSpec> clipMethods(ClassContext cx) {
        Elem e = cx.elem;
        double c = cx.model.optimizer().clipNorm();
        MethodSpec squares = MethodSpec.methodBuilder("sumOfSquares").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("The sum of the squares of the elements of {@code a}, in double.\n")
                .returns(TypeName.DOUBLE).addParameter(e.array(), "a")
                .addStatement("double s = 0")
                .beginControlFlow("for (int j = 0; j < a.length; j++)")
                .addStatement("double v = a[j]")
                .addStatement("s += v * v")
                .endControlFlow()
                .addStatement("return s").build();
        MethodSpec scale = MethodSpec.methodBuilder("scale").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Multiplies every element of {@code a} by {@code f}.\n")
                .addParameter(e.array(), "a").addParameter(e.type(), "f")
                .addStatement("for (int j = 0; j < a.length; j++) a[j] *= f").build();
        List<MethodSpec> out = new ArrayList<>(List.of(squares, scale));
        MethodSpec.Builder clip = MethodSpec.methodBuilder(CLIP).addModifiers(Modifier.PRIVATE)
                .addJavadoc("Clips the gradients to a global L2 norm of $L ({@code torch.nn.utils.clip_grad_norm_}).\n", c)
                .addStatement("double s = 0");
        List<Model.Param> ps = cx.model.params();
        int per = ClassContext.STATEMENTS_PER_METHOD;
        for (int i = 0, part = 0; i < ps.size(); i += per, part++) {
            // in methods of at most `per` parameters each, so that no method grows too large
            String sq = CLIP + "squares$" + part, sc = CLIP + "scale$" + part;
            MethodSpec.Builder sum = MethodSpec.methodBuilder(sq).addModifiers(Modifier.PRIVATE).returns(TypeName.DOUBLE).addStatement("double s = 0");
            MethodSpec.Builder mul = MethodSpec.methodBuilder(sc).addModifiers(Modifier.PRIVATE).addParameter(e.type(), "f");
            for (Model.Param p : ps.subList(i, Math.min(ps.size(), i + per))) {
                sum.addStatement("s += sumOfSquares($N)", cx.gradField.get(p.name()));
                mul.addStatement("scale($N, f)", cx.gradField.get(p.name()));
            }
            out.add(sum.addStatement("return s").build());
            out.add(mul.build());
            clip.addStatement("s += $N()", sq);
        }
        clip.addStatement("final double coef = $L / (Math.sqrt(s) + 1e-6)", Elem.javaDouble(c))
                .addStatement("if (coef >= 1) return")
                .addStatement("final $T f = $L", e.type(), e.f32() ? "(float) coef" : "coef");
        for (int i = 0, part = 0; i < ps.size(); i += per, part++) clip.addStatement("$N(f)", CLIP + "scale$" + part);
        out.add(clip.build());
        return out;
    }

    /** Names of the optimizer's per-param state arrays ("momentum", or "m" and "v"). */
    static List<String> stateNames(Model.Optimizer o) {
        if (o == null) return List.of();
        if (o.kind().equals("sgd")) return o.arg("momentum") != 0 ? List.of("momentum") : List.of();
        return List.of("m", "v");
    }

    /**
     * The statements of one optimizer step, after the gradients are in the {@code grad$} fields:
     * the clipping of their norm ({@link #CLIP}) when the optimizer has {@code clip_norm}, then
     * one {@code update} call per param, at the current learning rate and step count (the
     * body of {@link #OPTIMIZER_STEP}, which then increments the step count).
     */
    static List<CodeBlock> updateCalls(ClassContext cx) {
        Model.Optimizer o = cx.model.optimizer();
        List<CodeBlock> updates = new ArrayList<>();
        if (o.clipNorm() != null) updates.add(CodeBlock.of("$N()", CLIP));
        for (Model.Param p : cx.params()) {
            String pf = cx.paramField.get(p.name()), gf = cx.gradField.get(p.name());
            if (o.kind().equals("sgd")) {
                if (o.arg("momentum") != 0) {
                    updates.add(CodeBlock.of("update(this.$N, $N, $N, this.step == 0, this.$N)", pf, gf, "momentum$" + p.name(), LEARNING_RATE));
                } else {
                    updates.add(CodeBlock.of("update(this.$N, $N, this.$N)", pf, gf, LEARNING_RATE));
                }
            } else {
                updates.add(CodeBlock.of("update(this.$N, $N, $N, $N, this.step + 1, this.$N)", pf, gf, "m$" + p.name(), "v$" + p.name(),
                        LEARNING_RATE));
            }
        }
        return updates;
    }

    /** The private method of generated classes that takes one optimizer step ({@link #updateCalls}, then the step count). */
    static final String OPTIMIZER_STEP = "optimizerStep$";

    /** The field holding the learning rate ({@code learningRate()}, {@code setLearningRate}). */
    static final String LEARNING_RATE = "learningRate$";

    /**
     * The update of one param array from its gradient, as a static method: torch.optim's rules,
     * computed in the element type (for f32 the interpreter's emulation, which rounds once per
     * stored value, can differ by an ulp per step), in loops that C2 vectorizes.
     */
    static MethodSpec update(Model.Optimizer o, Elem e) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("update").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(e.array(), "p").addParameter(e.array(), "g");
        if (o.kind().equals("sgd")) {
            double lr = o.arg("lr"), mom = o.arg("momentum"), wd = o.arg("weight_decay");
            boolean nesterov = o.arg("nesterov") != 0;
            m.addJavadoc("One step of {@code torch.optim.SGD}(lr, momentum = $L, weight_decay = $L, nesterov = $L); the\n"
                    + "declared lr is $L.\n", mom, wd, nesterov, lr);
            CodeBlock decayed = wd == 0 ? CodeBlock.of("g[j]") : CodeBlock.of("g[j] + $L * p[j]", e.lit(wd));
            if (mom != 0) m.addParameter(e.array(), "buf").addParameter(TypeName.BOOLEAN, "first");
            m.addParameter(TypeName.DOUBLE, "lr");
            // the rate in the element type: the same value as a literal of it, so results do not change
            if (e.f32()) m.addStatement("float rate = (float) lr");
            else m.addStatement("double rate = lr");
            if (mom == 0) {
                m.beginControlFlow("for (int j = 0; j < p.length; j++)")
                        .addStatement("p[j] = p[j] - rate * ($L)", decayed)
                        .endControlFlow();
            } else {
                CodeBlock step = nesterov ? CodeBlock.of("d + $L * buf[j]", e.lit(mom)) : CodeBlock.of("buf[j]");
                m.beginControlFlow("if (first)")
                        .beginControlFlow("for (int j = 0; j < p.length; j++)")
                        .addStatement("$T d = $L", e.type(), decayed)
                        .addStatement("buf[j] = d")
                        .addStatement("p[j] = p[j] - rate * ($L)", step)
                        .endControlFlow()
                        .nextControlFlow("else")
                        .beginControlFlow("for (int j = 0; j < p.length; j++)")
                        .addStatement("$T d = $L", e.type(), decayed)
                        .addStatement("buf[j] = $L * buf[j] + d", e.lit(mom))
                        .addStatement("p[j] = p[j] - rate * ($L)", step)
                        .endControlFlow()
                        .endControlFlow();
            }
        } else {
            double b1 = o.arg("beta1"), b2 = o.arg("beta2"), wd = o.arg("weight_decay");
            boolean decoupled = o.kind().equals("adamw");
            m.addJavadoc("One step of {@code torch.optim.$L}(lr, betas = ($L, $L), eps = $L, weight_decay = $L); "
                    + "{@code t} counts steps from 1; the declared lr is $L.\n", decoupled ? "AdamW" : "Adam", b1, b2, o.arg("eps"), wd, o.arg("lr"));
            // Adam adds the decay to the gradient; AdamW shrinks the parameter first (decoupled decay, by the run-time lr)
            CodeBlock decayed = wd == 0 || decoupled ? CodeBlock.of("g[j]") : CodeBlock.of("g[j] + $L * p[j]", e.lit(wd));
            boolean shrink = decoupled && wd != 0;
            m.addParameter(e.array(), "m").addParameter(e.array(), "v").addParameter(TypeName.LONG, "t")
                    .addParameter(TypeName.DOUBLE, "lr")
                    .addStatement("double bc1 = 1 - Math.pow($L, t)", Elem.javaDouble(b1))
                    .addStatement("double bc2 = 1 - Math.pow($L, t)", Elem.javaDouble(b2))
                    .addStatement("$T stepSize = ($T) (lr / bc1)", e.type(), e.type())
                    .addStatement("$T sqrtBc2 = ($T) Math.sqrt(bc2)", e.type(), e.type())
                    .addCode(shrink ? CodeBlock.of("$T shrink = ($T) (1 - lr * $L);\n", e.type(), e.type(), Elem.javaDouble(wd)) : CodeBlock.of(""))
                    .beginControlFlow("for (int j = 0; j < p.length; j++)");
            if (shrink) m.addStatement("p[j] = p[j] * shrink");
            m.addStatement("$T d = $L", e.type(), decayed)
                    .addStatement("m[j] = $L * m[j] + $L * d", e.lit(b1), e.lit(1 - b1))
                    .addStatement("v[j] = $L * v[j] + $L * d * d", e.lit(b2), e.lit(1 - b2))
                    .addStatement("$T denom = $L / sqrtBc2 + $L", e.type(), e.call("Math.sqrt", CodeBlock.of("v[j]")), e.lit(o.arg("eps")))
                    .addStatement("p[j] = p[j] - stepSize * (m[j] / denom)")
                    .endControlFlow();
        }
        return m.build();
    }
}
