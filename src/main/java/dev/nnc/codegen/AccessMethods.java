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

/** The public methods that read and write a generated class's parameters and buffers by .nn name. */
final class AccessMethods {
    private final ClassContext cx;
    private final Elem e;
    private final TypeSpec.Builder t;
    private final Model m;

    AccessMethods(ClassContext cx) {
        this.cx = cx;
        this.e = cx.elem;
        this.t = cx.type;
        this.m = cx.model;
    }

    /**
     * The body of a lookup by .nn param name: a switch returning {@code value} of the param, or
     * throwing for an unknown name. With many params the switch would be too big for C2, so the
     * cases are split among helper methods {@code method$0, method$1, …} that return null for
     * names they do not know.
     */
    private void paramSwitch(MethodSpec.Builder b, String method, TypeName returns, Function<Model.Param, CodeBlock> value) {
        CodeBlock unknown = CodeBlock.of("throw new $T($S + name + $S + PARAMETER_NAMES)", IllegalArgumentException.class,
                "no parameter named '", "'; the parameters are ");
        List<Model.Param> ps = m.params();
        int per = ClassContext.STATEMENTS_PER_METHOD;
        if (ps.size() <= per) {
            b.beginControlFlow("switch (name)");
            for (Model.Param p : ps) b.addStatement("case $S: return $L", p.name(), value.apply(p));
            b.addStatement("default: $L", unknown).endControlFlow();
            return;
        }
        b.addStatement("$T r = null", returns);
        for (int i = 0, part = 0; i < ps.size(); i += per, part++) {
            MethodSpec.Builder h = MethodSpec.methodBuilder(method + "$" + part).addModifiers(Modifier.PRIVATE)
                    .returns(returns).addParameter(String.class, "name").beginControlFlow("switch (name)");
            for (Model.Param p : ps.subList(i, Math.min(ps.size(), i + per))) h.addStatement("case $S: return $L", p.name(), value.apply(p));
            t.addMethod(h.addStatement("default: return null").endControlFlow().build());
            if (part == 0) b.addStatement("r = $N(name)", method + "$" + part);
            else b.beginControlFlow("if (r == null)").addStatement("r = $N(name)", method + "$" + part).endControlFlow();
        }
        b.beginControlFlow("if (r == null)").addStatement(unknown).endControlFlow().addStatement("return r");
    }

    /** {@code buffer(name)} and {@code setBuffer(name, values)}, when the model has buffers. */
    void bufferAccess() {
        if (m.buffers().isEmpty()) return;
        MethodSpec.Builder get = MethodSpec.methodBuilder("buffer").addModifiers(Modifier.PUBLIC).returns(e.array())
                .addJavadoc("The live array of buffer {@code name} (row-major); writes to it change the model.\n\n"
                        + "@throws IllegalArgumentException if the model has no such buffer\n")
                .addParameter(String.class, "name")
                .beginControlFlow("switch (name)");
        for (Model.Buffer b : m.buffers()) get.addStatement("case $S: return this.$N", b.name(), cx.bufferField.get(b.name()));
        get.addStatement("default: throw new $T($S + name + $S + BUFFER_NAMES)", IllegalArgumentException.class,
                "no buffer named '", "'; the buffers are ").endControlFlow();
        t.addMethod(get.build());
        t.addMethod(MethodSpec.methodBuilder("setBuffer").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Copies {@code values} into buffer {@code name}.\n\n"
                        + "@throws IllegalArgumentException if there is no such buffer or the length is wrong\n")
                .addParameter(String.class, "name").addParameter(e.array(), "values")
                .addStatement("$T[] b = buffer(name)", e.type())
                .beginControlFlow("if (values == null || values.length != b.length)")
                .addStatement("throw new $T($S + name + $S + b.length + $S + (values == null ? $S : values.length))",
                        IllegalArgumentException.class, "buffer ", " needs ", " values, got ", "null")
                .endControlFlow()
                .addStatement("System.arraycopy(values, 0, b, 0, b.length)").build());
    }

    void parameterAccess() {
        MethodSpec.Builder get = MethodSpec.methodBuilder("parameter").addModifiers(Modifier.PUBLIC).returns(e.array())
                .addJavadoc("The live array of parameter {@code name} (row-major); writes to it change the model.\n\n"
                        + "@throws IllegalArgumentException if the model has no such parameter\n")
                .addParameter(String.class, "name");
        MethodSpec.Builder shape = MethodSpec.methodBuilder("parameterShape").addModifiers(Modifier.PUBLIC)
                .returns(ArrayTypeName.of(TypeName.INT))
                .addJavadoc("The shape of parameter {@code name}.\n\n@throws IllegalArgumentException if the model has no such parameter\n")
                .addParameter(String.class, "name");
        MethodSpec.Builder grad = MethodSpec.methodBuilder("gradient").addModifiers(Modifier.PUBLIC).returns(e.array())
                .addJavadoc("The gradient of the loss with respect to parameter {@code name}, as computed by the last\n"
                        + "{@code gradients} or {@code trainStep} call (a live array, overwritten by the next call).\n\n"
                        + "@throws IllegalArgumentException if the model has no such parameter\n")
                .addParameter(String.class, "name");
        paramSwitch(get, "parameter", e.array(), p -> CodeBlock.of("this.$N", cx.paramField.get(p.name())));
        paramSwitch(shape, "parameterShape", ArrayTypeName.of(TypeName.INT), p -> CodeBlock.of("new int[] {$L}",
                CodeBlock.join(p.node().shape().dims().stream().map(d -> CodeBlock.of("$L", d.size())).toList(), ", ")));
        t.addMethod(get.build());
        t.addMethod(shape.build());
        if (cx.compiled.eval().loss() != null) {
            paramSwitch(grad, "gradient", e.array(), p -> CodeBlock.of("$N", cx.gradField.get(p.name())));
            t.addMethod(grad.build());
        }
        t.addMethod(MethodSpec.methodBuilder("setParameter").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Copies {@code values} into parameter {@code name}.\n\n"
                        + "@throws IllegalArgumentException if there is no such parameter or the length is wrong\n")
                .addParameter(String.class, "name").addParameter(e.array(), "values")
                .addStatement("$T[] p = parameter(name)", e.type())
                .beginControlFlow("if (values == null || values.length != p.length)")
                .addStatement("throw new $T($S + name + $S + p.length + $S + (values == null ? $S : values.length))",
                        IllegalArgumentException.class, "parameter ", " needs ", " values, got ", "null")
                .endControlFlow()
                .addStatement("System.arraycopy(values, 0, p, 0, p.length)").build());
        if (!cx.inputGradField.isEmpty() && cx.compiled.eval().loss() != null) {
            MethodSpec.Builder ig = MethodSpec.methodBuilder("inputGradient").addModifiers(Modifier.PUBLIC).returns(e.array())
                    .addJavadoc("The gradient of the loss with respect to real-valued input {@code name}, as computed by the\n"
                            + "last {@code gradients} call (a live array, overwritten by the next call).\n\n"
                            + "@throws IllegalArgumentException if the model has no such real-valued input\n")
                    .addParameter(String.class, "name")
                    .beginControlFlow("switch (name)");
            for (String in : cx.inputGradField.keySet()) ig.addStatement("case $S: return $N", in, cx.inputGradField.get(in));
            ig.addStatement("default: throw new $T($S + name + $S)", IllegalArgumentException.class, "no real-valued input named '", "'")
                    .endControlFlow();
            t.addMethod(ig.build());
        }
    }
}
