package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Node;
import dev.nnc.ir.Op;
import dev.nnc.ir.Shape;
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
    private final Plan plan;
    private final Kernel k;
    /** Array reads: (storage node, shape read as) → operand index (0 is the output). */
    private final Map<List<Object>, Integer> reads = new LinkedHashMap<>();
    private final List<String> arrayNames = new ArrayList<>();
    private final List<List<Sym>> strides = new ArrayList<>();

    private Loops(Plan plan, Kernel k) {
        this.plan = plan;
        this.k = k;
    }

    /** Emits the loop computing {@code n} (elementwise, broadcast, constant fill or reduction). */
    static void emit(Plan plan, Kernel k, Node n) {
        new Loops(plan, k).run(n);
    }

    private void run(Node n) {
        boolean reduce = n.op() == Op.SUM || n.op() == Op.MAX;
        Node src = reduce ? n.input(0) : n;
        Shape space = src.shape();
        arrayNames.add("out");
        strides.add(reduce ? reductionStrides(n) : Sym.strides(space));
        collect(src, space, !reduce);
        // merge dims
        List<Sym> sizes = new ArrayList<>();
        for (Dim d : space.dims()) sizes.add(Sym.of(d));
        List<List<Sym>> st = new ArrayList<>();
        for (List<Sym> s : strides) st.add(new ArrayList<>(s));
        coalesce(sizes, st);
        Map<Integer, CodeBlock> offsets = new HashMap<>();
        CodeBlock.Builder b = k.body;
        if (reduce) {
            CodeBlock identity = n.op() == Op.SUM ? k.elem.lit(0) : k.elem.lit(Double.NEGATIVE_INFINITY);
            b.addStatement("$T.fill(out, 0, $L, $L)", java.util.Arrays.class, k.size(Sym.numel(n.shape())), identity);
        }
        int r = sizes.size();
        if (r == 0) {
            for (int o = 0; o < arrayNames.size(); o++) offsets.put(o, CodeBlock.of("0"));
            b.addStatement(store(n, reduce, offsets, src));
            return;
        }
        boolean accumulate = reduce && st.get(0).get(r - 1).isZero();
        for (int lvl = 0; lvl < r - 1; lvl++) {
            String i = "i" + lvl;
            b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", i, i, k.size(sizes.get(lvl)), i);
            for (int o = 0; o < arrayNames.size(); o++) {
                Sym s = st.get(o).get(lvl);
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
    private void innerLoop(Node n, Node src, boolean reduce, boolean accumulate, Sym size, List<List<Sym>> st, int lvl,
                           Map<Integer, CodeBlock> bases) {
        CodeBlock.Builder b = k.body;
        String i = "i" + lvl;
        boolean sum = n.op() == Op.SUM;
        boolean vector = k.vector && vectorizable(src, !reduce) && stridesFit(st, lvl);
        if (accumulate) b.addStatement("$T acc = out[$L]", k.elem.type(), offsetOr0(bases, 0));
        CodeBlock start = CodeBlock.of("0");
        if (vector) {
            k.vectorCode = true;
            ClassName V = VectorKernels.vectorType(k.elem);
            ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
            Map<Integer, CodeBlock> vOff = new HashMap<>();
            for (int o = 0; o < arrayNames.size(); o++) {
                boolean contiguous = st.get(o).get(lvl).isOne();
                CodeBlock base = bases.get(o);
                vOff.put(o, contiguous ? (base == null ? CodeBlock.of("iv") : CodeBlock.of("$L + iv", base)) : offsetOr0(bases, o));
            }
            b.addStatement("int iv = 0");
            b.addStatement("final int bound = $L - $L % SPECIES.length()", k.size(size), k.size(size));
            if (accumulate) {
                b.addStatement("$T vacc = $L", V, sum ? VectorExact.zero(k.elem) : VectorExact.broadcast(k.elem.lit(Double.NEGATIVE_INFINITY)));
            }
            b.beginControlFlow("for (; iv < bound; iv += SPECIES.length())");
            // the computed vector receives the call, the loop-carried or loaded one is its argument (VectorExact)
            CodeBlock v = receiver(vexpr(src, vOff, st, lvl, !reduce));
            if (accumulate) {
                b.addStatement(sum ? "vacc = $L.add(vacc)" : "vacc = $L.max(vacc)", v);
            } else if (!reduce) {
                b.addStatement("$L.intoArray(out, $L)", v, vOff.get(0));
            } else {
                CodeBlock old = CodeBlock.of("$T.fromArray(SPECIES, out, $L)", V, vOff.get(0));
                b.addStatement("$L.$L($L).intoArray(out, $L)", v, sum ? "add" : "max", old, vOff.get(0));
            }
            b.endControlFlow();
            if (accumulate) {
                CodeBlock lanes = VectorExact.exact(k.elem, CodeBlock.of("vacc"));
                b.addStatement(sum ? "acc += $L.reduceLanes($T.ADD)" : "acc = Math.max(acc, $L.reduceLanes($T.MAX))", lanes, ops);
            }
            start = CodeBlock.of("iv");
        }
        b.beginControlFlow("for (int $L = $L; $L < $L; $L++)", i, start, i, k.size(size), i);
        Map<Integer, CodeBlock> offsets = new HashMap<>(bases);
        for (int o = 0; o < arrayNames.size(); o++) {
            Sym s = st.get(o).get(lvl);
            if (s.isZero()) continue;
            CodeBlock term = s.isOne() ? CodeBlock.of("$L", i) : CodeBlock.of("$L * $L", i, k.size(s));
            CodeBlock prev = bases.get(o);
            offsets.put(o, prev == null ? term : CodeBlock.of("$L + $L", prev, term));
        }
        if (accumulate) {
            CodeBlock v = expr(src, offsets, !reduce);
            if (sum) b.addStatement("acc += $L", v);
            else b.addStatement("acc = Math.max(acc, $L)", v);
        } else {
            b.addStatement(store(n, reduce, offsets, src));
        }
        b.endControlFlow();
        if (accumulate) b.addStatement("out[$L] = acc", offsetOr0(bases, 0));
    }

    /** Every array is read contiguously or broadcast along the inner dim (and the output is written contiguously or reduced). */
    private static boolean stridesFit(List<List<Sym>> st, int lvl) {
        for (List<Sym> s : st) if (!s.get(lvl).isOne() && !s.get(lvl).isZero()) return false;
        return true;
    }

    /** Whether the fused expression of {@code n} has a lane-wise vector form. */
    private boolean vectorizable(Node n, boolean top) {
        Plan.How h = plan.how.get(n);
        if (!top && h != Plan.How.FUSED) {
            if (h == Plan.How.VIEW && n.op() == Op.BROADCAST) return vectorizable(n.input(0), false);
            return true; // a leaf: an array read, a constant or a dim
        }
        switch (n.op()) {
            case BROADCAST:
                return vectorizable(n.input(0), false);
            case CONST: case SIZE:
            case ADD: case SUB: case MUL: case DIV: case NEG: case MAXIMUM: case MINIMUM: case RELU: case ABS: case SQRT:
            case GT: case EQ: case CLAMP:
                break;
            case POWC:
                if (n.constValue() != 2 && n.constValue() != 1) return false;
                break;
            default:
                return false;
        }
        for (Node i : n.inputs()) if (!vectorizable(i, false)) return false;
        return true;
    }

    /** A vector expression, and whether C2 knows its class exactly while parsing (loads: no; see {@link VectorExact}). */
    private record VExpr(CodeBlock code, boolean exact) {}

    /** {@code e} written so that it can receive a call. */
    private CodeBlock receiver(VExpr e) {
        return e.exact() ? e.code() : VectorExact.exact(k.elem, e.code());
    }

    /**
     * {@code x.op(y)} for a commutative op: the exact one of the two receives the call (the same
     * lanes bit for bit, IEEE addition, multiplication, max and min being commutative).
     */
    private VExpr commutative(String op, VExpr x, VExpr y) {
        return !x.exact() && y.exact() ? new VExpr(CodeBlock.of("$L.$L($L)", y.code(), op, x.code()), true)
                : new VExpr(CodeBlock.of("$L.$L($L)", receiver(x), op, y.code()), true);
    }

    /** The vector expression of {@code n} at vector offsets {@code vOff}. */
    private VExpr vexpr(Node n, Map<Integer, CodeBlock> vOff, List<List<Sym>> st, int lvl, boolean top) {
        ClassName V = VectorKernels.vectorType(k.elem);
        Plan.How h = plan.how.get(n);
        if (!top && h != Plan.How.FUSED) {
            if (n.op() == Op.CONST) return new VExpr(VectorExact.broadcast(k.elem.lit(n.constValue())), true);
            if (n.op() == Op.SIZE) return new VExpr(VectorExact.broadcast(size(n)), true);
            if (h == Plan.How.VIEW && n.op() == Op.BROADCAST) return vexpr(n.input(0), vOff, st, lvl, false);
            int idx = reads.get(List.of(plan.base(n), n.shape()));
            String arr = arrayNames.get(idx);
            if (st.get(idx).get(lvl).isZero()) return new VExpr(VectorExact.broadcast(CodeBlock.of("$L[$L]", arr, vOff.get(idx))), true);
            return new VExpr(CodeBlock.of("$T.fromArray(SPECIES, $L, $L)", V, arr, vOff.get(idx)), false);
        }
        if (n.op() == Op.CONST) return new VExpr(VectorExact.broadcast(k.elem.lit(n.constValue())), true);
        if (n.op() == Op.SIZE) return new VExpr(VectorExact.broadcast(size(n)), true);
        if (n.op() == Op.BROADCAST) return vexpr(n.input(0), vOff, st, lvl, false);
        List<VExpr> a = new ArrayList<>();
        for (Node i : n.inputs()) a.add(vexpr(i, vOff, st, lvl, false));
        ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
        CodeBlock one = VectorExact.broadcast(k.elem.lit(1));
        VExpr zero = new VExpr(VectorExact.zero(k.elem), true);
        switch (n.op()) {
            case ADD: return commutative("add", a.get(0), a.get(1));
            case MUL: return commutative("mul", a.get(0), a.get(1));
            case MAXIMUM: return commutative("max", a.get(0), a.get(1));
            case MINIMUM: return commutative("min", a.get(0), a.get(1));
            case RELU: return commutative("max", a.get(0), zero);
            case SUB: return new VExpr(CodeBlock.of("$L.sub($L)", receiver(a.get(0)), a.get(1).code()), true);
            case DIV: return new VExpr(CodeBlock.of("$L.div($L)", receiver(a.get(0)), a.get(1).code()), true);
            case NEG: return new VExpr(CodeBlock.of("$L.neg()", receiver(a.get(0))), true);
            case ABS: return new VExpr(CodeBlock.of("$L.abs()", receiver(a.get(0))), true);
            case SQRT: return new VExpr(CodeBlock.of("$L.sqrt()", receiver(a.get(0))), true);
            case POWC: return n.constValue() == 1 ? a.get(0) : new VExpr(CodeBlock.of("$L.mul($L)", receiver(a.get(0)), a.get(0).code()), true);
            case GT: case EQ: {
                // x > y is y < x, also for NaN (both false)
                boolean swap = !a.get(0).exact() && a.get(1).exact();
                String cmp = n.op() == Op.EQ ? "EQ" : swap ? "LT" : "GT";
                VExpr x = a.get(swap ? 1 : 0), y = a.get(swap ? 0 : 1);
                return new VExpr(CodeBlock.of("$L.blend($L, $L.compare($T.$L, $L))", zero.code(), one, receiver(x), ops, cmp, y.code()), true);
            }
            case CLAMP: return new VExpr(CodeBlock.of("$L.min($L)", commutative("max", a.get(0), a.get(1)).code(), a.get(2).code()), true);
            default:
                break;
        }
        throw new IllegalStateException("no vector form for " + n.op());
    }

    private CodeBlock offsetOr0(Map<Integer, CodeBlock> offsets, int o) {
        CodeBlock c = offsets.get(o);
        return c == null ? CodeBlock.of("0") : c;
    }

    private CodeBlock store(Node n, boolean reduce, Map<Integer, CodeBlock> offsets, Node src) {
        CodeBlock at = offsetOr0(offsets, 0);
        CodeBlock v = expr(src, offsets, !reduce);
        if (!reduce) return CodeBlock.of("out[$L] = $L", at, v);
        if (n.op() == Op.SUM) return CodeBlock.of("out[$L] += $L", at, v);
        return CodeBlock.of("out[$L] = Math.max(out[$L], $L)", at, at, v);
    }

    /** Strides of a reduction's output over its input's index space (zero along reduced axes). */
    private static List<Sym> reductionStrides(Node n) {
        Shape in = n.input(0).shape();
        List<Integer> axes = n.attr(Attr.Axes.class).axes();
        List<Dim> kept = new ArrayList<>();
        for (int i = 0; i < in.rank(); i++) if (!axes.contains(i)) kept.add(in.get(i));
        List<Sym> keptStrides = Sym.strides(new Shape(kept));
        List<Sym> out = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < in.rank(); i++) out.add(axes.contains(i) ? Sym.ZERO : keptStrides.get(j++));
        return out;
    }

    /** Strides of an array of shape {@code have} read over index space {@code space} (NumPy broadcasting). */
    static List<Sym> broadcastStrides(Shape have, Shape space) {
        List<Sym> own = Sym.strides(have);
        List<Sym> out = new ArrayList<>();
        int lead = space.rank() - have.rank();
        for (int i = 0; i < space.rank(); i++) {
            int j = i - lead;
            if (j < 0 || (have.get(j).isOne() && !space.get(i).isOne())) out.add(Sym.ZERO);
            else out.add(own.get(j));
        }
        return out;
    }

    /** Registers the arrays read by the fused expression of {@code n}. */
    private void collect(Node n, Shape space, boolean top) {
        Plan.How h = plan.how.get(n);
        if (!top && h != Plan.How.FUSED) {
            if (h == Plan.How.INLINE) return;
            if (h == Plan.How.VIEW && n.op() == Op.BROADCAST) {
                collect(n.input(0), space, false);
                return;
            }
            read(n, space);
            return;
        }
        if (n.op() == Op.BROADCAST) {
            collect(n.input(0), space, false);
            return;
        }
        if (n.op() == Op.CONST || n.op() == Op.SIZE) return;
        for (Node i : n.inputs()) collect(i, space, false);
    }

    private int read(Node n, Shape space) {
        Node base = plan.base(n);
        List<Object> key = List.of(base, n.shape());
        Integer idx = reads.get(key);
        if (idx == null) {
            idx = arrayNames.size();
            reads.put(key, idx);
            arrayNames.add(k.array(base));
            strides.add(broadcastStrides(n.shape(), space));
        }
        return idx;
    }

    /** Merges adjacent dims contiguous for every operand, after dropping static size-1 dims. */
    private static void coalesce(List<Sym> sizes, List<List<Sym>> st) {
        for (int i = sizes.size() - 1; i >= 0; i--) {
            if (sizes.get(i).isOne()) {
                sizes.remove(i);
                for (List<Sym> s : st) s.remove(i);
            }
        }
        for (int i = sizes.size() - 2; i >= 0; i--) {
            boolean ok = true;
            for (List<Sym> s : st) ok &= s.get(i).equals(s.get(i + 1).times(sizes.get(i + 1)));
            if (ok) {
                sizes.set(i, sizes.get(i).times(sizes.get(i + 1)));
                sizes.remove(i + 1);
                for (List<Sym> s : st) s.remove(i);
                // s.get(i) now holds the inner stride (the merged dim's stride)
            }
        }
    }

    /** The element expression of {@code n} at the current offsets. */
    private CodeBlock expr(Node n, Map<Integer, CodeBlock> offsets, boolean top) {
        Plan.How h = plan.how.get(n);
        Elem e = k.elem;
        if (!top && h != Plan.How.FUSED) {
            if (n.op() == Op.CONST) return e.lit(n.constValue());
            if (n.op() == Op.SIZE) return size(n);
            if (h == Plan.How.VIEW && n.op() == Op.BROADCAST) return expr(n.input(0), offsets, false);
            Integer idx = reads.get(List.of(plan.base(n), n.shape()));
            return CodeBlock.of("$L[$L]", arrayNames.get(idx), offsetOr0(offsets, idx));
        }
        switch (n.op()) {
            case CONST:
                return e.lit(n.constValue());
            case SIZE:
                return size(n);
            case BROADCAST:
                return expr(n.input(0), offsets, false);
            default:
                break;
        }
        List<CodeBlock> a = new ArrayList<>();
        for (Node i : n.inputs()) a.add(expr(i, offsets, false));
        return Scalar.apply(e, n, a);
    }

    private CodeBlock size(Node n) {
        Sym s = new Sym(1, n.attr(Attr.Dims.class).symbols());
        return k.elem.fromInt(k.size(s));
    }
}
