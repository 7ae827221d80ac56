package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ir.Model;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * What {@code trainStep} does about non-finite values: {@code gradientsFinite$()} (whether the
 * gradient of every parameter is finite), the switch ({@code setCheckFinite}), and the report of
 * skipped steps ({@code lastStepSkipped}, and the {@code skippedSteps} counter).
 */
final class StepGuard {
    private StepGuard() {}

    static void addTo(ClassContext cx) {
        Elem e = cx.elem;
        TypeSpec.Builder t = cx.type;
        Model m = cx.model;
        t.addField(FieldSpec.builder(TypeName.BOOLEAN, "checkFinite$", Modifier.PRIVATE).initializer("true").build());
        t.addField(TypeName.BOOLEAN, "lastStepSkipped$", Modifier.PRIVATE);
        t.addField(TypeName.LONG, "skippedSteps$", Modifier.PRIVATE);
        t.addMethod(MethodSpec.methodBuilder("lastStepSkipped").addModifiers(Modifier.PUBLIC).returns(TypeName.BOOLEAN)
                .addJavadoc("Whether the last {@code trainStep} (or {@code applyGradient}) changed nothing because the loss or a gradient was\n"
                        + "not finite.\n")
                .addStatement("return this.lastStepSkipped$$").build());
        t.addMethod(MethodSpec.methodBuilder("skippedSteps").addModifiers(Modifier.PUBLIC).returns(TypeName.LONG)
                .addJavadoc("How many {@code trainStep} (or {@code applyGradient}) calls since the last reset changed nothing\n"
                        + "because the loss or a gradient was not finite (they do not count in {@link #steps()}).\n")
                .addStatement("return this.skippedSteps$$").build());
        t.addMethod(MethodSpec.methodBuilder("setCheckFinite").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Turns the finiteness check of {@code trainStep} on (the default) or off. Off saves one pass over\n"
                        + "the gradients per step, and a non-finite value then reaches the parameters.\n")
                .addParameter(TypeName.BOOLEAN, "on").addStatement("this.checkFinite$$ = on").build());
        MethodSpec.Builder finite = MethodSpec.methodBuilder("finite").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(TypeName.BOOLEAN).addParameter(e.array(), "a")
                .addJavadoc("Whether every element of {@code a} is finite (no NaN, no infinity).\n");
        if (cx.vector) {
            // four vector accumulators of a * 0: NaN in some lane iff an element is NaN or infinite
            // (0 · a receives the calls, the sums are arguments: VectorExact)
            ClassName V = VectorKernels.vectorType(e);
            ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
            CodeBlock zero = VectorExact.zero(e);
            finite.addStatement("final int L = SPECIES.length()")
                    .addStatement("$T s0 = $L, s1 = s0, s2 = s0, s3 = s0", V, zero)
                    .addStatement("int j = 0")
                    .beginControlFlow("for (; j + 4 * L <= a.length; j += 4 * L)")
                    .addStatement("s0 = $L.mul($T.fromArray(SPECIES, a, j)).add(s0)", zero, V)
                    .addStatement("s1 = $L.mul($T.fromArray(SPECIES, a, j + L)).add(s1)", zero, V)
                    .addStatement("s2 = $L.mul($T.fromArray(SPECIES, a, j + 2 * L)).add(s2)", zero, V)
                    .addStatement("s3 = $L.mul($T.fromArray(SPECIES, a, j + 3 * L)).add(s3)", zero, V)
                    .endControlFlow()
                    .addStatement("$T t = $L.add(s1).add(s2).add(s3).reduceLanes($T.ADD)", e.type(),
                            VectorExact.exact(e, CodeBlock.of("s0")), ops)
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
        cx.kernelType.addMethod(finite.build());
        List<Model.Param> ps = m.params();
        if (cx.vector) {
            // each check a step of its own (VectorSteps): finite inlined four times into one method passed C2's node count
            t.addField(TypeName.BOOLEAN, "finite$", Modifier.PRIVATE);
            MethodSpec.Builder all = MethodSpec.methodBuilder("gradientsFinite$").addModifiers(Modifier.PRIVATE).returns(TypeName.BOOLEAN)
                    .addStatement("finite$$ = true");
            List<CodeBlock> checks = new ArrayList<>();
            for (Model.Param p : ps) {
                checks.add(VectorSteps.step(cx, CodeBlock.of("finite$$ &= $Lfinite(this.$N)", cx.kernelPrefix, cx.gradField.get(p.name()))));
            }
            cx.addStatements(all, "gradientsFinite", checks);
            t.addMethod(all.addStatement("return finite$$").build());
            return;
        }
        int per = ClassContext.STATEMENTS_PER_METHOD;
        MethodSpec.Builder all = MethodSpec.methodBuilder("gradientsFinite$").addModifiers(Modifier.PRIVATE).returns(TypeName.BOOLEAN);
        if (ps.size() <= per) {
            List<CodeBlock> terms = new ArrayList<>();
            for (Model.Param p : ps) terms.add(CodeBlock.of("$Lfinite(this.$N)", cx.kernelPrefix, cx.gradField.get(p.name())));
            all.addStatement("return $L", terms.isEmpty() ? CodeBlock.of("true") : CodeBlock.join(terms, " && "));
        } else {
            for (int i = 0, part = 0; i < ps.size(); i += per, part++) {
                MethodSpec.Builder chunk = MethodSpec.methodBuilder("gradientsFinite$" + part).addModifiers(Modifier.PRIVATE)
                        .returns(TypeName.BOOLEAN);
                for (Model.Param p : ps.subList(i, Math.min(ps.size(), i + per))) {
                    chunk.addStatement("if (!$Lfinite(this.$N)) return false", cx.kernelPrefix, cx.gradField.get(p.name()));
                }
                t.addMethod(chunk.addStatement("return true").build());
                all.addStatement("if (!gradientsFinite$$$L()) return false", part);
            }
            all.addStatement("return true");
        }
        t.addMethod(all.build());
    }
}
