package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import java.util.ArrayList;
import java.util.List;
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

    /** The output array parameters (after the inputs) and their docs; {@link CallForms#checkAndStoreOutputs} checks them. */
    private void outputArgs(MethodSpec.Builder mb, List<Node> outs) {
        for (int i = 0; i < outs.size(); i++) {
            Model.Output o = m.outputs().get(i);
            String arg = cx.argName.get("out:" + o.name());
            mb.addParameter(e.array(), arg);
            mb.addJavadoc("@param $L receives output {@code $L} $L, or null if it is not wanted\n", arg, o.name(), outs.get(i).shape());
        }
    }

    /** The {@code @throws} line of an entry with outputs. */
    private static final String THROWS_WITH_OUTPUTS =
            "@throws IllegalArgumentException if a dim is below 1, an input is null, an array has the wrong length,\n"
            + "        or an output is the same array as an input or another output\n";

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
        outputArgs(mb, spec.roots());
        mb.addJavadoc(THROWS_WITH_OUTPUTS);
        mb.addCode(ee.checkAndStore());
        mb.addCode(CallForms.checkAndStoreOutputs(cx, ee, spec.roots()));
        String run = ee.emitRun();
        cx.addStatements(mb, "infer$buffers", ee.ensureBuffers());
        mb.beginControlFlow("try").addStatement("$N()", run).addCode(CallForms.copyOutputs(cx, spec.roots()))
                .nextControlFlow("finally").addCode(ee.release());
        for (Model.Output o : m.outputs()) mb.addStatement("this.$N = null", "out$" + o.name());
        mb.endControlFlow();
        CallForms.add(cx, mb.build());
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
        CallForms.add(cx, mb.build());
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
        CallForms.add(cx, mb.build());
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
        List<Node> outs = outputs(spec);
        outputArgs(mb, outs);
        mb.addJavadoc("$L$L", hasLoss ? "@return the loss\n" : "", outs.isEmpty() ? THROWS : THROWS_WITH_OUTPUTS);
        mb.addCode(ee.checkAndStore());
        mb.addCode(CallForms.checkAndStoreOutputs(cx, ee, outs));
        sizeInputGradients(mb, spec);
        String run = ee.emitRun();
        cx.addStatements(mb, "trainingPass$buffers", ee.ensureBuffers());
        mb.beginControlFlow("try").addStatement("$N()", run).addCode(CallForms.copyOutputs(cx, outs)).addCode(writeBuffers(spec, ee));
        if (hasLoss) mb.addStatement("return $L[0]", ee.storage(spec.loss()));
        mb.nextControlFlow("finally").addCode(ee.release());
        for (Model.Output o : m.outputs()) mb.addStatement("this.$N = null", "out$" + o.name());
        mb.endControlFlow();
        CallForms.add(cx, mb.build());
    }

    /** The {@code @throws} line of an entry without outputs. */
    private static final String THROWS = "@throws IllegalArgumentException if a dim is below 1 or an array is null or of the wrong length\n";

    /** The output roots of {@code spec}, in output order. */
    private static List<Node> outputs(EntrySpecs.Spec spec) {
        List<Node> outs = new ArrayList<>();
        for (EntrySpecs.Target t : spec.targets()) if (t.role() == EntrySpecs.Role.OUTPUT) outs.add(t.root());
        return outs;
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
        List<Node> outs = outputs(spec);
        outputArgs(mb, outs);
        mb.addJavadoc("$L$L", hasLoss ? "@return the loss\n" : "", outs.isEmpty() ? THROWS : THROWS_WITH_OUTPUTS);
        if (!outs.isEmpty() && hasLoss) {
            // infer refuses outputs that alias its own inputs; the loss's other inputs are read after infer writes
            List<Model.Input> lossOnly = new ArrayList<>();
            for (Model.Input in : ee.inputs) if (!entries.get("infer").contains("input:" + in.name())) lossOnly.add(in);
            mb.addCode(CallForms.refuseAliases(cx, lossOnly, false));
        }
        if (!outs.isEmpty()) mb.addStatement(delegateCall("infer"));
        if (hasLoss) mb.addStatement("return $L", delegateCall("gradients"));
        CallForms.add(cx, mb.build());
    }

    /**
     * The call of entry {@code name}'s implementation ({@link CallForms}) with the arguments of
     * this method that it takes, in its order: {@code exact$}, and each array with its offset;
     * or of {@code name()} itself when it takes no argument.
     */
    private CodeBlock delegateCall(String name) {
        List<String> taken = entries.get(name);
        if (taken.isEmpty()) return CodeBlock.of("$N()", name);
        List<CodeBlock> args = new ArrayList<>(List.of(CodeBlock.of("exact$$")));
        for (String a : taken) {
            String kind = a.substring(0, a.indexOf(':')), n = a.substring(a.indexOf(':') + 1);
            String arg = cx.argName.get(kind.equals("output") ? "out:" + n : n);
            args.add(CodeBlock.of("$N", arg));
            if (!kind.equals("dim")) args.add(CodeBlock.of("$N", CallForms.offset(arg)));
        }
        return CodeBlock.of("$N($L)", name + "$", CodeBlock.join(args, ", "));
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
                + "optimizer state$L or step count moves, {@link #lastStepSkipped()} returns true until the next\n"
                + "step, and {@link #skippedSteps()} counts it. {@link #setCheckFinite} turns the check off.\n\n", o.kind(), hasUpdates ? " and of the buffers" : "",
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
        StepGuard.addTo(cx);
        mb.beginControlFlow("if ($L)", finite)
                .addStatement("this.lastStepSkipped$$ = true")
                .addStatement("this.skippedSteps$$++")
                .addStatement("return loss$$")
                .endControlFlow()
                .addStatement("this.lastStepSkipped$$ = false");
        if (o.clipNorm() != null) for (MethodSpec c : ParamCode.clipMethods(cx)) t.addMethod(c);
        MethodSpec.Builder step = MethodSpec.methodBuilder(ParamCode.OPTIMIZER_STEP).addModifiers(Modifier.PRIVATE)
                .addJavadoc("One $L update of every parameter from the gradients in the {@code grad$$} fields, and the step count.\n", o.kind());
        cx.addStatements(step, "optimizerStep$update", ParamCode.updateCalls(cx));
        t.addMethod(step.addStatement("this.step++").build());
        mb.addStatement("$N()", ParamCode.OPTIMIZER_STEP).addStatement("return loss$$");
        CallForms.add(cx, mb.build());
    }

}
