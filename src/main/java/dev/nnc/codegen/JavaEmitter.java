package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.passes.Compiled;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.lang.model.element.Modifier;

/**
 * Code generation: one self-contained Java class per compiled model, built with JavaPoet.
 * The class needs nothing but the JDK. Its public API (per model, with the .nn names):
 * <ul>
 *   <li>{@code infer(dims…, inputs…, outputs…)}: every output, dropout off, written into the
 *       caller's arrays;</li>
 *   <li>{@code loss(dims…, inputs…)}: the loss, dropout off;</li>
 *   <li>{@code gradients(dims…, inputs…)}: the loss, and the gradient of every param
 *       ({@link #gradient}) and every real-valued input ({@code inputGradient});</li>
 *   <li>{@code trainStep(dims…, inputs…)}: dropout on, backward, one optimizer update;</li>
 *   <li>{@code trainingPass(dims…, inputs…, outputs…)}: training mode without an update
 *       ({@link EntryMethods});</li>
 *   <li>params and buffers by name in declaration order: {@code parameter}, {@code setParameter},
 *       {@code parameterShape}, {@code PARAMETER_NAMES}, {@code buffer}, {@code setBuffer},
 *       {@code BUFFER_NAMES} ({@link AccessMethods}), {@code reset(seed)} and, for a model with
 *       dropout, {@code setDropoutSeed(seed)};</li>
 *   <li>each entry also as {@code infer(Args)} etc., arguments by name, arrays at offsets
 *       ({@link CallForms});</li>
 *   <li>{@code saveParameters}/{@code loadParameters} ({@link SafetensorsCode}),
 *       {@code saveCheckpoint}/{@code loadCheckpoint} ({@link CheckpointCode}),
 *       {@code setThreads} ({@link Threads});</li>
 *   <li>every parameter and gradient as one flat vector, gradient accumulation,
 *       {@code applyGradient} and the learning rate ({@link FlatCode}).</li>
 * </ul>
 */
public final class JavaEmitter {
    private JavaEmitter() {}

    /**
     * What to generate.
     *
     * @param packageName the Java package, or null to use the model's ("" for none)
     * @param f32         element type: true for float, false for double
     * @param sourceName  the .nn file name shown in comments (no directories, for reproducible output)
     * @param source      the .nn text, for the line comments on kernels (may be null)
     * @param backend     how kernels are written
     * @param encoder     the encoder generated beside the class from a parameters file, or null ({@link EncoderCheck})
     */
    public record Options(String packageName, boolean f32, String sourceName, String source, Backend backend, Encoder encoder) {
        /** Scalar backend. */
        public Options(String packageName, boolean f32, String sourceName, String source) {
            this(packageName, f32, sourceName, source, Backend.SCALAR);
        }

        /** No encoder. */
        public Options(String packageName, boolean f32, String sourceName, String source, Backend backend) {
            this(packageName, f32, sourceName, source, backend, null);
        }
    }

    /**
     * An encoder generated beside the class ({@link EncoderEmitter}).
     *
     * @param className   its simple name (same package)
     * @param fingerprint the fingerprint of its encoding
     * @param origin      the parameters file it was generated from (no directories)
     */
    public record Encoder(String className, String fingerprint, String origin) {}

    /**
     * How kernels are written: plain Java loops (compiles and runs anywhere), or the Vector API
     * ({@code jdk.incubator.vector}: needs {@code --add-modules jdk.incubator.vector} when the
     * class is compiled and run).
     */
    public enum Backend { SCALAR, VECTOR }

    /**
     * A generated compilation unit. {@code entries} lists each public entry method's arguments
     * in order, as {@code dim:NAME}, {@code input:NAME} or {@code output:NAME}, for tools that
     * call the class reflectively.
     */
    public record Output(String packageName, String className, String source, java.util.Map<String, List<String>> entries) {
        public String qualifiedName() {
            return packageName.isEmpty() ? className : packageName + "." + className;
        }
    }

    public static Output emit(Compiled c, Options o) {
        Model m = c.model();
        String pkg = o.packageName() != null ? o.packageName() : m.pkg();
        String className = Names.java(m.name());
        Elem e = new Elem(o.f32());
        TypeSpec.Builder t = TypeSpec.classBuilder(className).addModifiers(Modifier.PUBLIC, Modifier.FINAL);
        ClassContext cx = new ClassContext(c, e, o.backend() == Backend.VECTOR, t, o.sourceName(), o.source());
        cx.encoder = o.encoder();
        ClassWriter w = new ClassWriter(cx);
        w.write();
        JavaFile file = JavaFile.builder(pkg, t.build())
                .addFileComment("Generated by nnc from $L (model $L). Do not edit: change the .nn file and regenerate.",
                        o.sourceName(), m.name())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
        return new Output(pkg, className, file.toString(), w.entries);
    }

    /** Writes the members of the class. */
    private static final class ClassWriter {
        private final ClassContext cx;
        private final Elem e;
        private final TypeSpec.Builder t;
        private final Model m;
        final java.util.Map<String, List<String>> entries = new java.util.LinkedHashMap<>();
        /** Allocations of the per-param arrays when there are too many for field initializers (see {@link #paramFields}). */
        private final List<CodeBlock> allocations = new ArrayList<>();

        ClassWriter(ClassContext cx) {
            this.cx = cx;
            this.e = cx.elem;
            this.t = cx.type;
            this.m = cx.model;
        }

        void write() {
            classDoc();
            if (cx.vector) {
                t.addStaticBlock(VectorModule.check(t.build().name()));
                VectorExact.addAnchor(cx.kernelType, e);
                cx.kernelType.addStaticBlock(VectorPrime.block());
            }
            paramFields();
            constructors();
            EntryMethods em = new EntryMethods(cx);
            if (!m.outputs().isEmpty()) em.infer();
            if (cx.compiled.eval().loss() != null) {
                em.lossMethod();
                em.gradientsMethod();
                if (m.optimizer() != null) em.trainStep();
            }
            em.trainingPass();
            entries.putAll(em.entries);
            if (!cx.argSetters.isEmpty()) CallForms.addFields(cx);
            AccessMethods access = new AccessMethods(cx);
            access.parameterAccess();
            access.bufferAccess();
            FlatCode.addTo(cx, entries);
            if (!cx.saved().isEmpty()) for (MethodSpec s : SafetensorsCode.methods(cx)) t.addMethod(s);
            runtimeFields();
            if (cx.vector) VectorSteps.addTo(t, cx);
            Helpers.addTo(t, cx.helpers, e);
            for (String member : cx.members) {
                if (ConvMembers.owns(member)) ConvMembers.add(cx.kernelType, e, member);
                else VectorKernels.addMember(cx.kernelType, e, member);
            }
            if (cx.vector) t.addType(cx.kernelType.build());
            if (!cx.argSetters.isEmpty()) t.addType(CallForms.argsType(cx));
            Threads.addTo(t, e, cx.vector, cx.perWorkerScratch.values(), cx.splitTasks);
            for (MethodSpec r : ParamCode.randomHelpers(e)) t.addMethod(r);
            t.addMethod(MethodSpec.methodBuilder("grow").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addJavadoc("{@code b} if it holds {@code n} elements, else a new array that does ({@code b} is null before the first call).\n")
                    .returns(e.array()).addParameter(e.array(), "b").addParameter(TypeName.LONG, "n")
                    .beginControlFlow("if (n > Integer.MAX_VALUE - 8)")
                    .addStatement("throw new $T($S + n + $S)", IllegalArgumentException.class,
                            "these dims need an intermediate of ", " elements, more than a Java array holds")
                    .endControlFlow()
                    .addStatement("return b != null && b.length >= n ? b : new $T[(int) n]", e.type()).build());
            if (cx.scratch.values().stream().anyMatch(Scratch::isRows)) {
                t.addMethod(MethodSpec.methodBuilder("growRows").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                        .addJavadoc("{@code r} if it has {@code rows} rows of {@code width} elements, else one that does (keeping the rows that fit).\n")
                        .returns(ArrayTypeName.of(e.array())).addParameter(ArrayTypeName.of(e.array()), "r")
                        .addParameter(TypeName.LONG, "rows").addParameter(TypeName.LONG, "width")
                        .beginControlFlow("if (rows * width > Integer.MAX_VALUE - 8)")
                        .addStatement("throw new $T($S + rows + $S + width + $S)", IllegalArgumentException.class,
                                "these dims need a scratch of ", " rows of ", " elements, more than a Java array holds")
                        .endControlFlow()
                        .beginControlFlow("if (r.length < rows)")
                        .addStatement("r = $T.copyOf(r, (int) rows)", java.util.Arrays.class)
                        .endControlFlow()
                        .beginControlFlow("for (int i = 0; i < rows; i++)")
                        .beginControlFlow("if (r[i] == null || r[i].length < width)")
                        .addStatement("r[i] = new $T[(int) width]", e.type())
                        .endControlFlow()
                        .endControlFlow()
                        .addStatement("return r").build());
            }
        }

        private void classDoc() {
            t.addJavadoc("The model {@code $L} compiled by nnc ($L precision).\n\n", m.name(), e.f32() ? "f32" : "f64");
            t.addJavadoc("<p>Parameters live in this instance as flat row-major arrays, in declaration order: $L.\n",
                    String.join(", ", m.params().stream().map(p -> "{@code " + p.name() + " " + p.node().shape() + "}").toList()));
            if (!m.buffers().isEmpty()) {
                t.addJavadoc("<p>Buffers (state without a gradient, updated by {@code trainStep}): $L.\n",
                        String.join(", ", m.buffers().stream().map(b -> "{@code " + b.name() + " " + b.node().shape() + "}").toList()));
            }
            if (cx.vector) {
                t.addJavadoc("<p>Vector backend: compile and run with {@code --add-modules jdk.incubator.vector}.\n");
            }
            t.addJavadoc("Every call reuses buffers owned by the instance and allocates nothing once the largest runtime\n"
                    + "dims have been seen. An instance is not thread-safe: use one per thread.\n");
        }

        private void paramFields() {
            t.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), ClassName.get(String.class)),
                            "PARAMETER_NAMES", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("The .nn names of the parameters, in declaration order.\n")
                    .initializer("$T.of($L)", List.class, CodeBlock.join(m.params().stream().map(p -> CodeBlock.of("$S", p.name())).toList(), ", "))
                    .build());
            // Field initializers all run in the constructor: with many params they would make it too big for
            // C2 (or for javac's 64 KiB), so then the arrays are allocated by helper methods it calls.
            boolean hasLoss = cx.compiled.eval().loss() != null;
            int arrays = m.params().size() * (1 + (hasLoss ? 1 : 0) + ParamCode.stateNames(m.optimizer()).size());
            boolean split = arrays > ClassContext.STATEMENTS_PER_METHOD;
            for (Model.Param p : m.params()) {
                paramArray(cx.paramField.get(p.name()), p, split, CodeBlock.of("param {@code $L : $L}\n", p.name(), p.node().shape()));
            }
            if (hasLoss) {
                for (Model.Param p : m.params()) paramArray(cx.gradField.get(p.name()), p, split, null);
                for (String in : cx.inputGradField.keySet()) {
                    t.addField(FieldSpec.builder(e.array(), cx.inputGradField.get(in), Modifier.PRIVATE)
                            .initializer("new $T[0]", e.type()).build());
                }
            }
            for (String s : ParamCode.stateNames(m.optimizer())) {
                for (Model.Param p : m.params()) paramArray(s + "$" + p.name(), p, split, null);
            }
            t.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), ClassName.get(String.class)),
                            "BUFFER_NAMES", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("The .nn names of the buffers (non-trainable state such as running statistics), in declaration order.\n")
                    .initializer("$T.of($L)", List.class, CodeBlock.join(m.buffers().stream().map(b -> CodeBlock.of("$S", b.name())).toList(), ", "))
                    .build());
            for (Model.Buffer b : m.buffers()) {
                int n = (int) b.node().shape().staticProduct();
                t.addField(FieldSpec.builder(e.array(), cx.bufferField.get(b.name()), Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("buffer {@code $L : $L}\n", b.name(), b.node().shape())
                        .initializer("new $T[$L]", e.type(), n).build());
            }
            t.addField(FieldSpec.builder(TypeName.LONG, "seed", Modifier.PRIVATE).build());
            t.addField(FieldSpec.builder(TypeName.LONG, "step", Modifier.PRIVATE).build());
        }

        /** An array field the size of param {@code p}: final with an initializer, or allocated by the constructor's helpers. */
        private void paramArray(String field, Model.Param p, boolean split, CodeBlock doc) {
            int n = (int) p.node().shape().staticProduct();
            FieldSpec.Builder f = split ? FieldSpec.builder(e.array(), field, Modifier.PRIVATE)
                    : FieldSpec.builder(e.array(), field, Modifier.PRIVATE, Modifier.FINAL).initializer("new $T[$L]", e.type(), n);
            if (doc != null) f.addJavadoc(doc);
            t.addField(f.build());
            if (split) allocations.add(CodeBlock.of("this.$N = new $T[$L]", field, e.type(), n));
        }

        private void runtimeFields() {
            for (String d : m.dims()) t.addField(TypeName.INT, cx.dimField.get(d), Modifier.PRIVATE);
            for (Model.Input in : m.inputs()) {
                TypeName ty = in.isInt() ? ArrayTypeName.of(TypeName.INT) : e.array();
                t.addField(ty, cx.inputField.get(in.name()), Modifier.PRIVATE);
            }
            for (Model.Output o : m.outputs()) t.addField(e.array(), "out$" + o.name(), Modifier.PRIVATE);
            // allocated by grow on first use: no initializer, so none lands in the constructor however many there are
            for (int s = 0; s < cx.slots; s++) t.addField(e.array(), "buf$" + s, Modifier.PRIVATE);
            for (Scratch sc : cx.scratch.values()) {
                FieldSpec.Builder f = FieldSpec.builder(sc.isRows() ? ArrayTypeName.of(e.array()) : e.array(), sc.field(), Modifier.PRIVATE)
                        .addJavadoc("$L\n", sc.doc());
                if (sc.isRows()) f.initializer("new $T[0][]", e.type());
                t.addField(f.build());
            }
        }

        private void constructors() {
            t.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                    .addJavadoc("Creates the model with parameters initialized from seed 0.\n")
                    .addStatement("this(0L)").build());
            MethodSpec.Builder ctor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                    .addJavadoc("Creates the model with parameters initialized from {@code seed}.\n")
                    .addParameter(TypeName.LONG, "seed");
            cx.addStatements(ctor, "allocate", allocations);
            if (cx.vector) ctor.addStatement(VectorSteps.init());
            t.addMethod(ctor.addStatement("reset(seed)").build());
            ParameterSpec seed = ParameterSpec.builder(TypeName.LONG, "seed").build();
            MethodSpec.Builder reset = MethodSpec.methodBuilder("reset").addModifiers(Modifier.PUBLIC)
                    .addJavadoc("Re-initializes every parameter and buffer from {@code seed} with its declared initializer, clears\n"
                            + "the optimizer state, and restarts the step count (which also seeds dropout).\n")
                    .addParameter(seed)
                    .addStatement("this.seed = seed")
                    .addStatement("this.step = 0");
            if (cx.compiled.eval().loss() != null && m.optimizer() != null) reset.addStatement("this.skippedSteps$$ = 0");
            List<CodeBlock> init = new ArrayList<>(ParamCode.initialize(cx));
            for (String s : ParamCode.stateNames(m.optimizer())) {
                for (Model.Param p : m.params()) init.add(CodeBlock.of("$T.fill($N, $L)", java.util.Arrays.class, s + "$" + p.name(), e.lit(0)));
            }
            cx.addStatements(reset, "reset", init, seed);
            t.addMethod(reset.build());
            if (cx.drawsMasks()) {
                t.addMethod(MethodSpec.methodBuilder("setDropoutSeed").addModifiers(Modifier.PUBLIC)
                        .addJavadoc("Sets the seed of the dropout masks: those of a pass in training mode are drawn from it and the\n"
                                + "step count, as after {@code reset(seed)}, but the parameters, buffers, optimizer state and step\n"
                                + "count stay as they are. Data-parallel training gives each worker's instance masks of its own\n"
                                + "this way. {@code copy()} keeps the seed$L.\n", CheckpointCode.applies(cx) ? " and {@code saveCheckpoint} records it" : "")
                        .addParameter(seed)
                        .addStatement("this.seed = seed").build());
            }
            ClassName self = ClassName.get("", cx.type.build().name());
            MethodSpec.Builder copy = MethodSpec.methodBuilder("copy").addModifiers(Modifier.PUBLIC).returns(self)
                    .addJavadoc("A new instance with this one's parameter and buffer values (copied) and seed, its own work buffers\n"
                            + "and a fresh optimizer state: an instance is not thread-safe, so give each thread its own copy. The\n"
                            + "copy costs one pass over the parameters.\n")
                    .addStatement("$T c$$ = new $T(this.seed)", self, self);
            List<CodeBlock> copies = new ArrayList<>();
            for (ClassContext.State st : cx.saved()) {
                copies.add(CodeBlock.of("System.arraycopy(this.$N, 0, c$$.$N, 0, this.$N.length)", st.field(), st.field(), st.field()));
            }
            cx.addStatements(copy, "copy$params", copies, com.palantir.javapoet.ParameterSpec.builder(self, "c$").build());
            t.addMethod(copy.addStatement("return c$$").build());
            t.addMethod(MethodSpec.methodBuilder("steps").addModifiers(Modifier.PUBLIC).returns(TypeName.LONG)
                    .addJavadoc("The number of optimizer steps ({@code trainStep} or {@code applyGradient} calls that updated the\n"
                            + "parameters) since the last reset.\n")
                    .addStatement("return step").build());
        }

    }
}
