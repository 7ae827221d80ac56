package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.diag.Span;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ops.Helper;
import dev.nnc.ir.Size;
import dev.nnc.passes.Compiled;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;

/** State shared while one class is emitted: names, de-duplicated kernels, helpers, buffers. */
final class ClassContext {
    final Compiled compiled;
    final Model model;
    final Elem elem;
    /** The vector backend ({@code jdk.incubator.vector}) rather than plain loops. */
    final boolean vector;
    final TypeSpec.Builder type;
    /**
     * Where kernels and other code that mentions Vector API types go: {@link #type} on the scalar
     * backend, the nested class of {@link VectorModule} on the vector backend.
     */
    final TypeSpec.Builder kernelType;
    /** How {@link #type}'s methods call into {@link #kernelType}: "" or the nested class's name and a dot. */
    final String kernelPrefix;
    final String sourceName;
    final String[] sourceLines;
    /** Java field name of each param, input (array field) and dim, by .nn name. */
    final Map<String, String> paramField = new LinkedHashMap<>();
    final Map<String, String> gradField = new LinkedHashMap<>();
    final Map<String, String> inputField = new LinkedHashMap<>();
    final Map<String, String> inputGradField = new LinkedHashMap<>();
    final Map<String, String> dimField = new LinkedHashMap<>();
    /** Java parameter name of each input and dim in public methods. */
    final Map<String, String> argName = new LinkedHashMap<>();
    /** Java field name of each buffer, by .nn name. */
    final Map<String, String> bufferField = new LinkedHashMap<>();
    /** The helper methods the kernels call. */
    final Set<Helper> helpers = EnumSet.noneOf(Helper.class);
    /** The setters of the entries' named form ({@link CallForms}), by argument name, as the entries add them. */
    final Map<String, CallForms.Setter> argSetters = new LinkedHashMap<>();
    final Map<String, String> kernelNames = new HashMap<>();
    boolean usesRandom;
    /** The scratch fields some kernel takes, by field. */
    final Map<String, Scratch> scratch = new LinkedHashMap<>();
    /** The per-worker scratch fields of kernels that split their rows over threads, by field. */
    final Map<String, Scratch> perWorkerScratch = new LinkedHashMap<>();
    /**
     * The products that split their rows over threads ({@code setThreads}, {@link Threads}): the
     * field of each one's task, by field, with the lambda that fills it. Empty when none may split.
     */
    final Map<String, CodeBlock> splitTasks = new LinkedHashMap<>();
    /** Vector backend: the calls run as steps ({@link VectorSteps}), by index. */
    final List<CodeBlock> steps = new java.util.ArrayList<>();
    /** Class-level members the kernels ask for ({@link Kernel#members}). */
    final Set<String> members = new java.util.TreeSet<>();
    int slots;
    /** The encoder generated beside the class, or null. */
    JavaEmitter.Encoder encoder;

    ClassContext(Compiled compiled, Elem elem, boolean vector, TypeSpec.Builder type, String sourceName, String source) {
        this.compiled = compiled;
        this.vector = vector;
        this.model = compiled.model();
        this.elem = elem;
        this.type = type;
        this.kernelType = vector ? VectorModule.nested(elem) : type;
        this.kernelPrefix = vector ? VectorModule.NESTED + "." : "";
        this.sourceName = sourceName;
        this.sourceLines = source == null ? new String[0] : source.split("\n", -1);
        // param fields must not clash with the class's own fields
        Set<String> taken = new TreeSet<>(Set.of("seed", "step", "PARAMETER_NAMES", "BUFFER_NAMES", "PARAMETER_COUNT"));
        for (Model.Param p : model.params()) paramField.put(p.name(), Names.unique(p.name(), taken));
        for (Model.Buffer b : model.buffers()) bufferField.put(b.name(), Names.unique(b.name(), taken));
        for (Model.Param p : model.params()) gradField.put(p.name(), "grad$" + p.name());
        for (Model.Input in : model.inputs()) inputField.put(in.name(), "in$" + in.name());
        for (Model.Input in : model.inputs()) if (!in.isInt()) inputGradField.put(in.name(), "inputGrad$" + in.name());
        for (String d : model.dims()) dimField.put(d, "dim$" + d);
        Set<String> args = new TreeSet<>();
        for (String d : model.dims()) argName.put(d, Names.unique(d, args));
        for (Model.Input in : model.inputs()) argName.put(in.name(), Names.unique(in.name(), args));
        for (Model.Output o : model.outputs()) argName.put("out:" + o.name(), Names.unique(o.name(), args));
    }

    /**
     * Statements per method when a long run of statements is split (each is a call or an
     * assignment of a few dozen bytes of bytecode, so a method stays far below the 8,000 bytes
     * above which C2 does not compile it).
     */
    static final int STATEMENTS_PER_METHOD = 100;

    /**
     * Adds {@code statements} to {@code method}: in place when there are at most
     * {@link #STATEMENTS_PER_METHOD}, else as private methods {@code name$0, name$1, …} of at
     * most that many, which {@code method} calls in order, passing {@code params} through.
     */
    void addStatements(MethodSpec.Builder method, String name, List<CodeBlock> statements, ParameterSpec... params) {
        if (statements.size() <= STATEMENTS_PER_METHOD) {
            for (CodeBlock st : statements) method.addStatement(st);
            return;
        }
        CodeBlock args = CodeBlock.join(java.util.Arrays.stream(params).map(p -> CodeBlock.of("$N", p)).toList(), ", ");
        for (int i = 0, part = 0; i < statements.size(); i += STATEMENTS_PER_METHOD, part++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder(name + "$" + part).addModifiers(Modifier.PRIVATE);
            for (ParameterSpec p : params) m.addParameter(p);
            for (CodeBlock st : statements.subList(i, Math.min(statements.size(), i + STATEMENTS_PER_METHOD))) m.addStatement(st);
            type.addMethod(m.build());
            method.addStatement("$N($L)", name + "$" + part, args);
        }
    }

    /** Adds {@code k} as a method unless an identical one exists; returns how {@link #type}'s methods call it. */
    String kernel(Kernel k, Node n) {
        String key = k.key();
        String name = kernelNames.get(key);
        if (name == null) {
            name = "k$" + kernelNames.size();
            kernelNames.put(key, name);
            MethodSpec m = k.method(name, describe(n));
            kernelType.addMethod(m);
        }
        usesRandom |= k.isRandom();
        helpers.addAll(k.helpers);
        members.addAll(k.members);
        return kernelPrefix + name;
    }

    /** The javadoc line of a kernel: what it computes and the .nn line it came from. */
    String describe(Node n) {
        String what = n.op().lower() + " → " + n.shape();
        Span s = n.origin();
        if (s.isNone() || s.line() > sourceLines.length) return what + " (synthesized)";
        String line = sourceLines[s.line() - 1].strip();
        return what + ", from " + sourceName + " line " + s.line() + ": " + code(line);
    }

    /**
     * A line of .nn source as Javadoc code that reads the same in the source and in the rendered
     * page: {@code {@code x @ w}} when its braces balance (inside that tag HTML entities are not
     * interpreted, so '@' must stay '@'), else {@code <code>} with entities for the braces and
     * HTML's special characters. A comment end is broken up in either form.
     */
    static String code(String line) {
        String s = line.replace("*/", "* /");
        int depth = 0;
        boolean balanced = true;
        for (int i = 0; i < s.length() && balanced; i++) {
            if (s.charAt(i) == '{') depth++;
            else if (s.charAt(i) == '}' && --depth < 0) balanced = false;
        }
        if (balanced && depth == 0) return "{@code " + s + "}";
        return "<code>" + s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("{", "&#123;").replace("}", "&#125;") + "</code>";
    }

    CodeBlock dim(String d) {
        return CodeBlock.of("$N", dimField.get(d));
    }

    /**
     * The field holding the task {@code lambda} ({@code (w$, lo$, hi$) -> kernel(…)}) for
     * {@code rows$}: one per distinct lambda, created by the first {@code setThreads(n > 1)}, so a
     * call with threads allocates no task.
     */
    String splitTask(CodeBlock lambda) {
        for (Map.Entry<String, CodeBlock> e : splitTasks.entrySet()) if (e.getValue().equals(lambda)) return e.getKey();
        String field = "split$" + splitTasks.size();
        splitTasks.put(field, lambda);
        return field;
    }

    /** A size expression over the runtime dims as stored in this instance's dim fields. */
    CodeBlock size(Size s) {
        return SizeCode.of(s, dimField::get);
    }

    /** The same as a long expression, safe from int overflow. */
    CodeBlock longSize(Size s) {
        return CodeBlock.of("(long) $L", SizeCode.of(s, dimField::get));
    }

    /** True when a pass in training mode draws dropout masks (from the seed and the step count). */
    boolean drawsMasks() {
        for (Node n : dev.nnc.ir.Walk.reachable(compiled.train().all())) if (n.op() == dev.nnc.ops.Leaf.DROPOUT_MASK) return true;
        return false;
    }

    List<Model.Param> params() {
        return model.params();
    }

    /**
     * A tensor the instance holds and saves: a param or a buffer, with its field and the random
     * stream its initializer draws from (params from 0, then buffers).
     */
    record State(String name, String field, dev.nnc.ir.Shape shape, Model.Init init, int stream) {}

    /** The params, then the buffers: what {@code saveParameters}, {@code loadParameters} and {@code reset} cover. */
    List<State> saved() {
        List<State> out = new java.util.ArrayList<>();
        for (Model.Param p : model.params()) out.add(new State(p.name(), paramField.get(p.name()), p.node().shape(), p.init(), out.size()));
        for (Model.Buffer b : model.buffers()) out.add(new State(b.name(), bufferField.get(b.name()), b.node().shape(), b.init(), out.size()));
        return out;
    }
}
