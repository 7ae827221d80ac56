package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Attr;
import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ops.Index;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * One public entry point (infer, loss, gradients, trainStep): argument checks, buffer sizing,
 * the kernel calls in order (split into methods of at most {@link #CALLS_PER_METHOD} calls),
 * and copying results to where they belong.
 */
final class EntryEmitter {
    static final int CALLS_PER_METHOD = 40;

    /** Where a root's value must end up. */
    record Target(Node root, CodeBlock field, Size numel) {}

    private final ClassContext cx;
    private final String name;
    private final List<Node> roots;
    /** Targets written by the run (fields); a root may feed several. */
    private final List<Target> targets;
    private final Plan plan;
    private final Map<Node, CodeBlock> direct = new LinkedHashMap<>();
    final List<Model.Input> inputs = new ArrayList<>();
    final List<String> dims = new ArrayList<>();
    /** The scratch the kernels of this entry declare, by field (filled by {@link #emitRun}). */
    private final Map<String, List<Scratch>> scratch = new LinkedHashMap<>();
    /** The scratch fields that kernels splitting their rows over threads take once per worker. */
    private final Set<String> perWorker = new java.util.LinkedHashSet<>();

    EntryEmitter(ClassContext cx, String name, List<Node> roots, List<Target> targets) {
        this.cx = cx;
        this.name = name;
        this.roots = roots;
        this.targets = targets;
        List<Node> targetRoots = new ArrayList<>();
        for (Target t : targets) targetRoots.add(t.root());
        this.plan = Plan.of(roots, targetRoots);
        for (Target t : targets) if (plan.direct.contains(t.root())) direct.putIfAbsent(t.root(), t.field());
        Set<Node> reach = plan.how.keySet();
        for (Model.Input in : cx.model.inputs()) if (reach.contains(in.node())) inputs.add(in);
        Set<String> used = new HashSet<>();
        for (Node n : reach) {
            for (Dim d : n.shape().dims()) if (!d.isStatic()) used.add(d.symbol());
            if (n.op() == Leaf.SIZE) used.addAll(n.attr(Attr.Extent.class).size().dims());
        }
        for (String d : cx.model.dims()) if (used.contains(d)) dims.add(d);
        cx.slots = Math.max(cx.slots, plan.slotNodes.size());
    }

    /** The dim parameters, then the input arrays, each with its declared name. */
    void addArgs(MethodSpec.Builder m) {
        for (String d : dims) m.addParameter(TypeName.INT, cx.argName.get(d));
        for (Model.Input in : inputs) {
            TypeName t = in.isInt() ? ArrayTypeName.of(TypeName.INT) : cx.elem.array();
            m.addParameter(t, cx.argName.get(in.name()));
        }
    }

    /** Javadoc lines for the arguments. */
    void addArgDocs(MethodSpec.Builder m) {
        for (String d : dims) m.addJavadoc("@param $L the runtime dim {@code $L}, at least 1\n", cx.argName.get(d), d);
        for (Model.Input in : inputs) {
            m.addJavadoc("@param $L input {@code $L}, $L$L, row-major\n", cx.argName.get(in.name()), in.name(),
                    in.isInt() ? "int" : "", in.node().shape());
        }
    }

    /** Statements checking the arguments and storing them in the instance's fields. */
    CodeBlock checkAndStore() {
        CodeBlock.Builder b = CodeBlock.builder();
        for (String d : dims) {
            String a = cx.argName.get(d);
            b.beginControlFlow("if ($N < 1)", a)
                    .addStatement("throw new $T($S + $N)", IllegalArgumentException.class, "dim " + d + " must be at least 1, got ", a)
                    .endControlFlow()
                    .addStatement("this.$N = $N", cx.dimField.get(d), a);
        }
        b.add(indexingChecks());
        for (Map.Entry<Size, dev.nnc.ir.Shape> big : sizesToCheck().entrySet()) {
            // in double: the product of int dims cannot overflow there, and is exact up to 2^53
            b.beginControlFlow("if ((double) $L > $L)", cx.size(big.getKey()), Integer.MAX_VALUE)
                    .addStatement("throw new $T($S + $L + $S)", IllegalArgumentException.class, "dims ",
                            dimsText(big.getValue()), " make a tensor " + big.getValue() + " of more than "
                                    + Integer.MAX_VALUE + " elements, more than nnc supports")
                    .endControlFlow();
        }
        for (Model.Input in : inputs) b.add(checkArray(cx.argName.get(in.name()), "input " + in.name(), in.node().shape(), false));
        for (Model.Input in : inputs) b.add(storeInput(in));
        return b.build();
    }

    /**
     * Checks that each runtime dim is large enough for the indexings of this entry (a constant
     * position or slice on a runtime dim), naming the dim and the indexing that needs the most.
     */
    private CodeBlock indexingChecks() {
        Map<String, Integer> need = new java.util.TreeMap<>();
        Map<String, Node> by = new HashMap<>();
        List<Node> nodes = new ArrayList<>(plan.how.keySet());
        nodes.sort(java.util.Comparator.comparingInt(Node::id));
        for (Node n : nodes) {
            if (n.op() != Layout.SELECT && n.op() != Layout.PLACE) continue;
            n.attr(Attr.Select.class).needs().forEach((d, v) -> {
                if (v > need.getOrDefault(d, 1)) {
                    need.put(d, v);
                    by.put(d, n);
                }
            });
        }
        CodeBlock.Builder b = CodeBlock.builder();
        need.forEach((d, v) -> b.beginControlFlow("if ($N < $L)", cx.dimField.get(d), v)
                .addStatement("throw new $T($S + $N + $S)", IllegalArgumentException.class, "dim " + d + " is ", cx.dimField.get(d),
                        Index.tooSmall(v, by.get(d).origin()))
                .endControlFlow());
        return b.build();
    }

    /**
     * Stores input {@code in} in its field: the caller's array itself when its elements start at
     * offset 0, else a copy of them in the instance's staging array {@code at$NAME} (grown once).
     */
    private CodeBlock storeInput(Model.Input in) {
        String arg = cx.argName.get(in.name()), field = cx.inputField.get(in.name()), stage = "at$" + in.name();
        // the length check has made sure that the count fits an int
        CodeBlock n = cx.size(in.node().shape().numel());
        return CodeBlock.builder()
                .beginControlFlow("if ($N == 0)", CallForms.offset(arg))
                .addStatement("this.$N = $N", field, arg)
                .nextControlFlow("else")
                .beginControlFlow("if (this.$N == null || this.$N.length < $L)", stage, stage, n)
                .addStatement("this.$N = new $T[$L]", stage, in.isInt() ? TypeName.INT : cx.elem.type(), n)
                .endControlFlow()
                .addStatement("System.arraycopy($N, $N, this.$N, 0, $L)", arg, CallForms.offset(arg), stage, n)
                .addStatement("this.$N = this.$N", field, stage)
                .endControlFlow()
                .build();
    }

    /**
     * Checks array {@code arg}, whose elements start at offset {@code arg$at}: non-null (unless
     * {@code nullable}), a non-negative offset, and with {@code exact$} exactly the elements of
     * {@code shape}, else at least that many from the offset on. The message names the argument,
     * its shape, the expected element count (with the dims' values) and what it got (a length,
     * or null).
     */
    CodeBlock checkArray(String arg, String what, dev.nnc.ir.Shape shape, boolean nullable) {
        Size n = shape.numel();
        String at = CallForms.offset(arg);
        CodeBlock.Builder b = CodeBlock.builder();
        String shapeText = shape.toString();
        CodeBlock count = n.isStatic() ? CodeBlock.of("$L", n.coefficient()) : cx.longSize(n);
        CodeBlock needs = n.isStatic()
                ? CodeBlock.of("$S", what + " " + shapeText + " needs " + n.coefficient() + " elements")
                : CodeBlock.of("$S + $L + $S + $L + $S", what + " " + shapeText + " needs ", cx.longSize(n), " elements (",
                        dimsText(shape), ")");
        if (!nullable) {
            b.beginControlFlow("if ($N == null)", arg)
                    .addStatement("throw new $T($L + $S)", IllegalArgumentException.class, needs, ", got null")
                    .endControlFlow();
        } else {
            b.beginControlFlow("if ($N != null)", arg);
        }
        b.beginControlFlow("if ($N < 0)", at)
                .addStatement("throw new $T($S + $N + $S)", IllegalArgumentException.class, what + ": offset ", at, " is negative")
                .endControlFlow();
        b.beginControlFlow("if (exact$$ ? $N.length != $L : $N.length - $N < $L)", arg, count, arg, at, count)
                .addStatement("throw new $T($L + ($N == 0 ? $S : $S + $N + $S) + $N.length)", IllegalArgumentException.class, needs, at,
                        ", got ", " from offset ", at, ", got an array of ", arg)
                .endControlFlow();
        if (nullable) b.endControlFlow();
        return b.build();
    }

    /**
     * The element counts, over runtime dims, that this entry must check before it runs: every
     * tensor it touches must hold at most {@code Integer.MAX_VALUE} elements, or the kernels' int
     * sizes and offsets overflow (and the long sizes of buffers and checks too, with three dims or
     * more). Left out: counts that cannot exceed it (one dim), and counts no larger than another
     * one checked, or than one checked exactly before any kernel runs anyway: an input's length,
     * or a work buffer's size in {@code grow} (exact in long for two factors). Each count comes
     * with a shape that has it, for the message.
     */
    private Map<Size, dev.nnc.ir.Shape> sizesToCheck() {
        Map<Size, dev.nnc.ir.Shape> all = new HashMap<>();
        List<Size> covered = new ArrayList<>();
        for (Node n : plan.how.keySet()) {
            List<dev.nnc.ir.Shape> shapes = new ArrayList<>(List.of(n.shape()));
            if (n.op() == Leaf.SIZE) {
                List<Dim> ds = new ArrayList<>();
                for (String d : n.attr(Attr.Extent.class).size().symbols()) ds.add(Dim.sym(d));
                shapes.add(new dev.nnc.ir.Shape(ds));
            }
            for (dev.nnc.ir.Shape sh : shapes) {
                Size z = sh.numel();
                if (z.isStatic() || (z.coefficient() == 1 && z.symbols().size() == 1)) continue;
                all.merge(z, sh, (x, y) -> x.toString().compareTo(y.toString()) <= 0 ? x : y);
                if (n.op() == Leaf.INPUT && z.symbols().size() + (z.coefficient() == 1 ? 0 : 1) <= 2) covered.add(z);
            }
        }
        for (List<Node> slot : plan.slotNodes) {
            for (Node n : slot) {
                Size z = n.shape().numel();
                if (z.symbols().size() + (z.coefficient() == 1 ? 0 : 1) <= 2) covered.add(z);
            }
        }
        List<Size> syms = new ArrayList<>(all.keySet());
        syms.sort(java.util.Comparator.comparing((Size z) -> String.join(",", z.symbols())).thenComparingLong(Size::coefficient));
        Map<Size, dev.nnc.ir.Shape> out = new LinkedHashMap<>();
        for (Size z : syms) {
            boolean implied = covered.stream().anyMatch(c -> atMost(z, c));
            for (Size o : syms) implied |= !o.equals(z) && atMost(z, o);
            if (!implied) out.put(z, all.get(z));
        }
        return out;
    }

    private static boolean atMost(Size a, Size b) {
        return a.atMost(b);
    }

    private CodeBlock dimsText(dev.nnc.ir.Shape shape) {
        List<CodeBlock> parts = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Dim d : shape.dims()) {
            if (!d.isStatic() && seen.add(d.symbol())) parts.add(CodeBlock.of("$S + $N", d.symbol() + " = ", cx.dimField.get(d.symbol())));
        }
        return CodeBlock.join(parts, " + \", \" + ");
    }

    /** Statements (without their semicolons) growing the work buffers this entry uses to the sizes of this call. */
    List<CodeBlock> ensureBuffers() {
        List<CodeBlock> b = new ArrayList<>();
        for (int s = 0; s < plan.slotNodes.size(); s++) {
            List<CodeBlock> sizes = new ArrayList<>();
            Set<Size> seen = new HashSet<>();
            for (Node n : plan.slotNodes.get(s)) {
                Size z = n.shape().numel();
                if (seen.add(z)) sizes.add(cx.longSize(z));
            }
            CodeBlock max = sizes.get(0);
            for (int i = 1; i < sizes.size(); i++) max = CodeBlock.of("Math.max($L, $L)", max, sizes.get(i));
            b.add(CodeBlock.of("buf$$$L = grow(buf$$$L, $L)", s, s, max));
        }
        for (Map.Entry<String, List<Scratch>> e : scratch.entrySet()) {
            Scratch first = e.getValue().get(0);
            Set<Size> widths = new java.util.LinkedHashSet<>(), rows = new java.util.LinkedHashSet<>();
            for (Scratch sc : e.getValue()) {
                widths.add(sc.width());
                if (sc.isRows()) rows.add(sc.rows());
            }
            CodeBlock width = first.perLane() ? CodeBlock.of("$L * $L.length()", maxOf(widths), VectorModule.species()) : maxOf(widths);
            if (first.isRows()) {
                b.add(CodeBlock.of("$N = growRows($N, $L, $L)", first.field(), first.field(), maxOf(rows), width));
            } else {
                b.add(CodeBlock.of("$N = grow($N, $L)", first.field(), first.field(), width));
            }
            if (perWorker.contains(first.field())) {
                String w = first.perWorkerField();
                b.add(CodeBlock.of("for (int w$$ = 0; w$$ < threads$$; w$$++) $N[w$$] = $L($N[w$$], $L)", w,
                        first.isRows() ? "growRows" : "grow", w, first.isRows() ? CodeBlock.of("$L, $L", maxOf(rows), width) : width));
            }
        }
        return b;
    }

    private CodeBlock maxOf(Set<Size> sizes) {
        CodeBlock max = null;
        for (Size z : sizes) max = max == null ? cx.longSize(z) : CodeBlock.of("Math.max($L, $L)", max, cx.longSize(z));
        return max;
    }

    /** The field expression holding {@code n}'s elements during the run. */
    CodeBlock storage(Node n) {
        Node base = plan.base(n);
        if (direct.containsKey(base)) return direct.get(base);
        if (base.op() == Leaf.INPUT) return CodeBlock.of("$N", cx.inputField.get(base.leafName()));
        if (base.op() == Leaf.PARAM) return CodeBlock.of("$N", cx.paramField.get(base.leafName()));
        if (base.op() == Leaf.BUFFER) return CodeBlock.of("$N", cx.bufferField.get(base.leafName()));
        Integer s = plan.slot.get(base);
        if (s == null) throw new IllegalStateException("no storage for " + base);
        return CodeBlock.of("buf$$$L", s);
    }

    /** Adds the run methods; returns the name of the one to call. */
    String emitRun() {
        List<CodeBlock> calls = new ArrayList<>();
        for (Node n : plan.kernels) {
            Kernel k = new Kernel(cx.elem, cx.vector);
            OpKernels.of(n).emit(plan, k, n);
            if (k.vector && VectorKernels.tiny(n, k.arrays)) {
                k = new Kernel(cx.elem, false);
                OpKernels.of(n).emit(plan, k, n);
            }
            String method = cx.kernel(k, n);
            List<CodeBlock> args = new ArrayList<>();
            args.add(storage(n));
            for (Node a : k.arrays) args.add(storage(a));
            for (String d : k.dims) args.add(cx.dim(d));
            if (k.isRandom()) {
                args.add(CodeBlock.of("seed"));
                args.add(CodeBlock.of("step"));
            }
            List<CodeBlock> workerArgs = new ArrayList<>(args);
            for (Scratch sc : k.scratch()) {
                scratch.computeIfAbsent(sc.field(), f -> new ArrayList<>()).add(sc);
                cx.scratch.putIfAbsent(sc.field(), sc);
                args.add(CodeBlock.of("$N", sc.field()));
                workerArgs.add(CodeBlock.of("$N[w$$]", sc.perWorkerField()));
            }
            if (k.splitRows() != null) {
                // rows 0..m, split over the instance's threads when there are several and enough rows;
                // each thread with its own scratch
                for (Scratch sc : k.scratch()) {
                    perWorker.add(sc.field());
                    cx.perWorkerScratch.putIfAbsent(sc.perWorkerField(), sc);
                }
                workerArgs.add(CodeBlock.of("lo$$"));
                workerArgs.add(CodeBlock.of("hi$$"));
                args.add(CodeBlock.of("0"));
                args.add(cx.size(k.splitRows()));
            }
            // on the calling thread, a kernel with vector code runs as a step (VectorSteps), split or not: a run
            // method that inlined several products passed C2's node count and boxed their vectors
            CodeBlock call = CodeBlock.of("$N($L)", method, CodeBlock.join(args, ", "));
            if (k.splitRows() == null) {
                calls.add(onCaller(k, call));
                continue;
            }
            CodeBlock m = cx.size(k.splitRows());
            String task = cx.splitTask(CodeBlock.of("(w$$, lo$$, hi$$) -> $N($L)", method, CodeBlock.join(workerArgs, ", ")));
            CodeBlock onCaller = onCaller(k, call);
            calls.add(CodeBlock.of("if (threads$$ > 1 && $L >= $L && $L * $L >= $LL) rows$$($L, $N); else $L",
                    m, VectorKernels.PAR_MIN_ROWS, cx.longSize(k.splitRows()), cx.longSize(k.rowWork()), VectorKernels.PAR_MIN_WORK,
                    m, task, onCaller));
        }
        for (Target t : targets) {
            if (direct.get(t.root()) == t.field()) continue;
            calls.add(CodeBlock.of("System.arraycopy($L, 0, $L, 0, $L)", storage(t.root()), t.field(), cx.size(t.numel())));
        }
        String run = "run$" + name;
        if (calls.size() <= CALLS_PER_METHOD) {
            cx.type.addMethod(runMethod(run, calls));
            return run;
        }
        MethodSpec.Builder top = MethodSpec.methodBuilder(run).addModifiers(Modifier.PRIVATE);
        for (int i = 0, part = 0; i < calls.size(); i += CALLS_PER_METHOD, part++) {
            String sub = run + "$" + part;
            cx.type.addMethod(runMethod(sub, calls.subList(i, Math.min(calls.size(), i + CALLS_PER_METHOD))));
            top.addStatement("$N()", sub);
        }
        cx.type.addMethod(top.build());
        return run;
    }

    private static MethodSpec runMethod(String name, List<CodeBlock> calls) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE);
        for (CodeBlock c : calls) m.addStatement(c);
        return m.build();
    }

    /** Clears the references to the caller's arrays. */
    CodeBlock release() {
        CodeBlock.Builder b = CodeBlock.builder();
        for (Model.Input in : inputs) b.addStatement("this.$N = null", cx.inputField.get(in.name()));
        return b.build();
    }

    boolean reads(Node n) {
        return plan.how.containsKey(n);
    }

    static boolean isInt(Node n) {
        return n.dtype() == DType.INT;
    }

    /** {@code call} of kernel {@code k} as the calling thread makes it: through a step when the kernel has vector code. */
    private CodeBlock onCaller(Kernel k, CodeBlock call) {
        return k.runsAsStep() ? VectorSteps.step(cx, call) : call;
    }
}
