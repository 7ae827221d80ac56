package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Size;
import dev.nnc.ops.Structured;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel of a {@link Structured#MATMUL} node computes, for both backends: one 2-D
 * product {@code C[m,n] = A[m,k] · B[k,n]} (either operand possibly a transpose read in place),
 * or such products over a loop of batches ({@link #batched}).
 *
 * <p>Batches fold into the 2-D product where the storage allows, so the product runs at the
 * speed of one large 2-D product:
 * <ul>
 *   <li>into the rows, when B is the same for every batch and A is not transposed: A and C are
 *       then {@code [batches·m, k]} and {@code [batches·m, n]} (a linear layer applied to
 *       {@code [batch, seq, d]});</li>
 *   <li>into the shared dimension, when the product sums over every batch (the gradient of such
 *       a layer's weight, {@code Σ Aᵀ·B}), A is a transpose read in place and B is not: A is then
 *       stored as {@code [batches·k, m]} and B as {@code [batches·k, n]}.</li>
 * </ul>
 * Other batched products loop over the batches of the result (rows the caller may split over
 * threads), and within each over the batches it sums, with offsets into each array; the first
 * summed product writes C and the others go through scratch and are added.
 */
final class Product {
    final Node node;
    /** Whether A and B are transposes read in place (stored as [k, m] and [n, k]). */
    final boolean ta, tb;
    /** The nodes whose storage holds A's and B's elements. */
    final Node aBase, bBase;
    /** The sizes of one 2-D product, batches folded in. */
    final Size m, n, k;
    /** Each of A, B and C's 2-D shapes' element counts per batch (for offsets). */
    private final Size aSize, bSize, cSize;
    /** The batches of the result that do not fold (coalesced axes), and the summed ones; empty when none. */
    private final Axes kept, summed;

    /** Batch axes after coalescing: sizes, and strides in batches of A and B (0 along a broadcast). */
    private record Axes(List<Size> sizes, List<Size> aStrides, List<Size> bStrides) {
        Size count() {
            Size c = Size.ONE;
            for (Size s : sizes) c = c.times(s);
            return c;
        }
    }

    private Product(Node node, boolean ta, boolean tb, Node aBase, Node bBase, Size m, Size n, Size k, Axes kept, Axes summed) {
        this.node = node;
        this.ta = ta;
        this.tb = tb;
        this.aBase = aBase;
        this.bBase = bBase;
        this.m = m;
        this.n = n;
        this.k = k;
        this.kept = kept;
        this.summed = summed;
        this.aSize = m.times(k);
        this.bSize = k.times(n);
        this.cSize = m.times(n);
    }

    static Product of(Plan plan, Node n) {
        Node a = n.input(0), b = n.input(1);
        boolean ta = plan.isTransposedView(a), tb = plan.isTransposedView(b);
        Node aBase = plan.base(ta ? a.input(0) : a), bBase = plan.base(tb ? b.input(0) : b);
        Shape sa = a.shape(), sb = b.shape();
        Size m = Size.of(sa.last(2)), kk = Size.of(sa.last(1)), nn = Size.of(sb.last(1));
        int r = sa.rank();
        List<Dim> full = Structured.batch(sa, sb);
        List<Integer> sums = Structured.summed(n.attr());
        List<Dim> ba = sa.dims().subList(0, r - 2), bb = sb.dims().subList(0, r - 2);
        Axes none = new Axes(List.of(), List.of(), List.of());
        Size batches = new Shape(full).numel();
        if (batches.isOne()) return new Product(n, ta, tb, aBase, bBase, m, nn, kk, none, none);
        if (sums.isEmpty() && !ta && bb.stream().allMatch(Dim::isOne)) {
            return new Product(n, ta, tb, aBase, bBase, batches.times(m), nn, kk, none, none);
        }
        if (ta && !tb && ba.equals(bb) && sums.size() == ba.stream().filter(d -> !d.isOne()).count()) {
            return new Product(n, ta, tb, aBase, bBase, m, nn, batches.times(kk), none, none);
        }
        List<Size> aStrides = new Shape(ba).strides(), bStrides = new Shape(bb).strides();
        List<List<Size>> keptAxes = new ArrayList<>(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        List<List<Size>> summedAxes = new ArrayList<>(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        for (int i = 0; i < full.size(); i++) {
            if (full.get(i).isOne()) continue;
            List<List<Size>> to = sums.contains(i) ? summedAxes : keptAxes;
            to.get(0).add(Size.of(full.get(i)));
            to.get(1).add(ba.get(i).isOne() ? Size.ZERO : aStrides.get(i));
            to.get(2).add(bb.get(i).isOne() ? Size.ZERO : bStrides.get(i));
        }
        return new Product(n, ta, tb, aBase, bBase, m, nn, kk, coalesce(keptAxes), coalesce(summedAxes));
    }

    /** Merges adjacent axes that both operands step through contiguously (or not at all). */
    private static Axes coalesce(List<List<Size>> axes) {
        List<Size> sizes = axes.get(0), as = axes.get(1), bs = axes.get(2);
        for (int i = sizes.size() - 2; i >= 0; i--) {
            Size inner = sizes.get(i + 1);
            if (as.get(i).equals(as.get(i + 1).times(inner)) && bs.get(i).equals(bs.get(i + 1).times(inner))) {
                sizes.set(i, sizes.get(i).times(inner));
                sizes.remove(i + 1);
                as.remove(i);
                bs.remove(i);
            }
        }
        return new Axes(List.copyOf(sizes), List.copyOf(as), List.copyOf(bs));
    }

    /** Whether the kernel loops over batches (else it is one 2-D product). */
    boolean batched() {
        return !kept.sizes().isEmpty() || !summed.sizes().isEmpty();
    }

    /** The result's batches that the loop computes one by one (the rows a caller may split over threads). */
    Size batchCount() {
        return kept.count();
    }

    /** How many 2-D products one call computes: the result's batches times the batches summed into each (1 when not batched). */
    Size products() {
        return kept.count().times(summed.count());
    }

    /** Multiply-adds per batch of the result (the work of one row of the loop, for threads). */
    Size batchWork() {
        return m.times(n).times(k).times(summed.count());
    }

    /**
     * The array names and offsets of the body inside {@link #open}: C is {@code dst} at
     * {@code offD} when the product sums over batches, else {@code out} at {@code offC}.
     */
    Arrays arrays(Kernel kn) {
        String a = kn.array(aBase), b = kn.array(bBase);
        if (!batched()) return new Arrays("out", null, a, null, b, null);
        return new Arrays(summed.sizes().isEmpty() ? "out" : "dst", summed.sizes().isEmpty() ? "offC" : "offD", a, "offA", b, "offB");
    }

    /**
     * The names of A, B and C in the body and their offsets (null: none). Index expressions are
     * written with {@link #a}, {@link #b}, {@link #c}, which leave a 2-D product's code as it was.
     */
    record Arrays(String c, String cOff, String a, String aOff, String b, String bOff) {
        CodeBlock a(Object index) {
            return at(a, aOff, index);
        }

        CodeBlock b(Object index) {
            return at(b, bOff, index);
        }

        CodeBlock c(Object index) {
            return at(c, cOff, index);
        }

        /** The offset expression of element {@code index} of A (for calls that take an array and an offset). */
        CodeBlock aAt(Object index) {
            return offset(aOff, index);
        }

        CodeBlock bAt(Object index) {
            return offset(bOff, index);
        }

        CodeBlock cAt(Object index) {
            return offset(cOff, index);
        }

        private static CodeBlock at(String array, String off, Object index) {
            return CodeBlock.of("$L[$L]", array, offset(off, index));
        }

        static CodeBlock offset(String off, Object index) {
            return off == null ? CodeBlock.of("$L", index) : CodeBlock.of("$L + $L", off, index);
        }
    }

    /**
     * Opens the loop over batches ({@code first} to {@code last}, exclusive) declaring the
     * offsets of {@link #arrays}; {@code M}, {@code N}, {@code K} and the element type {@code t}
     * must be declared. Does nothing for a 2-D product.
     */
    void open(Kernel kn, String first, String last) {
        if (!batched()) return;
        CodeBlock.Builder c = kn.body;
        boolean sums = !summed.sizes().isEmpty();
        c.beginControlFlow("for (int batch = $L; batch < $L; batch++)", first, last);
        offsets(kn, kept, "batch", null, sums ? "0" : "");
        c.addStatement("final int offC = batch * $L", kn.size(cSize));
        if (!sums) return;
        kn.scratch(Scratch.flat("scratch$sum", "sum", cSize, "Scratch for batched products: one product of a sum over batches."));
        c.beginControlFlow("for (int summedBatch = 0; summedBatch < $L; summedBatch++)", kn.size(summed.count()));
        offsets(kn, summed, "summedBatch", "0", "");
        c.addStatement("final $T[] dst = summedBatch == 0 ? out : sum", kn.elem.type());
        c.addStatement("final int offD = summedBatch == 0 ? offC : 0");
    }

    /**
     * Declares {@code offA<suffix>} and {@code offB<suffix>} for batch {@code index} of
     * {@code axes}, added to {@code offA<base>} and {@code offB<base>} (base null: from 0).
     */
    private void offsets(Kernel kn, Axes axes, String index, String base, String suffix) {
        CodeBlock.Builder c = kn.body;
        List<CodeBlock> aTerms = new ArrayList<>(), bTerms = new ArrayList<>();
        if (base != null) {
            aTerms.add(CodeBlock.of("offA$L", base));
            bTerms.add(CodeBlock.of("offB$L", base));
        }
        int r = axes.sizes().size();
        if (r > 1) c.addStatement("int $LRest = $L", index, index);
        for (int i = r - 1; i >= 0; i--) {
            String idx = r == 1 ? index : index + i;
            if (r > 1) {
                c.addStatement("final int $L = $LRest % $L", idx, index, kn.size(axes.sizes().get(i)));
                if (i > 0) c.addStatement("$LRest /= $L", index, kn.size(axes.sizes().get(i)));
            }
            Size sa = axes.aStrides().get(i), sb = axes.bStrides().get(i);
            if (!sa.isZero()) aTerms.add(CodeBlock.of("$L * $L", idx, kn.size(sa.times(aSize))));
            if (!sb.isZero()) bTerms.add(CodeBlock.of("$L * $L", idx, kn.size(sb.times(bSize))));
        }
        c.addStatement("final int offA$L = $L, offB$L = $L", suffix, sum(aTerms), suffix, sum(bTerms));
    }

    private static CodeBlock sum(List<CodeBlock> terms) {
        return terms.isEmpty() ? CodeBlock.of("0") : CodeBlock.join(terms, " + ");
    }

    /** Closes {@link #open}: adds a summed product kept in scratch into C. */
    void close(Kernel kn) {
        if (!batched()) return;
        CodeBlock.Builder c = kn.body;
        if (!summed.sizes().isEmpty()) {
            c.beginControlFlow("if (summedBatch > 0)")
                    .addStatement("for (int e = 0; e < $L; e++) out[offC + e] += sum[e]", kn.size(cSize))
                    .endControlFlow()
                    .endControlFlow();
        }
        c.endControlFlow();
    }
}
