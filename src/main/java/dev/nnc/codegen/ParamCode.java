package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Model;
import dev.nnc.ir.Shape;
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

    /** Statements that set every param to its initial value for {@code seed}. */
    static CodeBlock initialize(ClassContext cx) {
        CodeBlock.Builder b = CodeBlock.builder();
        List<Model.Param> ps = cx.params();
        for (int i = 0; i < ps.size(); i++) {
            Model.Param p = ps.get(i);
            String f = cx.paramField.get(p.name());
            Shape s = p.node().shape();
            List<Double> a = p.init().args();
            long fanIn = s.rank() >= 2 ? s.get(0).size() * receptive(s) : 0;
            long fanOut = s.rank() >= 2 ? s.get(1).size() * receptive(s) : 0;
            String kind = p.init().kind();
            switch (kind) {
                case "zeros" -> b.addStatement("$T.fill($N, $L)", java.util.Arrays.class, f, cx.elem.lit(0));
                case "ones" -> b.addStatement("$T.fill($N, $L)", java.util.Arrays.class, f, cx.elem.lit(1));
                case "constant" -> b.addStatement("$T.fill($N, $L)", java.util.Arrays.class, f, cx.elem.lit(a.get(0)));
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
        return b.build();
    }

    private static long receptive(Shape s) {
        long r = 1;
        for (int i = 2; i < s.rank(); i++) r *= s.get(i).size();
        return r;
    }

    private static void uniform(CodeBlock.Builder b, String field, int index, double lo, double hi) {
        b.addStatement("uniform($N, mix(seed, $L), $L, $L)", field, index, Double.toString(lo), Double.toString(hi));
    }

    private static void normal(CodeBlock.Builder b, String field, int index, double mean, double std) {
        b.addStatement("normal($N, mix(seed, $L), $L, $L)", field, index, Double.toString(mean), Double.toString(std));
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

    /** Names of the optimizer's per-param state arrays ("momentum", or "m" and "v"). */
    static List<String> stateNames(Model.Optimizer o) {
        if (o == null) return List.of();
        if (o.kind().equals("sgd")) return o.arg("momentum") != 0 ? List.of("momentum") : List.of();
        return List.of("m", "v");
    }

    /** The update of one param array from its gradient, as a static method. */
    static MethodSpec update(Model.Optimizer o, Elem e) {
        String cast = e.f32() ? "(float) " : "";
        MethodSpec.Builder m = MethodSpec.methodBuilder("update").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(e.array(), "p").addParameter(e.array(), "g");
        if (o.kind().equals("sgd")) {
            double lr = o.arg("lr"), mom = o.arg("momentum"), wd = o.arg("weight_decay");
            boolean nesterov = o.arg("nesterov") != 0;
            m.addJavadoc("One step of {@code torch.optim.SGD}(lr = $L, momentum = $L, weight_decay = $L, nesterov = $L).\n",
                    lr, mom, wd, nesterov);
            if (mom != 0) m.addParameter(e.array(), "buf").addParameter(TypeName.BOOLEAN, "first");
            // in the element type, as torch.optim computes on float32 tensors: float arithmetic
            // (unlike double arithmetic rounded to float) vectorizes in JDK 17's C2
            m.beginControlFlow("for (int j = 0; j < p.length; j++)")
                    .addStatement("$T pj = p[j]", e.type())
                    .addStatement("$T d = g[j] + $L * pj", e.type(), e.lit(wd));
            if (mom != 0) {
                m.addStatement("$T bj = first ? d : $L * buf[j] + d", e.type(), e.lit(mom))
                        .addStatement("buf[j] = bj");
                if (nesterov) m.addStatement("d = d + $L * bj", e.lit(mom));
                else m.addStatement("d = bj");
            }
            m.addStatement("p[j] = pj - $L * d", e.lit(lr)).endControlFlow();
        } else {
            double b1 = o.arg("beta1"), b2 = o.arg("beta2");
            m.addJavadoc("One step of {@code torch.optim.Adam}(lr = $L, betas = ($L, $L), eps = $L, weight_decay = $L); "
                    + "{@code t} counts steps from 1.\n", o.arg("lr"), b1, b2, o.arg("eps"), o.arg("weight_decay"));
            m.addParameter(e.array(), "m").addParameter(e.array(), "v").addParameter(TypeName.LONG, "t")
                    .addStatement("double bc1 = 1 - Math.pow($L, t)", Double.toString(b1))
                    .addStatement("double bc2 = 1 - Math.pow($L, t)", Double.toString(b2))
                    .addStatement("$T stepSize = $L($L / bc1)", e.type(), cast, Double.toString(o.arg("lr")))
                    .addStatement("$T sqrtBc2 = $LMath.sqrt(bc2)", e.type(), cast)
                    .beginControlFlow("for (int j = 0; j < p.length; j++)")
                    .addStatement("$T pj = p[j]", e.type())
                    .addStatement("$T d = g[j] + $L * pj", e.type(), e.lit(o.arg("weight_decay")))
                    .addStatement("$T mj = $L * m[j] + $L * d", e.type(), e.lit(b1), e.lit(1 - b1))
                    .addStatement("$T vj = $L * v[j] + $L * d * d", e.type(), e.lit(b2), e.lit(1 - b2))
                    .addStatement("m[j] = mj")
                    .addStatement("v[j] = vj")
                    .addStatement("$T denom = $LMath.sqrt(vj) / sqrtBc2 + $L", e.type(), cast, e.lit(o.arg("eps")))
                    .addStatement("p[j] = pj - stepSize * (mj / denom)")
                    .endControlFlow();
        }
        return m.build();
    }
}
