package dev.nnc.codegen;

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
        for (int lvl = 0; lvl < r; lvl++) {
            String i = "i" + lvl;
            boolean inner = lvl == r - 1;
            if (inner && accumulate) {
                b.addStatement("$T acc = out[$L]", k.elem.type(), offsetOr0(offsets, 0));
            }
            b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", i, i, k.size(sizes.get(lvl)), i);
            for (int o = 0; o < arrayNames.size(); o++) {
                Sym s = st.get(o).get(lvl);
                if (s.isZero()) continue;
                CodeBlock term = s.isOne() ? CodeBlock.of("$L", i) : CodeBlock.of("$L * $L", i, k.size(s));
                CodeBlock prev = offsets.get(o);
                CodeBlock off = prev == null ? term : CodeBlock.of("$L + $L", prev, term);
                if (inner) {
                    offsets.put(o, off);
                } else {
                    String var = "o" + o + "_" + lvl;
                    b.addStatement("int $L = $L", var, off);
                    offsets.put(o, CodeBlock.of("$L", var));
                }
            }
            if (inner) {
                if (accumulate) {
                    CodeBlock v = expr(src, offsets, !reduce);
                    if (n.op() == Op.SUM) b.addStatement("acc += $L", v);
                    else b.addStatement("acc = Math.max(acc, $L)", v);
                } else {
                    b.addStatement(store(n, reduce, offsets, src));
                }
            }
        }
        for (int lvl = r - 1; lvl >= 0; lvl--) {
            b.endControlFlow();
            if (lvl == r - 1 && accumulate) b.addStatement("out[$L] = acc", offsetOrPrefix(offsets, st, r));
        }
    }

    private CodeBlock offsetOr0(Map<Integer, CodeBlock> offsets, int o) {
        CodeBlock c = offsets.get(o);
        return c == null ? CodeBlock.of("0") : c;
    }

    /** The output offset as computed by the outer loops (the inner level has stride 0 for it). */
    private CodeBlock offsetOrPrefix(Map<Integer, CodeBlock> offsets, List<List<Sym>> st, int r) {
        return offsetOr0(offsets, 0);
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
