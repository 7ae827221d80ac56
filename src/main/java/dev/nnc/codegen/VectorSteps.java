package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The vector backend's steps: each call of a method with Vector API code (a kernel, a finiteness
 * check) is a lambda in the instance's {@code steps$}, run by {@code step$(i)} through one
 * interface call site. C2 sees that site as polymorphic and never inlines through it, so each
 * such method is a compilation of its own, never part of the caller's.
 *
 * <p>Why: C2 delays inlining once a compilation has created 18,000 nodes (its node-count cutoff),
 * and a Vector API call inlined late returns a vector of no exact class ({@link VectorExact}), so
 * the calls after it depend on type profiles and trap counts again. A run method that inlined
 * a dozen small vector kernels crossed the cutoff inside one of them (JDK 17, seen in
 * {@code -XX:+LogCompilation} logs); on its own each kernel stays far below it. The cost is one
 * megamorphic interface call, a few ns, per step.
 */
final class VectorSteps {
    private VectorSteps() {}

    /** Registers {@code call} (a statement expression) as a step of the class; returns the statement that runs it. */
    static CodeBlock step(ClassContext cx, CodeBlock call) {
        cx.steps.add(call);
        return CodeBlock.of("step$$($L)", cx.steps.size() - 1);
    }

    /** The statement that initializes the steps, for the constructor (the steps are known only once every entry is emitted). */
    static CodeBlock init() {
        return CodeBlock.of("initSteps$$()");
    }

    /** Adds {@code steps$}, the method that fills it (split like long statement lists) and {@code step$}. */
    static void addTo(TypeSpec.Builder t, ClassContext cx) {
        ClassName runnable = ClassName.get(Runnable.class);
        t.addField(FieldSpec.builder(ArrayTypeName.of(runnable), "steps$", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("The calls of the methods with vector code, run through one call site by {@link #step$$}.\n")
                .initializer("new $T[$L]", runnable, cx.steps.size()).build());
        List<CodeBlock> fill = new ArrayList<>();
        for (int i = 0; i < cx.steps.size(); i++) fill.add(CodeBlock.of("steps$$[$L] = () -> $L", i, cx.steps.get(i)));
        MethodSpec.Builder init = MethodSpec.methodBuilder("initSteps$").addModifiers(Modifier.PRIVATE);
        cx.addStatements(init, "initSteps", fill);
        t.addMethod(init.build());
        t.addMethod(MethodSpec.methodBuilder("step$").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Runs step {@code i}: one interface call site for every step, so C2 compiles each step's method on its\n"
                        + "own and never inlines it into the caller.\n")
                .addParameter(TypeName.INT, "i")
                .addStatement("steps$$[i].run()").build());
    }
}
