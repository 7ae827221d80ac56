package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import javax.lang.model.element.Modifier;

/**
 * The flat-vector API of generated classes, for training outside one {@code trainStep}:
 * gradient accumulation over micro-batches, and data-parallel training (every worker computes
 * the gradient of its rows, a driver sums them and applies the model's own optimizer).
 * <ul>
 *   <li>{@code PARAMETER_COUNT}, {@code copyParametersTo(T[])}, {@code copyParametersFrom(T[])}:
 *       every parameter as one vector, in {@code PARAMETER_NAMES} order, each row-major;</li>
 *   <li>{@code copyGradientTo(T[])} and {@code accumulateGradient(double[] sum, long rows)}: the
 *       parameter gradient of the last {@code gradients} (or {@code trainStep}) call, flat;</li>
 *   <li>{@code applyGradient(double[] summed, long rows)}: one optimizer step (momentum or Adam
 *       state, weight decay, step count, finiteness check: exactly what {@code trainStep} does
 *       after its backward pass) with the gradient {@code summed / rows};</li>
 *   <li>{@code trainingGradients(dims…, inputs…)}: the loss and gradients of a training-mode pass
 *       ({@code trainingPass} without the outputs, or {@code gradients} when the modes do not
 *       differ), for accumulation and workers that train as {@code trainStep} does;</li>
 *   <li>{@code learningRate()} and {@code setLearningRate(v)}, which {@code trainStep} uses too.</li>
 * </ul>
 * Sums are {@code double[]} in both precisions: a sum over many batches keeps more bits than
 * its terms. The methods exist when the parameters fit in one Java array (at most
 * {@code Integer.MAX_VALUE - 8} elements).
 */
final class FlatCode {
    private FlatCode() {}

    /** Largest Java array. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Adds the flat-vector members to the class of {@code cx}. */
    static void addTo(ClassContext cx, Map<String, List<String>> entries) {
        long total = 0;
        for (Model.Param p : cx.params()) total += p.node().shape().staticProduct();
        boolean hasLoss = cx.compiled.eval().loss() != null;
        Model.Optimizer o = cx.model.optimizer();
        if (hasLoss && o != null) learningRate(cx, o.arg("lr"));
        if (hasLoss) trainingGradients(cx, entries);
        if (total > MAX_ARRAY) return;
        cx.type.addField(FieldSpec.builder(TypeName.INT, "PARAMETER_COUNT", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The number of parameter elements: the length of the flat vectors of {@code copyParametersTo} and\n"
                        + "the gradient methods.\n")
                .initializer("$L", total).build());
        Elem e = cx.elem;
        ParameterSpec flat = ParameterSpec.builder(e.array(), "flat").build();
        cx.type.addMethod(perParam(cx, "copyParametersTo", flat,
                "Copies every parameter into {@code flat}, in {@code PARAMETER_NAMES} order, each row-major.\n",
                (f, off) -> CodeBlock.of("System.arraycopy(this.$N, 0, flat, $L, this.$N.length)", f, off, f), false).build());
        cx.type.addMethod(perParam(cx, "copyParametersFrom", flat,
                "Sets every parameter from {@code flat} (the layout of {@link #copyParametersTo}); the optimizer state and\n"
                        + "the step count stay as they are.\n",
                (f, off) -> CodeBlock.of("System.arraycopy(flat, $L, this.$N, 0, this.$N.length)", off, f, f), false).build());
        if (!hasLoss) return;
        cx.type.addMethod(perGrad(cx, "copyGradientTo", flat,
                "Copies the parameter gradient of the last {@code gradients} or {@code trainStep} call (or the one\n"
                        + "{@code applyGradient} applied) into {@code flat}, in the layout of {@link #copyParametersTo}.\n",
                (g, off) -> CodeBlock.of("System.arraycopy(this.$N, 0, flat, $L, this.$N.length)", g, off, g), false).build());
        ParameterSpec sum = ParameterSpec.builder(double[].class, "sum").build();
        MethodSpec.Builder acc = perGrad(cx, "accumulateGradient", sum,
                "Adds {@code rows} times the parameter gradient of the last {@code gradients} or {@code trainingGradients}\n"
                        + "call to {@code sum} (the layout of {@link #copyParametersTo}). For a loss that is a mean over the rows of\n"
                        + "the batch, that is the\n"
                        + "gradient of the sum of their losses: accumulate each micro-batch with its row count, then\n"
                        + "{@link #applyGradient applyGradient(sum, total rows)} is one step on all of them.\n",
                (g, off) -> CodeBlock.of("for (int j = 0; j < this.$N.length; j++) sum[$L] += (double) rows * this.$N[j]", g, at(off), g), true);
        cx.type.addMethod(acc.build());
        if (o != null) cx.type.addMethod(applyGradient(cx).build());
    }

    /** {@code learningRate()}, {@code setLearningRate(v)} and their field, which every update reads. */
    private static void learningRate(ClassContext cx, double declared) {
        String f = ParamCode.LEARNING_RATE;
        cx.type.addField(FieldSpec.builder(TypeName.DOUBLE, f, Modifier.PRIVATE).initializer("$L", Elem.javaDouble(declared)).build());
        cx.type.addMethod(MethodSpec.methodBuilder("learningRate").addModifiers(Modifier.PUBLIC).returns(TypeName.DOUBLE)
                .addJavadoc("The learning rate of the next update ({@code trainStep} or {@code applyGradient}): the optimizer's\n"
                        + "{@code lr} ($L) unless {@link #setLearningRate} changed it.\n", Elem.javaDouble(declared))
                .addStatement("return this.$N", f).build());
        cx.type.addMethod(MethodSpec.methodBuilder("setLearningRate").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Sets the learning rate of the following updates, for a schedule (warm-up, step, cosine).\n"
                        + "{@code reset} keeps it, {@code copy()} starts at the declared rate, and a checkpoint carries it\n"
                        + "({@code loadCheckpoint} restores it, {@code loadParameters} does not). In f32 the updates use it\n"
                        + "rounded to float.\n\n"
                        + "@throws IllegalArgumentException if {@code rate} is negative or not finite\n")
                .addParameter(TypeName.DOUBLE, "rate")
                .beginControlFlow("if (!(rate >= 0) || Double.isInfinite(rate))")
                .addStatement("throw new $T($S + rate)", IllegalArgumentException.class, "learning rate must be finite and at least 0, got ")
                .endControlFlow()
                .addStatement("this.$N = rate", f).build());
    }

    /**
     * {@code trainingGradients(dims…, inputs…)}: {@code trainingPass} with outputs into arrays of
     * the instance (kept from call to call while the dims stay), or {@code gradients} when the
     * modes do not differ ({@code trainingPass} would compute the outputs for nothing).
     *
     * @param entries each entry method's arguments ({@code dim:d}, {@code input:x},
     *                {@code output:y}), in order
     */
    private static void trainingGradients(ClassContext cx, Map<String, List<String>> entries) {
        List<String> args = entries.get("trainingPass");
        Elem e = cx.elem;
        boolean delegated = EntrySpecs.named(cx.compiled, "trainingPass").delegated();
        MethodSpec.Builder m = MethodSpec.methodBuilder("trainingGradients").addModifiers(Modifier.PUBLIC).returns(e.type())
                .addJavadoc(delegated
                        ? "The loss and its gradients in training mode, which for this model (no dropout, no batch statistics)\n"
                                + "is {@code gradients}: the same call.\n\n"
                        : "The loss and its gradients in training mode (dropout on with the masks of the current step, batch\n"
                                + "statistics), what {@code trainStep} computes before its update, and the buffers' updates:\n"
                                + "{@code trainingPass} with its outputs into arrays of this instance. Parameters, optimizer state and\n"
                                + "the step count do not change.\n\n")
                .addJavadoc("Read the gradients with {@link #gradient}, {@link #copyGradientTo} or {@link #accumulateGradient}.\n\n");
        List<CodeBlock> call = new ArrayList<>(), inner = new ArrayList<>();
        for (String a : args) {
            String kind = a.substring(0, a.indexOf(':')), n = a.substring(a.indexOf(':') + 1);
            if (kind.equals("dim")) {
                m.addParameter(TypeName.INT, cx.argName.get(n)).addJavadoc("@param $L the runtime dim {@code $L}, at least 1\n", cx.argName.get(n), n);
                call.add(CodeBlock.of("$N", cx.argName.get(n)));
            } else if (kind.equals("input")) {
                Model.Input in = cx.model.input(n);
                m.addParameter(in.isInt() ? ArrayTypeName.of(TypeName.INT) : e.array(), cx.argName.get(n))
                        .addJavadoc("@param $L input {@code $L}, $L$L, row-major\n", cx.argName.get(n), n, in.isInt() ? "int" : "",
                                in.node().shape());
                call.add(CodeBlock.of("$N", cx.argName.get(n)));
            } else if (!delegated) {
                // the output's length, in long arithmetic from the dims; a bad dim gets an empty array, which trainingPass rejects
                String f = "trainingOut$" + n;
                cx.type.addField(e.array(), f, Modifier.PRIVATE);
                Model.Output o = cx.model.outputs().stream().filter(x -> x.name().equals(n)).findFirst().orElseThrow();
                CodeBlock size = SizeCode.of(cx.compiled.train().outputs().get(cx.model.outputs().indexOf(o)).shape().numel(), d -> "long$" + d);
                int k = inner.size() / 2;
                inner.add(CodeBlock.of("long n$$$L = $L", k, size));
                inner.add(CodeBlock.of("if (this.$N == null || this.$N.length != n$$$L) this.$N = new $T[(int) Math.max(0, Math.min(n$$$L, $L))]",
                        f, f, k, f, e.type(), k, MAX_ARRAY));
                call.add(CodeBlock.of("this.$N", f));
            }
        }
        m.addJavadoc("@return the loss\n@throws IllegalArgumentException if a dim is below 1 or an array is null or of the wrong length\n");
        if (delegated) {
            // gradients takes the dims and inputs its roots use: a subset of trainingPass's, named alike
            List<CodeBlock> g = new ArrayList<>();
            for (String a : entries.get("gradients")) g.add(CodeBlock.of("$N", cx.argName.get(a.substring(a.indexOf(':') + 1))));
            cx.type.addMethod(m.addStatement("return gradients($L)", CodeBlock.join(g, ", ")).build());
            return;
        }
        for (String a : args) if (a.startsWith("dim:")) m.addStatement("long long$$$L = $N", a.substring(4), cx.argName.get(a.substring(4)));
        for (CodeBlock c : inner) m.addStatement(c);
        cx.type.addMethod(m.addStatement("return trainingPass($L)", CodeBlock.join(call, ", ")).build());
    }

    /** {@code applyGradient(summed, rows)}: the gradient {@code summed / rows}, then {@code trainStep}'s update. */
    private static MethodSpec.Builder applyGradient(ClassContext cx) {
        Elem e = cx.elem;
        ParameterSpec summed = ParameterSpec.builder(double[].class, "summed").build();
        ParameterSpec rows = ParameterSpec.builder(TypeName.LONG, "rows").build();
        MethodSpec.Builder m = MethodSpec.methodBuilder("applyGradient").addModifiers(Modifier.PUBLIC)
                .addJavadoc("One optimizer step with the gradient {@code summed / rows}: what {@code trainStep} does after its\n"
                        + "backward pass ($L, with the optimizer state, weight decay, learning rate and step count of this\n"
                        + "instance). {@code summed} is in the layout of {@link #copyParametersTo}; for a loss that is a mean over\n"
                        + "rows, it is the sum over batches of rows × mean gradient ({@link #accumulateGradient}), and the step\n"
                        + "equals a {@code trainStep} on all those rows at once when the gradients come from\n"
                        + "{@code trainingGradients} (training mode; with batch norm, each batch has its own statistics). For a loss\n"
                        + "that sums over rows, pass the plain sum of gradients and {@code rows = 1}.\n\n"
                        + "<p>When an element of the gradient is not finite, nothing changes, {@link #lastStepSkipped()}\n"
                        + "returns true and {@link #skippedSteps()} counts it (unless {@link #setCheckFinite} turned the check\n"
                        + "off). The parameter gradients ({@code gradient(name)}) hold the applied gradient afterwards.\n\n"
                        + "@param summed the summed gradient, {@code PARAMETER_COUNT} elements\n"
                        + "@param rows   the number of rows it was summed over, at least 1\n"
                        + "@throws IllegalArgumentException if {@code summed} is null or of the wrong length, or {@code rows} is below 1\n",
                        cx.model.optimizer().kind())
                .addParameter(summed).addParameter(rows);
        checkLength(m, "summed");
        m.beginControlFlow("if (rows < 1)")
                .addStatement("throw new $T($S + rows)", IllegalArgumentException.class, "rows must be at least 1, got ")
                .endControlFlow();
        List<CodeBlock> divide = new ArrayList<>();
        forEachGrad(cx, (g, off) -> divide.add(CodeBlock.of("for (int j = 0; j < this.$N.length; j++) this.$N[j] = $L(summed[$L] / rows)",
                g, g, e.f32() ? "(float) " : "", at(off))));
        cx.addStatements(m, "applyGradient$divide", divide, summed, rows);
        m.beginControlFlow("if (this.checkFinite$$ && !gradientsFinite$$())")
                .addStatement("this.lastStepSkipped$$ = true")
                .addStatement("this.skippedSteps$$++")
                .addStatement("return")
                .endControlFlow()
                .addStatement("this.lastStepSkipped$$ = false");
        return m.addStatement("$N()", ParamCode.OPTIMIZER_STEP);
    }

    /** A method of one flat argument that runs {@code each(field, offset)} for every param field. */
    private static MethodSpec.Builder perParam(ClassContext cx, String name, ParameterSpec arg, String doc,
                                               BiFunction<String, Long, CodeBlock> each, boolean withRows) {
        List<CodeBlock> body = new ArrayList<>();
        long off = 0;
        for (Model.Param p : cx.params()) {
            body.add(each.apply(cx.paramField.get(p.name()), off));
            off += p.node().shape().staticProduct();
        }
        return flatMethod(cx, name, arg, doc, body, withRows);
    }

    /** The same over the gradient fields. */
    private static MethodSpec.Builder perGrad(ClassContext cx, String name, ParameterSpec arg, String doc,
                                              BiFunction<String, Long, CodeBlock> each, boolean withRows) {
        List<CodeBlock> body = new ArrayList<>();
        forEachGrad(cx, (g, off) -> body.add(each.apply(g, off)));
        return flatMethod(cx, name, arg, doc, body, withRows);
    }

    private static void forEachGrad(ClassContext cx, java.util.function.BiConsumer<String, Long> each) {
        long off = 0;
        for (Model.Param p : cx.params()) {
            each.accept(cx.gradField.get(p.name()), off);
            off += p.node().shape().staticProduct();
        }
    }

    private static MethodSpec.Builder flatMethod(ClassContext cx, String name, ParameterSpec arg, String doc, List<CodeBlock> body,
                                                 boolean withRows) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).addParameter(arg);
        m.addJavadoc(doc + "\n@param $N {@code PARAMETER_COUNT} elements\n", arg);
        ParameterSpec rows = ParameterSpec.builder(TypeName.LONG, "rows").build();
        if (withRows) m.addParameter(rows).addJavadoc("@param rows the number of rows of that batch, at least 1\n");
        m.addJavadoc("@throws IllegalArgumentException if {@code $N} is null or of the wrong length$L\n", arg,
                withRows ? ", or {@code rows} is below 1" : "");
        checkLength(m, arg.name());
        if (withRows) {
            m.beginControlFlow("if (rows < 1)")
                    .addStatement("throw new $T($S + rows)", IllegalArgumentException.class, "rows must be at least 1, got ")
                    .endControlFlow();
            cx.addStatements(m, name, body, arg, rows);
        } else {
            cx.addStatements(m, name, body, arg);
        }
        return m;
    }

    /** The index of element {@code j} of a param that starts at {@code off} in the flat vector. */
    private static CodeBlock at(long off) {
        return off == 0 ? CodeBlock.of("j") : CodeBlock.of("$L + j", off);
    }

    private static void checkLength(MethodSpec.Builder m, String arg) {
        m.beginControlFlow("if ($N == null || $N.length != PARAMETER_COUNT)", arg, arg)
                .addStatement("throw new $T($S + PARAMETER_COUNT + $S + ($N == null ? $S : $N.length))", IllegalArgumentException.class,
                        arg + " needs PARAMETER_COUNT = ", " elements (every parameter, flat), got ", arg, "null", arg)
                .endControlFlow();
    }
}
