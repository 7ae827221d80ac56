package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The two public forms of every entry method ({@code infer}, {@code loss}, {@code gradients},
 * {@code trainStep}, {@code trainingPass}), over one private implementation {@code NAME$}:
 * <ul>
 *   <li>positional, {@code infer(batch, x, price)}: every array exactly as long as needed, as
 *       before;</li>
 *   <li>named, {@code infer(Args a)}: a reusable holder (the nested class {@code Args}) with one
 *       setter per dim, input and output, by .nn name. Each array comes with the offset of its
 *       first element and may be longer than needed, so a batch is a slice of a larger array;
 *       an output that is not set (or null) is not wanted.</li>
 * </ul>
 * The implementation takes {@code exact$} (positional: lengths must match exactly) and, after
 * each array, its offset {@code NAME$at} (0 for the positional form). An input at offset 0 is
 * read in place; at another offset its elements are copied once into a staging array of the
 * instance (the kernels index from 0). An output at offset 0 is written in place; at another
 * offset, or when not wanted, it goes to an instance buffer and is copied out. Neither form
 * allocates once the buffers have grown.
 */
final class CallForms {
    private CallForms() {}

    /** The offset argument of array argument {@code arg} in the implementation. */
    static String offset(String arg) {
        return arg + "$at";
    }

    /** The simple name of the holder class: {@code Args}, unless the model's class has that name. */
    static String argsName(ClassContext cx) {
        return cx.type.build().name().equals("Args") ? "Arguments" : "Args";
    }

    /**
     * One setter of the holder, kept in {@link ClassContext#argSetters} by argument name: a dim
     * ({@code int}) or an array with its offset, and its javadoc.
     */
    record Setter(String arg, TypeName type, CodeBlock doc) {
        boolean isArray() {
            return type instanceof ArrayTypeName;
        }
    }

    /**
     * Adds the entry {@code spec} (built as the positional public method, whose body uses
     * {@code exact$} and the offsets) to the class as its implementation and its two public forms.
     */
    static void add(ClassContext cx, MethodSpec spec) {
        if (spec.parameters().isEmpty()) {
            // no dims, no inputs, no outputs: nothing to name
            cx.type.addMethod(spec);
            return;
        }
        String impl = spec.name() + "$";
        boolean returns = !spec.returnType().equals(TypeName.VOID);
        MethodSpec.Builder m = MethodSpec.methodBuilder(impl).addModifiers(Modifier.PRIVATE).returns(spec.returnType())
                .addParameter(TypeName.BOOLEAN, "exact$");
        List<CodeBlock> positional = new ArrayList<>(List.of(CodeBlock.of("true")));
        List<CodeBlock> named = new ArrayList<>(List.of(CodeBlock.of("false")));
        for (ParameterSpec p : spec.parameters()) {
            m.addParameter(p);
            positional.add(CodeBlock.of("$N", p));
            named.add(CodeBlock.of("a.$N", field(p.name())));
            cx.argSetters.putIfAbsent(p.name(), new Setter(p.name(), p.type(), setterDoc(cx, p.name())));
            if (p.type() instanceof ArrayTypeName) {
                m.addParameter(TypeName.INT, offset(p.name()));
                positional.add(CodeBlock.of("0"));
                named.add(CodeBlock.of("a.$N", offset(field(p.name()))));
            }
        }
        cx.type.addMethod(m.addCode(spec.code()).build());
        String call = returns ? "return $N($L)" : "$N($L)";
        cx.type.addMethod(MethodSpec.methodBuilder(spec.name()).addModifiers(Modifier.PUBLIC).returns(spec.returnType())
                .addJavadoc(spec.javadoc()).addParameters(spec.parameters())
                .addStatement(call, impl, CodeBlock.join(positional, ", ")).build());
        ClassName args = ClassName.get("", argsName(cx));
        cx.type.addMethod(MethodSpec.methodBuilder(spec.name()).addModifiers(Modifier.PUBLIC).returns(spec.returnType())
                .addJavadoc("{@code $L} with its arguments by name, set on {@code a} (a {@link $L}): the same as the positional form, except\n"
                        + "that arrays may be longer than needed, starting at the offsets set with them, and that an\n"
                        + "output not set (or set to null) is not wanted. {@code a} is only read.\n\n"
                        + "@throws IllegalArgumentException if a dim is below 1, an input is not set, or an array is too short\n"
                        + "        for its offset\n", spec.name(), argsName(cx))
                .addParameter(args, "a")
                .addStatement(call, impl, CodeBlock.join(named, ", ")).build());
    }

    /** The holder's field for argument {@code arg}: the same name (its offset's is {@link #offset}). */
    private static String field(String arg) {
        return arg;
    }

    /** What a setter sets: a dim, an input or an output, with its shape. */
    private static CodeBlock setterDoc(ClassContext cx, String arg) {
        for (String d : cx.model.dims()) {
            if (cx.argName.get(d).equals(arg)) return CodeBlock.of("Sets the runtime dim {@code $L}.\n", d);
        }
        for (Model.Input in : cx.model.inputs()) {
            if (cx.argName.get(in.name()).equals(arg)) {
                return CodeBlock.of("Sets input {@code $L}, $L$L (row-major): its elements from {@code offset} on. Read in place\n"
                        + "at offset 0, else copied to this instance's staging array.\n", in.name(), in.isInt() ? "int" : "", in.node().shape());
            }
        }
        List<Model.Output> outs = cx.model.outputs();
        for (int i = 0; i < outs.size(); i++) {
            if (cx.argName.get("out:" + outs.get(i).name()).equals(arg)) {
                return CodeBlock.of("Sets where output {@code $L} $L goes (row-major): from {@code offset} on; null: not wanted.\n",
                        outs.get(i).name(), cx.compiled.eval().outputs().get(i).shape());
            }
        }
        throw new IllegalStateException("argument " + arg);
    }

    /**
     * In {@code infer}: checks every output (null is allowed: not wanted), refuses an output that
     * is the same array as an input or another output, and points each output field at the
     * caller's array (offset 0) or at the instance's buffer {@code sink$NAME}.
     */
    static CodeBlock checkAndStoreOutputs(ClassContext cx, EntryEmitter ee, List<Node> roots) {
        CodeBlock.Builder b = CodeBlock.builder();
        List<Model.Output> outs = cx.model.outputs();
        for (int i = 0; i < outs.size(); i++) {
            String arg = cx.argName.get("out:" + outs.get(i).name());
            b.add(ee.checkArray(arg, "output " + outs.get(i).name(), roots.get(i).shape(), true));
        }
        b.add(refuseAliases(cx, ee.inputs, true));
        for (int i = 0; i < outs.size(); i++) {
            String name = outs.get(i).name(), arg = cx.argName.get("out:" + name);
            CodeBlock n = cx.longSize(roots.get(i).shape().numel());
            b.beginControlFlow("if ($N != null && $N == 0)", arg, offset(arg))
                    .addStatement("this.$N = $N", "out$" + name, arg)
                    .nextControlFlow("else")
                    .addStatement("this.$N = grow(this.$N, $L)", sink(name), sink(name), n)
                    .addStatement("this.$N = this.$N", "out$" + name, sink(name))
                    .endControlFlow();
        }
        return b.build();
    }

    /**
     * Refuses an output that is the same array as one of the real {@code inputs}, or with
     * {@code amongOutputs} as another output: the kernels would overwrite what they still read.
     */
    static CodeBlock refuseAliases(ClassContext cx, List<Model.Input> inputs, boolean amongOutputs) {
        CodeBlock.Builder b = CodeBlock.builder();
        List<Model.Output> outs = cx.model.outputs();
        for (int i = 0; i < outs.size(); i++) {
            String arg = cx.argName.get("out:" + outs.get(i).name());
            List<String[]> others = new ArrayList<>();
            for (Model.Input in : inputs) if (!in.isInt()) others.add(new String[] {cx.argName.get(in.name()), "input " + in.name()});
            for (int j = 0; amongOutputs && j < i; j++) {
                others.add(new String[] {cx.argName.get("out:" + outs.get(j).name()), "output " + outs.get(j).name()});
            }
            for (String[] o : others) {
                b.beginControlFlow("if ($N != null && $N == $N)", arg, arg, o[0])
                        .addStatement("throw new $T($S)", IllegalArgumentException.class, "output " + outs.get(i).name() + " and " + o[1]
                                + " are the same array; give the output an array of its own")
                        .endControlFlow();
            }
        }
        return b.build();
    }

    /** In {@code infer}, after the run: copies the outputs wanted at an offset from their buffers. */
    static CodeBlock copyOutputs(ClassContext cx, List<Node> roots) {
        CodeBlock.Builder b = CodeBlock.builder();
        List<Model.Output> outs = cx.model.outputs();
        for (int i = 0; i < outs.size(); i++) {
            String name = outs.get(i).name(), arg = cx.argName.get("out:" + name);
            b.beginControlFlow("if ($N != null && $N != 0)", arg, offset(arg))
                    .addStatement("System.arraycopy(this.$N, 0, $N, $N, $L)", sink(name), arg, offset(arg),
                            cx.size(roots.get(i).shape().numel()))
                    .endControlFlow();
        }
        return b.build();
    }

    private static String sink(String output) {
        return "sink$" + output;
    }

    /** The instance's fields behind the two forms: the staging arrays of inputs and the buffers of outputs. */
    static void addFields(ClassContext cx) {
        for (Model.Input in : cx.model.inputs()) {
            cx.type.addField(in.isInt() ? ArrayTypeName.of(TypeName.INT) : cx.elem.array(), "at$" + in.name(), Modifier.PRIVATE);
        }
        for (Model.Output o : cx.model.outputs()) cx.type.addField(cx.elem.array(), sink(o.name()), Modifier.PRIVATE);
    }

    /** The holder class, with a setter for every dim, input and output that some entry takes. */
    static TypeSpec argsType(ClassContext cx) {
        String name = argsName(cx);
        ClassName self = ClassName.get("", name);
        TypeSpec.Builder t = TypeSpec.classBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The arguments of the entry methods ({@code infer}, {@code loss}, {@code gradients}, {@code trainStep},\n"
                        + "{@code trainingPass}) by name, for their {@code (Args)} forms: set the dims, the inputs and the outputs\n"
                        + "you want (each array with the offset of its first element), then call. It holds references, not copies: make one, set what\n"
                        + "changes before each call, and no call allocates. Setters return {@code this}.\n");
        for (Setter s : cx.argSetters.values()) {
            t.addField(FieldSpec.builder(s.type(), field(s.arg()), Modifier.PRIVATE).build());
            if (s.isArray()) t.addField(FieldSpec.builder(TypeName.INT, offset(field(s.arg())), Modifier.PRIVATE).build());
        }
        for (Setter s : cx.argSetters.values()) {
            MethodSpec.Builder set = MethodSpec.methodBuilder(s.arg()).addModifiers(Modifier.PUBLIC).returns(self).addJavadoc(s.doc())
                    .addParameter(s.type(), s.arg());
            if (s.isArray()) {
                String off = s.arg().equals("offset") ? "offset_" : "offset";
                set.addParameter(TypeName.INT, off).addStatement("this.$N = $N", field(s.arg()), s.arg())
                        .addStatement("this.$N = $N", offset(field(s.arg())), off);
                t.addMethod(set.addStatement("return this").build());
                t.addMethod(MethodSpec.methodBuilder(s.arg()).addModifiers(Modifier.PUBLIC).returns(self)
                        .addJavadoc("The same at offset 0.\n").addParameter(s.type(), s.arg())
                        .addStatement("return $N($N, 0)", s.arg(), s.arg()).build());
            } else {
                t.addMethod(set.addStatement("this.$N = $N", field(s.arg()), s.arg()).addStatement("return this").build());
            }
        }
        return t.build();
    }
}
