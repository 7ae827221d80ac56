package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ir.Shape;
import dev.nnc.codegen.Plans.How;
import dev.nnc.ops.Binary;
import dev.nnc.ops.Elementwise;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;
import dev.nnc.ops.Reduce;
import dev.nnc.ops.VectorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loop kernels: an elementwise node with everything fused into it, or a reduction whose input
 * expression is fused into the reduction loop. Both iterate over an index space in row-major
 * order; every array is read through strides (zero along broadcast dims), adjacent dims that
 * are contiguous for every array are merged, and the innermost loop runs over the last dim,
 * so same-shape chains become one flat loop that C2 can vectorize.
 */
final class Loops {
    /** Vectors below which an innermost loop of a runtime size runs as scalar code ({@link #innerLoop}). */
    static final int SMALL_VECTORS = 2;

    private final Plan plan;
    private final Kernel k;
    /** Array reads: (storage node, strides over the index space, offset) → operand index (0 is the output). */
    private final Map<List<Object>, Integer> reads = new LinkedHashMap<>();
    /** The operand each node read as an array is read through. */
    private final Map<Node, Integer> readOf = new HashMap<>();
    private final List<String> arrayNames = new ArrayList<>();
    private final List<List<Size>> strides = new ArrayList<>();
    /** Each operand's offset of its first element (zero unless it is read through an indexing). */
    private final List<Size> starts = new ArrayList<>();

    /**
     * Where a value's elements are: the array of {@code base} (a storage node; null for the
     * kernel's own output), the step of each of the value's axes in it, and the first element's offset.
     */
    private record Access(Node base, List<Size> strides, Size offset) {}

    private Loops(Plan plan, Kernel k) {
        this.plan = plan;
        this.k = k;
    }

    /** Emits the loop computing {@code n} (elementwise, broadcast, constant fill or reduction). */
    static void emit(Plan plan, Kernel k, Node n) {
        new Loops(plan, k).run(n);
    }

    private void run(Node n) {
        Reduce reduction = n.op() instanceof Reduce r ? r : null;
        boolean reduce = reduction != null;
        boolean place = n.op() == Layout.PLACE; // loops over its input, writing where the selection was
        Node src = reduce || place ? n.input(0) : n;
        Shape space = src.shape();
        arrayNames.add("out");
        if (place) {
            Access at = select(n.attr(Attr.Select.class), new Access(null, n.shape().strides(), Size.ZERO));
            strides.add(at.strides());
            starts.add(at.offset());
        } else {
            strides.add(reduce ? reductionStrides(n) : space.strides());
            starts.add(Size.ZERO);
        }
        collect(src, space, src == n);
        // merge dims
        List<Size> sizes = new ArrayList<>();
        for (Dim d : space.dims()) sizes.add(Size.of(d));
        List<List<Size>> st = new ArrayList<>();
        for (List<Size> s : strides) st.add(new ArrayList<>(s));
        coalesce(sizes, st);
        Map<Integer, CodeBlock> offsets = new HashMap<>();
        for (int o = 0; o < starts.size(); o++) {
            if (!starts.get(o).isZero()) offsets.put(o, CodeBlock.of("($L)", k.size(starts.get(o))));
        }
        CodeBlock.Builder b = k.body;
        if (reduce || place) {
            CodeBlock fill = k.elem.lit(reduce ? reduction.identity() : 0);
            b.addStatement("$T.fill(out, 0, $L, $L)", java.util.Arrays.class, k.size(n.shape().numel()), fill);
        }
        int r = sizes.size();
        if (r == 0) {
            for (int o = 0; o < arrayNames.size(); o++) offsets.put(o, offsetOr0(offsets, o));
            b.addStatement(store(n, reduce, offsets, src));
            return;
        }
        boolean accumulate = reduce && st.get(0).get(r - 1).isZero();
        for (int lvl = 0; lvl < r - 1; lvl++) {
            String i = "i" + lvl;
            b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", i, i, k.size(sizes.get(lvl)), i);
            for (int o = 0; o < arrayNames.size(); o++) {
                Size s = st.get(o).get(lvl);
                if (s.isZero()) continue;
                CodeBlock term = s.isOne() ? CodeBlock.of("$L", i) : CodeBlock.of("$L * $L", i, k.size(s));
                CodeBlock prev = offsets.get(o);
                String var = "o" + o + "_" + lvl;
                b.addStatement("int $L = $L", var, prev == null ? term : CodeBlock.of("$L + $L", prev, term));
                offsets.put(o, CodeBlock.of("$L", var));
            }
        }
        innerLoop(n, src, reduce, accumulate, sizes.get(r - 1), st, r - 1, offsets);
        for (int lvl = r - 2; lvl >= 0; lvl--) b.endControlFlow();
    }

    /**
     * The innermost loop. On the vector backend, when every op of the fused expression has a
     * lane-wise form and every array is read contiguously or broadcast along this dim, a vector
     * loop runs first and the scalar loop finishes the remainder.
     */
    private void innerLoop(Node n, Node src, boolean reduce, boolean accumulate, Size size, List<List<Size>> st, int lvl,
                           Map<Integer, CodeBlock> bases) {
        CodeBlock.Builder b = k.body;
        String i = "i" + lvl;
        Reduce reduction = n.op() instanceof Reduce r ? r : null;
        boolean vector = k.vector && vectorizable(src, src == n) && stridesFit(st, lvl);
        if (accumulate) b.addStatement("$T acc = out[$L]", k.elem.type(), offsetOr0(bases, 0));
        CodeBlock start = CodeBlock.of("0");
        if (vector) {
            k.runAsStep();
            ClassName V = VectorKernels.vectorType(k.elem);
            ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
            VectorCode vc = k.vectorCode();
            Map<Integer, CodeBlock> vOff = new HashMap<>();
            for (int o = 0; o < arrayNames.size(); o++) {
                boolean contiguous = st.get(o).get(lvl).isOne();
                CodeBlock base = bases.get(o);
                vOff.put(o, contiguous ? (base == null ? CodeBlock.of("iv") : CodeBlock.of("$L + iv", base)) : offsetOr0(bases, o));
            }
            b.addStatement("int iv = 0");
            if (size.isStatic()) {
                b.addStatement("final int bound = $L - $L % SPECIES.length()", k.size(size), k.size(size));
            } else {
                // a runtime size below two vectors runs the scalar loop: a vector loop of one pass per call gains
                // nothing, and such a kernel (W5's [batch] loss steps, once per step) stays in C1's code, which
                // allocates its vectors, until C2 compiles it after thousands of steps
                b.addStatement("final int bound = $L < $L * SPECIES.length() ? 0 : $L - $L % SPECIES.length()", k.size(size), SMALL_VECTORS,
                        k.size(size), k.size(size));
            }
            if (accumulate) b.addStatement("$T vacc = $L", V, vc.constant(reduction.identity()));
            b.beginControlFlow("for (; iv < bound; iv += SPECIES.length())");
            // the computed vector receives the calls, the loop-carried or loaded one is their argument
            // (VectorExact; a reduction's combination is commutative lane for lane)
            CodeBlock v = receiver(vexpr(src, vOff, st, lvl, src == n));
            if (accumulate) {
                b.addStatement("vacc = $L", reduction.vcombine(v, CodeBlock.of("vacc")));
            } else if (!reduce) {
                b.addStatement("$L.intoArray(out, $L)", v, vOff.get(0));
            } else {
                CodeBlock old = CodeBlock.of("$T.fromArray(SPECIES, out, $L)", V, vOff.get(0));
                b.addStatement("$L.intoArray(out, $L)", reduction.vcombine(v, old), vOff.get(0));
            }
            b.endControlFlow();
            if (accumulate) {
                CodeBlock vacc = VectorExact.exact(k.elem, CodeBlock.of("vacc"));
                CodeBlock lanes = switch (reduction) {
                    case SUM -> {
                        // in lane order: the same bits whichever compiler ran (VectorExact.sumLanes)
                        VectorExact.sumLanes(k, b, "lanes", vacc);
                        yield CodeBlock.of("lanes");
                    }
                    case MAX -> CodeBlock.of("$L.reduceLanes($T.$L)", vacc, ops, reduction.lanes()); // any order, the same max
                };
                b.addStatement(reduction.update(CodeBlock.of("acc"), lanes));
            }
            start = CodeBlock.of("iv");
        }
        b.beginControlFlow("for (int $L = $L; $L < $L; $L++)", i, start, i, k.size(size), i);
        Map<Integer, CodeBlock> offsets = new HashMap<>(bases);
        for (int o = 0; o < arrayNames.size(); o++) {
            Size s = st.get(o).get(lvl);
            if (s.isZero()) continue;
            CodeBlock term = s.isOne() ? CodeBlock.of("$L", i) : CodeBlock.of("$L * $L", i, k.size(s));
            CodeBlock prev = bases.get(o);
            offsets.put(o, prev == null ? term : CodeBlock.of("$L + $L", prev, term));
        }
        if (accumulate) {
            b.addStatement(reduction.update(CodeBlock.of("acc"), expr(src, offsets, src == n)));
        } else {
            b.addStatement(store(n, reduce, offsets, src));
        }
        b.endControlFlow();
        if (accumulate) b.addStatement("out[$L] = acc", offsetOr0(bases, 0));
    }

    /** Every array is read contiguously or broadcast along the inner dim (and the output is written contiguously or reduced). */
    private static boolean stridesFit(List<List<Size>> st, int lvl) {
        for (List<Size> s : st) if (!s.get(lvl).isOne() && !s.get(lvl).isZero()) return false;
        return true;
    }

    /** Whether the fused expression of {@code n} has a lane-wise vector form. */
    private boolean vectorizable(Node n, boolean top) {
        if (!top && plan.how.get(n) != How.FUSED) {
            if (plan.isBroadcastView(n)) return vectorizable(n.input(0), false);
            return true; // a leaf: an array read, a constant or a dim
        }
        if (n.op() == Leaf.CONST || n.op() == Leaf.SIZE || OpKernels.isStrided(n)) return true;
        if (n.op() == Layout.BROADCAST) return vectorizable(n.input(0), false);
        if (!(n.op() instanceof Elementwise e)) return false;
        List<CodeBlock> probe = new ArrayList<>();
        for (Node i : n.inputs()) {
            if (!vectorizable(i, false)) return false;
            probe.add(CodeBlock.of("v"));
        }
        return e.vector(k.vectorCode(), n, probe) != null;
    }

    /** A vector expression, and whether C2 knows its class exactly while parsing (loads: no; see {@link VectorExact}). */
    private record VExpr(CodeBlock code, boolean exact) {}

    /** {@code e} written so that it can receive a call. */
    private CodeBlock receiver(VExpr e) {
        return e.exact() ? e.code() : VectorExact.exact(k.elem, e.code());
    }

    /**
     * The vector expression of {@code n} at vector offsets {@code vOff}. An op's vector code calls
     * methods only on its first argument ({@link VectorCode}), so that one is written as a
     * receiver; a commutative op takes an exact second argument first instead, which saves the
     * {@code -0 + v} of a load.
     */
    private VExpr vexpr(Node n, Map<Integer, CodeBlock> vOff, List<List<Size>> st, int lvl, boolean top) {
        ClassName V = VectorKernels.vectorType(k.elem);
        VectorCode vc = k.vectorCode(k.body);
        if (n.op() == Leaf.CONST) return new VExpr(vc.broadcast(k.elem.lit(n.constValue())), true);
        if (n.op() == Leaf.SIZE) return new VExpr(vc.broadcast(size(n)), true);
        if ((!top && plan.how.get(n) != How.FUSED) || OpKernels.isStrided(n)) {
            if (!top && plan.isBroadcastView(n)) return vexpr(n.input(0), vOff, st, lvl, false);
            int idx = readOf.get(n);
            String arr = arrayNames.get(idx);
            if (st.get(idx).get(lvl).isZero()) return new VExpr(vc.broadcast(CodeBlock.of("$L[$L]", arr, vOff.get(idx))), true);
            return new VExpr(CodeBlock.of("$T.fromArray(SPECIES, $L, $L)", V, arr, vOff.get(idx)), false);
        }
        if (n.op() == Layout.BROADCAST) return vexpr(n.input(0), vOff, st, lvl, false);
        List<VExpr> a = new ArrayList<>();
        for (Node i : n.inputs()) a.add(vexpr(i, vOff, st, lvl, false));
        if (n.op() instanceof Binary bin && bin.commutative() && !a.get(0).exact() && a.get(1).exact()) a = List.of(a.get(1), a.get(0));
        List<CodeBlock> args = new ArrayList<>();
        for (VExpr x : a) args.add(args.isEmpty() ? receiver(x) : x.code());
        CodeBlock v = ((Elementwise) n.op()).vector(vc, n, args);
        if (v == null) throw new IllegalStateException("no vector form for " + n.op());
        return new VExpr(v, true);
    }

    private CodeBlock offsetOr0(Map<Integer, CodeBlock> offsets, int o) {
        CodeBlock c = offsets.get(o);
        return c == null ? CodeBlock.of("0") : c;
    }

    private CodeBlock store(Node n, boolean reduce, Map<Integer, CodeBlock> offsets, Node src) {
        CodeBlock at = offsetOr0(offsets, 0);
        CodeBlock v = expr(src, offsets, src == n);
        if (!reduce) return CodeBlock.of("out[$L] = $L", at, v);
        return ((Reduce) n.op()).update(CodeBlock.of("out[$L]", at), v);
    }

    /** Strides of a reduction's output over its input's index space (zero along reduced axes). */
    private static List<Size> reductionStrides(Node n) {
        Shape in = n.input(0).shape();
        List<Integer> axes = n.attr(Attr.Axes.class).axes();
        List<Dim> kept = new ArrayList<>();
        for (int i = 0; i < in.rank(); i++) if (!axes.contains(i)) kept.add(in.get(i));
        List<Size> keptStrides = (new Shape(kept)).strides();
        List<Size> out = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < in.rank(); i++) out.add(axes.contains(i) ? Size.ZERO : keptStrides.get(j++));
        return out;
    }

    /**
     * Strides over index space {@code space} of a value of shape {@code have} whose axes step by
     * {@code own} (NumPy broadcasting: zero along stretched and missing axes).
     */
    static List<Size> broadcastStrides(List<Size> own, Shape have, Shape space) {
        List<Size> out = new ArrayList<>();
        int lead = space.rank() - have.rank();
        for (int i = 0; i < space.rank(); i++) {
            int j = i - lead;
            if (j < 0 || (have.get(j).isOne() && !space.get(i).isOne())) out.add(Size.ZERO);
            else out.add(own.get(j));
        }
        return out;
    }

    /** Registers the arrays read by the fused expression of {@code n}. */
    private void collect(Node n, Shape space, boolean top) {
        How h = plan.how.get(n);
        if (!top && h != How.FUSED) {
            if (h == How.INLINE) return;
            if (plan.isBroadcastView(n)) {
                collect(n.input(0), space, false);
                return;
            }
            read(n, space, false);
            return;
        }
        if (n.op() == Layout.BROADCAST) {
            collect(n.input(0), space, false);
            return;
        }
        if (OpKernels.isStrided(n)) {
            read(n, space, true);
            return;
        }
        if (n.op() == Leaf.CONST || n.op() == Leaf.SIZE) return;
        for (Node i : n.inputs()) collect(i, space, false);
    }

    /** Registers an array read of {@code n}'s elements over {@code space}, through the views it is made of. */
    private void read(Node n, Shape space, boolean top) {
        Access a = access(n, top);
        List<Size> st = broadcastStrides(a.strides(), n.shape(), space);
        List<Object> key = List.of(a.base(), st, a.offset());
        Integer idx = reads.get(key);
        if (idx == null) {
            idx = arrayNames.size();
            reads.put(key, idx);
            arrayNames.add(k.array(a.base()));
            strides.add(st);
            starts.add(a.offset());
        }
        readOf.put(n, idx);
    }

    /**
     * Where {@code n}'s elements are: the storage of {@code n} itself, or, for a view (or a view
     * computed by this very kernel, {@code top}), its input's elements seen through it.
     */
    private Access access(Node n, boolean top) {
        boolean view = top || plan.how.get(n) == How.VIEW;
        if (view && n.op() == Layout.BROADCAST) {
            Access in = access(n.input(0), false);
            return new Access(in.base(), broadcastStrides(in.strides(), n.input(0).shape(), n.shape()), in.offset());
        }
        if (view && n.op() == Layout.PERMUTE) {
            Access in = access(n.input(0), false);
            List<Size> st = new ArrayList<>();
            for (int a : n.attr(Attr.Perm.class).axes()) st.add(in.strides().get(a));
            return new Access(in.base(), st, in.offset());
        }
        if (view && n.op() == Layout.SELECT) return select(n.attr(Attr.Select.class), access(n.input(0), false));
        Node base = plan.base(n);
        return new Access(base, n.shape().strides(), Size.ZERO);
    }

    /** The elements that {@code s} selects from a value whose elements are at {@code in}. */
    private static Access select(Attr.Select s, Access in) {
        List<Size> st = new ArrayList<>();
        Size offset = in.offset();
        for (int a = 0; a < s.ranges().size(); a++) {
            Attr.Range r = s.ranges().get(a);
            Size step = in.strides().get(a);
            Size first = r.whole() ? Size.ZERO
                    : r.fromEnd() ? Size.of(s.source().get(a)).plus(Size.constant(-r.start())) : Size.constant(r.start());
            offset = offset.plus(first.times(step));
            if (!r.drop()) st.add(step.times(r.step()));
        }
        return new Access(in.base(), st, offset);
    }

    /** Merges adjacent dims contiguous for every operand, after dropping static size-1 dims. */
    private static void coalesce(List<Size> sizes, List<List<Size>> st) {
        for (int i = sizes.size() - 1; i >= 0; i--) {
            if (sizes.get(i).isOne()) {
                sizes.remove(i);
                for (List<Size> s : st) s.remove(i);
            }
        }
        for (int i = sizes.size() - 2; i >= 0; i--) {
            boolean ok = true;
            for (List<Size> s : st) ok &= s.get(i).equals(s.get(i + 1).times(sizes.get(i + 1)));
            if (ok) {
                sizes.set(i, sizes.get(i).times(sizes.get(i + 1)));
                sizes.remove(i + 1);
                for (List<Size> s : st) s.remove(i);
                // s.get(i) now holds the inner stride (the merged dim's stride)
            }
        }
    }

    /** The element expression of {@code n} at the current offsets. */
    private CodeBlock expr(Node n, Map<Integer, CodeBlock> offsets, boolean top) {
        if (n.op() == Leaf.CONST) return k.elem.lit(n.constValue());
        if (n.op() == Leaf.SIZE) return size(n);
        if ((!top && plan.how.get(n) != How.FUSED) || OpKernels.isStrided(n)) {
            if (!top && plan.isBroadcastView(n)) return expr(n.input(0), offsets, false);
            int idx = readOf.get(n);
            return CodeBlock.of("$L[$L]", arrayNames.get(idx), offsetOr0(offsets, idx));
        }
        if (n.op() == Layout.BROADCAST) return expr(n.input(0), offsets, false);
        List<CodeBlock> a = new ArrayList<>();
        for (Node i : n.inputs()) a.add(expr(i, offsets, false));
        return ((Elementwise) n.op()).scalar(k.scalarCode(), n, a);
    }

    private CodeBlock size(Node n) {
        return k.elem.fromInt(k.size(n.attr(Attr.Extent.class).size()));
    }
}
