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
import dev.nnc.ir.Op;
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
    record Target(Node root, CodeBlock field, Sym numel) {}

    private final ClassContext cx;
    private final String name;
    private final List<Node> roots;
    /** Targets written by the run (fields); a root may feed several. */
    private final List<Target> targets;
    private final Plan plan;
    private final Map<Node, CodeBlock> direct = new LinkedHashMap<>();
    final List<Model.Input> inputs = new ArrayList<>();
    final List<String> dims = new ArrayList<>();
    /** The scratch sizes the kernels of this entry need (filled by {@link #emitRun}). */
    private final Set<Sym> scratchRows = new java.util.LinkedHashSet<>();
    private final Set<Sym> scratchWidths = new java.util.LinkedHashSet<>();
    /** The rows of the panel scratch the kernels of this entry need, and the temporaries' sizes (filled by {@link #emitRun}). */
    private final Set<Sym> packRows = new java.util.LinkedHashSet<>();
    /** Whether some product of this entry may split its rows over threads. */
    private boolean threads;
    private final Set<Sym> temps = new java.util.LinkedHashSet<>();

    EntryEmitter(ClassContext cx, String name, List<Node> roots, List<Target> targets) {
        this.cx = cx;
        this.name = name;
        this.roots = roots;
        this.targets = targets;
        Set<Node> directTargets = new HashSet<>();
        Plan trial = new Plan(roots, Set.of());
        for (Target t : targets) {
            if (trial.how.get(t.root()) == Plan.How.KERNEL && !direct.containsKey(t.root())) {
                direct.put(t.root(), t.field());
                directTargets.add(t.root());
            }
        }
        this.plan = new Plan(roots, directTargets);
        Set<Node> reach = plan.how.keySet();
        for (Model.Input in : cx.model.inputs()) if (reach.contains(in.node())) inputs.add(in);
        Set<String> used = new HashSet<>();
        for (Node n : reach) {
            for (Dim d : n.shape().dims()) if (!d.isStatic()) used.add(d.symbol());
            if (n.op() == Op.SIZE) used.addAll(n.attr(Attr.Dims.class).symbols());
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
        for (Map.Entry<Sym, dev.nnc.ir.Shape> big : sizesToCheck().entrySet()) {
            // in double: the product of int dims cannot overflow there, and is exact up to 2^53
            b.beginControlFlow("if ((double) $L > $L)", cx.size(big.getKey()), Integer.MAX_VALUE)
                    .addStatement("throw new $T($S + $L + $S)", IllegalArgumentException.class, "dims ",
                            dimsText(big.getValue()), " make a tensor " + big.getValue() + " of more than "
                                    + Integer.MAX_VALUE + " elements, more than nnc supports")
                    .endControlFlow();
        }
        for (Model.Input in : inputs) b.add(checkArray(cx.argName.get(in.name()), "input " + in.name(), in.node().shape()));
        for (Model.Input in : inputs) b.addStatement("this.$N = $N", cx.inputField.get(in.name()), cx.argName.get(in.name()));
        return b.build();
    }

    /**
     * Checks that array {@code arg} is non-null with exactly the elements of {@code shape}; the
     * message names the argument, its shape, the expected element count (with the dims' values)
     * and what it got (a length, or null).
     */
    CodeBlock checkArray(String arg, String what, dev.nnc.ir.Shape shape) {
        Sym n = Sym.numel(shape);
        CodeBlock.Builder b = CodeBlock.builder();
        String shapeText = shape.toString();
        CodeBlock needs = n.isStatic()
                ? CodeBlock.of("$S", what + " " + shapeText + " needs " + n.factor() + " elements, got ")
                : CodeBlock.of("$S + $L + $S + $L + $S", what + " " + shapeText + " needs ", cx.longSize(n), " elements (",
                        dimsText(shape), "), got ");
        b.beginControlFlow("if ($N == null)", arg)
                .addStatement("throw new $T($L + $S)", IllegalArgumentException.class, needs, "null")
                .endControlFlow();
        b.beginControlFlow("if ($N.length != $L)", arg, n.isStatic() ? CodeBlock.of("$L", n.factor()) : cx.longSize(n))
                .addStatement("throw new $T($L + $N.length)", IllegalArgumentException.class, needs, arg)
                .endControlFlow();
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
    private Map<Sym, dev.nnc.ir.Shape> sizesToCheck() {
        Map<Sym, dev.nnc.ir.Shape> all = new HashMap<>();
        List<Sym> covered = new ArrayList<>();
        for (Node n : plan.how.keySet()) {
            List<dev.nnc.ir.Shape> shapes = new ArrayList<>(List.of(n.shape()));
            if (n.op() == Op.SIZE) {
                List<Dim> ds = new ArrayList<>();
                for (String d : n.attr(Attr.Dims.class).symbols()) ds.add(Dim.sym(d));
                shapes.add(new dev.nnc.ir.Shape(ds));
            }
            for (dev.nnc.ir.Shape sh : shapes) {
                Sym z = Sym.numel(sh);
                if (z.isStatic() || (z.factor() == 1 && z.symbols().size() == 1)) continue;
                all.merge(z, sh, (x, y) -> x.toString().compareTo(y.toString()) <= 0 ? x : y);
                if (n.op() == Op.INPUT && z.symbols().size() + (z.factor() == 1 ? 0 : 1) <= 2) covered.add(z);
            }
        }
        for (List<Node> slot : plan.slotNodes) {
            for (Node n : slot) {
                Sym z = Sym.numel(n.shape());
                if (z.symbols().size() + (z.factor() == 1 ? 0 : 1) <= 2) covered.add(z);
            }
        }
        List<Sym> syms = new ArrayList<>(all.keySet());
        syms.sort(java.util.Comparator.comparing((Sym z) -> String.join(",", z.symbols())).thenComparingLong(Sym::factor));
        Map<Sym, dev.nnc.ir.Shape> out = new LinkedHashMap<>();
        for (Sym z : syms) {
            boolean implied = covered.stream().anyMatch(c -> atMost(z, c));
            for (Sym o : syms) implied |= !o.equals(z) && atMost(z, o);
            if (!implied) out.put(z, all.get(z));
        }
        return out;
    }

    /** Whether {@code a} is at most {@code b} for all dims (each at least 1): fewer of each dim, and a smaller factor. */
    private static boolean atMost(Sym a, Sym b) {
        if (a.factor() > b.factor()) return false;
        List<String> rest = new ArrayList<>(b.symbols());
        for (String d : a.symbols()) if (!rest.remove(d)) return false;
        return true;
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
            Set<Sym> seen = new HashSet<>();
            for (Node n : plan.slotNodes.get(s)) {
                Sym z = Sym.numel(n.shape());
                if (seen.add(z)) sizes.add(cx.longSize(z));
            }
            CodeBlock max = sizes.get(0);
            for (int i = 1; i < sizes.size(); i++) max = CodeBlock.of("Math.max($L, $L)", max, sizes.get(i));
            b.add(CodeBlock.of("buf$$$L = grow(buf$$$L, $L)", s, s, max));
        }
        if (!scratchWidths.isEmpty()) {
            CodeBlock rows = maxOf(scratchRows), width = maxOf(scratchWidths);
            b.add(CodeBlock.of("scratch$$acc = grow(scratch$$acc, $L)", width));
            b.add(CodeBlock.of("scratch$$rows = growRows(scratch$$rows, $L, $L)", rows, width));
        }
        if (!packRows.isEmpty()) {
            CodeBlock panel = CodeBlock.of("$L * $L * SPECIES.length()", maxOf(packRows), VectorKernels.COLS);
            b.add(CodeBlock.of("scratch$$pack = grow(scratch$$pack, $L)", panel));
            if (threads) b.add(CodeBlock.of("for (int w$$ = 0; w$$ < threads$$; w$$++) scratch$$packs[w$$] = grow(scratch$$packs[w$$], $L)", panel));
        }
        if (!temps.isEmpty()) b.add(CodeBlock.of("scratch$$temp = grow(scratch$$temp, $L)", maxOf(temps)));
        return b;
    }

    private CodeBlock maxOf(Set<Sym> sizes) {
        CodeBlock max = null;
        for (Sym z : sizes) max = max == null ? cx.longSize(z) : CodeBlock.of("Math.max($L, $L)", max, cx.longSize(z));
        return max;
    }

    /** The field expression holding {@code n}'s elements during the run. */
    CodeBlock storage(Node n) {
        Node base = plan.base(n);
        if (direct.containsKey(base)) return direct.get(base);
        if (base.op() == Op.INPUT) return CodeBlock.of("$N", cx.inputField.get(base.leafName()));
        if (base.op() == Op.PARAM) return CodeBlock.of("$N", cx.paramField.get(base.leafName()));
        Integer s = plan.slot.get(base);
        if (s == null) throw new IllegalStateException("no storage for " + base);
        return CodeBlock.of("buf$$$L", s);
    }

    /** Adds the run methods; returns the name of the one to call. */
    String emitRun() {
        List<CodeBlock> calls = new ArrayList<>();
        for (Node n : plan.kernels) {
            Kernel k = new Kernel(cx.elem, cx.vector);
            Kernels.emit(plan, k, n);
            collectHelpers(n);
            String method = cx.kernel(k, n);
            List<CodeBlock> args = new ArrayList<>();
            args.add(storage(n));
            for (Node a : k.arrays) args.add(storage(a));
            for (String d : k.dims) args.add(cx.dim(d));
            if (k.random) {
                args.add(CodeBlock.of("seed"));
                args.add(CodeBlock.of("step"));
            }
            if (k.scratch) {
                args.add(CodeBlock.of("scratch$$rows"));
                args.add(CodeBlock.of("scratch$$acc"));
                scratchRows.add(k.scratchRows);
                scratchWidths.add(k.scratchWidth);
                cx.usesScratch = true;
            }
            int packArg = args.size();
            if (!k.packRows.isEmpty()) {
                args.add(CodeBlock.of("scratch$$pack"));
                packRows.addAll(k.packRows);
                cx.usesPack = true;
            }
            if (k.temp != null) {
                args.add(CodeBlock.of("scratch$$temp"));
                temps.add(k.temp);
                cx.usesTemp = true;
            }
            if (k.rowRange != null) {
                // rows 0..m, split over the instance's threads when there are several and enough rows
                CodeBlock m = cx.size(k.rowRange);
                // the same arguments, each thread with its own panel scratch (the product always takes one)
                List<CodeBlock> par = new ArrayList<>(args);
                par.set(packArg, CodeBlock.of("scratch$$packs[w$$]"));
                par.add(CodeBlock.of("lo$$"));
                par.add(CodeBlock.of("hi$$"));
                args.add(CodeBlock.of("0"));
                args.add(m);
                calls.add(CodeBlock.of("if (threads$$ > 1 && $L >= $L && $L * $L >= $LL) rows$$($L, (w$$, lo$$, hi$$) -> $N($L)); else $N($L)",
                        m, VectorKernels.PAR_MIN_ROWS, cx.longSize(k.rowRange), cx.longSize(k.rowWork), VectorKernels.PAR_MIN_WORK,
                        m, method, CodeBlock.join(par, ", "), method, CodeBlock.join(args, ", ")));
                cx.usesThreads = true;
                threads = true;
                continue;
            }
            CodeBlock call = CodeBlock.of("$N($L)", method, CodeBlock.join(args, ", "));
            calls.add(k.vectorCode ? VectorSteps.step(cx, call) : call);
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

    private void collectHelpers(Node kernelNode) {
        List<Node> stack = new ArrayList<>(List.of(kernelNode));
        Set<Node> seen = new HashSet<>();
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (!seen.add(n)) continue;
            cx.helpers.addAll(Scalar.helpers(n));
            for (Node i : n.inputs()) {
                Plan.How h = plan.how.get(i);
                if (h == Plan.How.FUSED || h == Plan.How.INLINE || (h == Plan.How.VIEW && i.op() == Op.BROADCAST)) stack.add(i);
            }
        }
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
}
