package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.lang.model.element.Modifier;

/**
 * The public entry methods of a generated class: {@code infer}, {@code loss}, {@code gradients},
 * {@code trainStep} and {@code trainingPass}, each the plan of its roots ({@link EntryEmitter})
 * wrapped in argument checks.
 */
final class EntryMethods {
    private final ClassContext cx;
    private final Elem e;
    private final TypeSpec.Builder t;
    private final Model m;
    /** Each entry method's arguments in order, as {@code dim:NAME}, {@code input:NAME} or {@code output:NAME}. */
    final java.util.Map<String, List<String>> entries = new java.util.LinkedHashMap<>();

    EntryMethods(ClassContext cx) {
        this.cx = cx;
        this.e = cx.elem;
        this.t = cx.type;
        this.m = cx.model;
    }

    private MethodSpec.Builder entry(String name, EntryEmitter ee, TypeName returns) {
        MethodSpec.Builder mb = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(returns);
        ee.addArgs(mb);
        List<String> args = new ArrayList<>();
        for (String d : ee.dims) args.add("dim:" + d);
        for (Model.Input in : ee.inputs) args.add("input:" + in.name());
        if (name.equals("infer") || name.equals("trainingPass")) for (Model.Output o : m.outputs()) args.add("output:" + o.name());
        entries.put(name, List.copyOf(args));
        return mb;
    }

    /** The planner of {@code spec}'s roots, with each target's array. */
    private EntryEmitter emitter(EntrySpecs.Spec spec) {
        List<EntryEmitter.Target> targets = new ArrayList<>();
        for (EntrySpecs.Target t : spec.targets()) {
            CodeBlock field = switch (t.role()) {
                case OUTPUT -> CodeBlock.of("$N", "out$" + m.outputs().get(t.index()).name());
                case PARAM_GRAD -> CodeBlock.of("$N", cx.gradField.get(m.params().get(t.index()).name()));
                case INPUT_GRAD -> CodeBlock.of("$N", cx.inputGradField.get(m.inputs().get(t.index()).name()));
            };
            targets.add(new EntryEmitter.Target(t.root(), field, t.root().shape().numel()));
        }
        return new EntryEmitter(cx, spec.name(), spec.roots(), targets);
    }

    /** The output array parameters (after the inputs), their docs, and their checks (into {@code checks}). */
    private void outputArgs(MethodSpec.Builder mb, EntryEmitter ee, List<Node> outs, CodeBlock.Builder checks) {
        for (int i = 0; i < outs.size(); i++) {
            Model.Output o = m.outputs().get(i);
            String arg = cx.argName.get("out:" + o.name());
            mb.addParameter(e.array(), arg);
            mb.addJavadoc("@param $L receives output {@code $L} $L\n", arg, o.name(), outs.get(i).shape());
            checks.add(ee.checkArray(arg, "output " + o.name(), outs.get(i).shape()));
            checks.addStatement("this.$N = $N", "out$" + o.name(), arg);
        }
    }

    /** Sizes the input-gradient fields that {@code spec} writes to this call's dims. */
    private void sizeInputGradients(MethodSpec.Builder mb, EntrySpecs.Spec spec) {
        for (EntrySpecs.Target t : spec.targets()) {
            if (t.role() != EntrySpecs.Role.INPUT_GRAD) continue;
            Model.Input in = m.inputs().get(t.index());
            String f = cx.inputGradField.get(in.name());
            Size n = in.node().shape().numel();
            mb.addStatement("$N = $N.length == $L ? $N : new $T[$L]", f, f, cx.size(n), f, e.type(), cx.size(n));
        }
    }

    /** Statements copying {@code spec}'s buffer updates into the buffers. */
    private CodeBlock writeBuffers(EntrySpecs.Spec spec, EntryEmitter ee) {
        CodeBlock.Builder b = CodeBlock.builder();
        for (int i = 0; i < spec.updates().size(); i++) {
            Node u = spec.updates().get(i);
            if (u == null) continue;
            String f = cx.bufferField.get(m.buffers().get(i).name());
            b.addStatement("System.arraycopy($L, 0, this.$N, 0, this.$N.length)", ee.storage(u), f, f);
        }
        return b.build();
    }

    private static boolean updates(EntrySpecs.Spec spec) {
        for (Node u : spec.updates()) if (u != null) return true;
        return false;
    }

    void infer() {
        EntrySpecs.Spec spec = EntrySpecs.named(cx.compiled, "infer");
        EntryEmitter ee = emitter(spec);
        MethodSpec.Builder mb = entry("infer", ee, TypeName.VOID);
        mb.addJavadoc("Computes every output with dropout off, into the given arrays.\n\n");
        ee.addArgDocs(mb);
        CodeBlock.Builder checks = CodeBlock.builder();
        outputArgs(mb, ee, spec.roots(), checks);
        mb.addJavadoc("@throws IllegalArgumentException if a dim is below 1 or an array is null or of the wrong length\n");
        mb.addCode(ee.checkAndStore());
        mb.addCode(checks.build());
        String run = ee.emitRun();
        cx.addStatements(mb, "infer$buffers", ee.ensureBuffers());
        mb.beginControlFlow("try").addStatement("$N()", run).nextControlFlow("finally").addCode(ee.release());
        for (Model.Output o : m.outputs()) mb.addStatement("this.$N = null", "out$" + o.name());
        mb.endControlFlow();
        t.addMethod(mb.build());
    }

    void lossMethod() {
        EntrySpecs.Spec spec = EntrySpecs.named(cx.compiled, "loss");
        EntryEmitter ee = emitter(spec);
        MethodSpec.Builder mb = entry("loss", ee, e.type());
        mb.addJavadoc("The loss for a batch, with dropout off.\n\n");
        ee.addArgDocs(mb);
        mb.addJavadoc("@return the loss\n@throws IllegalArgumentException if a dim is below 1 or an array is null or of the wrong length\n");
        mb.addCode(ee.checkAndStore());
        String run = ee.emitRun();
        cx.addStatements(mb, "loss$buffers", ee.ensureBuffers());
        mb.beginControlFlow("try").addStatement("$N()", run).addStatement("return $L[0]", ee.storage(spec.loss()))
                .nextControlFlow("finally").addCode(ee.release()).endControlFlow();
        t.addMethod(mb.build());
    }

    void gradientsMethod() {
        EntrySpecs.Spec spec = EntrySpecs.named(cx.compiled, "gradients");
        EntryEmitter ee = emitter(spec);
        MethodSpec.Builder mb = entry("gradients", ee, e.type());
        mb.addJavadoc("The loss for a batch with dropout off, and its gradient with respect to every parameter\n"
                + "(read with {@link #gradient})$L.\n\n", cx.inputGradField.isEmpty() ? "" : " and every real-valued input ({@link #inputGradient})");
        ee.addArgDocs(mb);
        mb.addJavadoc("@return the loss\n@throws IllegalArgumentException if a dim is below 1 or an array is null or of the wrong length\n");
        mb.addCode(ee.checkAndStore());
        sizeInputGradients(mb, spec);
        String run = ee.emitRun();
        cx.addStatements(mb, "gradients$buffers", ee.ensureBuffers());
        mb.beginControlFlow("try").addStatement("$N()", run).addStatement("return $L[0]", ee.storage(spec.loss()))
                .nextControlFlow("finally").addCode(ee.release()).endControlFlow();
        t.addMethod(mb.build());
    }

    /**
     * One training-mode pass without an optimizer update: what {@code nnc eval --train} runs on
     * generated code.
     */
    void trainingPass() {
        EntrySpecs.Spec spec = EntrySpecs.named(cx.compiled, "trainingPass");
        boolean hasLoss = spec.loss() != null;
        EntryEmitter ee = emitter(spec);
        MethodSpec.Builder mb = entry("trainingPass", ee, hasLoss ? e.type() : TypeName.VOID);
        if (spec.delegated()) {
            // no dropout, no batch statistics: training mode computes what infer and gradients do
            delegatingTrainingPass(mb, ee, spec, hasLoss);
            return;
        }
        mb.addJavadoc("One pass in training mode (dropout on with the masks of the current step, batch statistics),\n"
                + "without an optimizer update: every output into the given arrays$L, and the buffers' updates.\n"
                + "Parameters, optimizer state and the step count do not change.\n\n",
                hasLoss ? ", the loss and its gradients " + readGradients() : "");
        ee.addArgDocs(mb);
        CodeBlock.Builder checks = CodeBlock.builder();
        List<Node> outs = new ArrayList<>();
        for (EntrySpecs.Target t : spec.targets()) if (t.role() == EntrySpecs.Role.OUTPUT) outs.add(t.root());
        outputArgs(mb, ee, outs, checks);
        mb.addJavadoc("$L@throws IllegalArgumentException if a dim is below 1 or an array is null or of the wrong length\n",
                hasLoss ? "@return the loss\n" : "");
        mb.addCode(ee.checkAndStore());
        mb.addCode(checks.build());
        sizeInputGradients(mb, spec);
        String run = ee.emitRun();
        cx.addStatements(mb, "trainingPass$buffers", ee.ensureBuffers());
        mb.beginControlFlow("try").addStatement("$N()", run).addCode(writeBuffers(spec, ee));
        if (hasLoss) mb.addStatement("return $L[0]", ee.storage(spec.loss()));
        mb.nextControlFlow("finally").addCode(ee.release());
        for (Model.Output o : m.outputs()) mb.addStatement("this.$N = null", "out$" + o.name());
        mb.endControlFlow();
        t.addMethod(mb.build());
    }

    /**
     * {@code gradientsFinite$()}: whether every parameter gradient is finite (an OR over the
     * exponent bits); plus the switch and the report of skipped steps.
     */
    private void finiteCheck() {
        t.addField(FieldSpec.builder(TypeName.BOOLEAN, "checkFinite$", Modifier.PRIVATE).initializer("true").build());
        t.addField(TypeName.BOOLEAN, "lastStepSkipped$", Modifier.PRIVATE);
        t.addMethod(MethodSpec.methodBuilder("lastStepSkipped").addModifiers(Modifier.PUBLIC).returns(TypeName.BOOLEAN)
                .addJavadoc("Whether the last {@code trainStep} changed nothing because the loss or a gradient was not finite.\n")
                .addStatement("return this.lastStepSkipped$$").build());
        t.addMethod(MethodSpec.methodBuilder("setCheckFinite").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Turns the finiteness check of {@code trainStep} on (the default) or off. Off saves one pass over\n"
                        + "the gradients per step, and a non-finite value then reaches the parameters.\n")
                .addParameter(TypeName.BOOLEAN, "on").addStatement("this.checkFinite$$ = on").build());
        MethodSpec.Builder finite = MethodSpec.methodBuilder("finite").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(TypeName.BOOLEAN).addParameter(e.array(), "a")
                .addJavadoc("Whether every element of {@code a} is finite (no NaN, no infinity).\n");
        if (cx.vector) {
            // four vector accumulators of a * 0: NaN in some lane iff an element is NaN or infinite
            ClassName V = VectorKernels.vectorType(e);
            ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
            finite.addStatement("final int L = SPECIES.length()")
                    .addStatement("$T z = $T.zero(SPECIES), s0 = z, s1 = z, s2 = z, s3 = z", V, V)
                    .addStatement("int j = 0")
                    .beginControlFlow("for (; j + 4 * L <= a.length; j += 4 * L)")
                    .addStatement("s0 = s0.add($T.fromArray(SPECIES, a, j).mul(z))", V)
                    .addStatement("s1 = s1.add($T.fromArray(SPECIES, a, j + L).mul(z))", V)
                    .addStatement("s2 = s2.add($T.fromArray(SPECIES, a, j + 2 * L).mul(z))", V)
                    .addStatement("s3 = s3.add($T.fromArray(SPECIES, a, j + 3 * L).mul(z))", V)
                    .endControlFlow()
                    .addStatement("$T t = s0.add(s1).add(s2).add(s3).reduceLanes($T.ADD)", e.type(), ops)
                    .addStatement("for (; j < a.length; j++) t += a[j] * 0")
                    .addStatement("return t == 0");
        } else {
            // eight independent sums of a * 0 (C2 vectorizes no float reduction, and no bit
            // reinterpretation either): NaN in some sum iff an element is NaN or infinite
            finite.addStatement("$T s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0", e.type())
                    .addStatement("int j = 0")
                    .beginControlFlow("for (; j + 7 < a.length; j += 8)")
                    .addStatement("s0 += a[j] * 0")
                    .addStatement("s1 += a[j + 1] * 0")
                    .addStatement("s2 += a[j + 2] * 0")
                    .addStatement("s3 += a[j + 3] * 0")
                    .addStatement("s4 += a[j + 4] * 0")
                    .addStatement("s5 += a[j + 5] * 0")
                    .addStatement("s6 += a[j + 6] * 0")
                    .addStatement("s7 += a[j + 7] * 0")
                    .endControlFlow()
                    .addStatement("for (; j < a.length; j++) s0 += a[j] * 0")
                    .addStatement("return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 == 0");
        }
        t.addMethod(finite.build());
        List<Model.Param> ps = m.params();
        int per = ClassContext.STATEMENTS_PER_METHOD;
        MethodSpec.Builder all = MethodSpec.methodBuilder("gradientsFinite$").addModifiers(Modifier.PRIVATE).returns(TypeName.BOOLEAN);
        if (ps.size() <= per) {
            List<CodeBlock> terms = new ArrayList<>();
            for (Model.Param p : ps) terms.add(CodeBlock.of("finite(this.$N)", cx.gradField.get(p.name())));
            all.addStatement("return $L", terms.isEmpty() ? CodeBlock.of("true") : CodeBlock.join(terms, " && "));
        } else {
            for (int i = 0, part = 0; i < ps.size(); i += per, part++) {
                MethodSpec.Builder chunk = MethodSpec.methodBuilder("gradientsFinite$" + part).addModifiers(Modifier.PRIVATE)
                        .returns(TypeName.BOOLEAN);
                for (Model.Param p : ps.subList(i, Math.min(ps.size(), i + per))) {
                    chunk.addStatement("if (!finite(this.$N)) return false", cx.gradField.get(p.name()));
                }
                t.addMethod(chunk.addStatement("return true").build());
                all.addStatement("if (!gradientsFinite$$$L()) return false", part);
            }
            all.addStatement("return true");
        }
        t.addMethod(all.build());
    }

    /** Where the gradients are read: {@code inputGradient} exists only for a model with real-valued inputs. */
    private String readGradients() {
        return cx.inputGradField.isEmpty() ? "(read with {@link #gradient})" : "(read with {@link #gradient} and {@link #inputGradient})";
    }

    /** {@code trainingPass} as calls of {@code infer} and {@code gradients}, for a model whose modes do not differ. */
    private void delegatingTrainingPass(MethodSpec.Builder mb, EntryEmitter ee, EntrySpecs.Spec spec, boolean hasLoss) {
        mb.addJavadoc("One pass in training mode, which for this model (no dropout, no batch statistics) computes what\n"
                + "{@code infer}$L do: every output into the given arrays$L.\n\n",
                hasLoss ? " and {@code gradients}" : "",
                hasLoss ? ", the loss and its gradients " + readGradients() : "");
        ee.addArgDocs(mb);
        List<Node> outs = new ArrayList<>();
        for (EntrySpecs.Target t : spec.targets()) if (t.role() == EntrySpecs.Role.OUTPUT) outs.add(t.root());
        outputArgs(mb, ee, outs, CodeBlock.builder());
        mb.addJavadoc("$L@throws IllegalArgumentException if a dim is below 1 or an array is null or of the wrong length\n",
                hasLoss ? "@return the loss\n" : "");
        if (!outs.isEmpty()) mb.addStatement("infer($L)", delegateArgs("infer"));
        if (hasLoss) mb.addStatement("return gradients($L)", delegateArgs("gradients"));
        t.addMethod(mb.build());
    }

    /** The arguments of this method that entry {@code name} takes, in its order. */
    private CodeBlock delegateArgs(String name) {
        List<CodeBlock> args = new ArrayList<>();
        for (String a : entries.get(name)) {
            String kind = a.substring(0, a.indexOf(':')), n = a.substring(a.indexOf(':') + 1);
            args.add(CodeBlock.of("$N", cx.argName.get(kind.equals("output") ? "out:" + n : n)));
        }
        return CodeBlock.join(args, ", ");
    }

    void trainStep() {
        EntrySpecs.Spec spec = EntrySpecs.named(cx.compiled, "trainStep");
        EntryEmitter ee = emitter(spec);
        MethodSpec.Builder mb = entry("trainStep", ee, e.type());
        Model.Optimizer o = m.optimizer();
        boolean hasUpdates = updates(spec);
        mb.addJavadoc("One training step: forward in training mode (dropout on), backward, and one $L update of every\n"
                + "parameter$L.\n\n"
                + "<p>When the loss or any gradient is not finite (NaN or infinite), nothing changes: no parameter,\n"
                + "optimizer state$L or step count moves, and {@link #lastStepSkipped()} returns true until the next\n"
                + "step. {@link #setCheckFinite} turns the check off.\n\n", o.kind(), hasUpdates ? " and of the buffers" : "",
                hasUpdates ? ", buffer" : "");
        ee.addArgDocs(mb);
        mb.addJavadoc("@return the loss before the update\n@throws IllegalArgumentException if a dim is below 1 or an array is null or of the wrong length\n");
        mb.addCode(ee.checkAndStore());
        String run = ee.emitRun();
        cx.addStatements(mb, "trainStep$buffers", ee.ensureBuffers());
        // locals and fields are named so that no argument (an input or dim, any .nn name) can hide them
        mb.addStatement("$T loss$$", e.type());
        CodeBlock finite = CodeBlock.of("this.checkFinite$$ && !($T.isFinite(loss$$) && gradientsFinite$$())", e.f32() ? Float.class : Double.class);
        if (hasUpdates) {
            // the buffers' new values live in work buffers until the step is known to go ahead
            mb.addStatement("boolean skip$$");
            mb.beginControlFlow("try").addStatement("$N()", run).addStatement("loss$$ = $L[0]", ee.storage(spec.loss()))
                    .addStatement("skip$$ = $L", finite)
                    .beginControlFlow("if (!skip$$)").addCode(writeBuffers(spec, ee)).endControlFlow()
                    .nextControlFlow("finally").addCode(ee.release()).endControlFlow();
            finite = CodeBlock.of("skip$$");
        } else {
            mb.beginControlFlow("try").addStatement("$N()", run).addStatement("loss$$ = $L[0]", ee.storage(spec.loss()))
                    .nextControlFlow("finally").addCode(ee.release()).endControlFlow();
        }
        t.addMethod(ParamCode.update(o, e));
        finiteCheck();
        mb.beginControlFlow("if ($L)", finite)
                .addStatement("this.lastStepSkipped$$ = true")
                .addStatement("return loss$$")
                .endControlFlow()
                .addStatement("this.lastStepSkipped$$ = false");
        List<CodeBlock> updates = new ArrayList<>();
        if (o.clipNorm() != null) {
            for (MethodSpec c : ParamCode.clipMethods(cx)) t.addMethod(c);
            updates.add(CodeBlock.of("$N()", ParamCode.CLIP));
        }
        for (Model.Param p : m.params()) {
            String pf = cx.paramField.get(p.name()), gf = cx.gradField.get(p.name());
            if (o.kind().equals("sgd")) {
                if (o.arg("momentum") != 0) updates.add(CodeBlock.of("update(this.$N, $N, $N, this.step == 0)", pf, gf, "momentum$" + p.name()));
                else updates.add(CodeBlock.of("update(this.$N, $N)", pf, gf));
            } else {
                updates.add(CodeBlock.of("update(this.$N, $N, $N, $N, this.step + 1)", pf, gf, "m$" + p.name(), "v$" + p.name()));
            }
        }
        cx.addStatements(mb, "trainStep$update", updates);
        mb.addStatement("this.step++").addStatement("return loss$$");
        t.addMethod(mb.build());
    }

}
