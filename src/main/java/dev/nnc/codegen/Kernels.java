package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Node;
import dev.nnc.ir.Op;
import dev.nnc.ir.Shape;
import java.util.List;

/** Bodies of the kernels that are not plain loops: products, transposes, copies, one-hot, dropout. */
final class Kernels {
    private Kernels() {}

    /** Emits the body computing KERNEL node {@code n} into {@code out}. */
    static void emit(Plan plan, Kernel k, Node n) {
        switch (n.op()) {
            case MATMUL -> {
                if (k.vector) VectorKernels.matmul(plan, k, n);
                else matmul(plan, k, n);
            }
            case TRANSPOSE -> transpose(plan, k, n);
            case CONCAT -> concat(plan, k, n);
            case SLICE -> slice(plan, k, n);
            case ONE_HOT -> oneHot(plan, k, n);
            case DROPOUT_MASK -> dropout(k, n);
            default -> Loops.emit(plan, k, n);
        }
    }

    /**
     * {@code out[m,n] = A[m,k] · B[k,n]} where either operand may be a transpose read in place.
     *
     * <p>The rows of B (as [k, n], transposing when B is a transpose view) are first copied into
     * the scratch rows {@code rows[p]}; each row of the result is then accumulated in the scratch
     * row {@code acc} as {@code acc += A[i,p] · rows[p]} for p in order, and copied out. Every
     * array in the inner loop starts at index 0, which is what lets HotSpot's C2 (JDK 17)
     * vectorize it; with row offsets into two float arrays it does not, since they might overlap.
     * The sums run over p in order, exactly as a textbook loop, so results are the same bit for
     * bit. A term {@code A[i,p] · rows[p]} with {@code A[i,p] == 0} is skipped when every element
     * of B is finite (checked while copying): then it only adds zeros, and skipping it makes
     * sparse inputs (one-hot features, ReLU activations) proportionally cheaper without changing
     * any result (0 · ±inf and 0 · NaN still give NaN).
     *
     * <p>A product with fewer than {@link #SCRATCH_MIN_COLUMNS} columns (a matrix-vector
     * product) has nothing to vectorize across its columns: it uses {@link #smallMatmul}.
     */
    private static void matmul(Plan plan, Kernel k, Node n) {
        Node a = n.input(0), b = n.input(1);
        boolean ta = plan.how.get(a) == Plan.How.VIEW && a.op() == Op.TRANSPOSE;
        boolean tb = plan.how.get(b) == Plan.How.VIEW && b.op() == Op.TRANSPOSE;
        Dim cols = n.shape().get(1);
        if (cols.isStatic() && cols.size() < SCRATCH_MIN_COLUMNS) {
            smallMatmul(plan, k, n, ta, tb);
            return;
        }
        String A = k.array(plan.base(ta ? a.input(0) : a));
        String B = k.array(plan.base(tb ? b.input(0) : b));
        k.scratch = true;
        CodeBlock m = k.size(Sym.of(n.shape().get(0)));
        CodeBlock nn = k.size(Sym.of(n.shape().get(1)));
        CodeBlock kk = k.size(Sym.of(a.shape().get(1)));
        // element (i, p) of A as stored
        CodeBlock aip = ta ? CodeBlock.of("$L[p * ($L) + i]", A, m) : CodeBlock.of("$L[i * ($L) + p]", A, kk);
        CodeBlock zero = k.elem.lit(0);
        CodeBlock.Builder c = k.body;
        c.addStatement("int nn = $L", nn)
                .addStatement("$T.fill(acc, 0, nn, $L)", java.util.Arrays.class, zero)
                .beginControlFlow("for (int p = 0; p < $L; p++)", kk)
                .addStatement("$T[] r = rows[p]", k.elem.type());
        if (tb) {
            // B stored as [n, k]: row p of B is column p of the stored array
            c.beginControlFlow("for (int j = 0; j < nn; j++)")
                    .addStatement("r[j] = $L[j * ($L) + p]", B, kk)
                    .endControlFlow();
        } else {
            c.addStatement("System.arraycopy($L, p * nn, r, 0, nn)", B);
        }
        c.beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("acc[j] += r[j] * $L", zero)
                .endControlFlow()
                .endControlFlow()
                .addStatement("boolean finite = true")
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("finite &= acc[j] == $L", zero)
                .endControlFlow()
                .beginControlFlow("for (int i = 0; i < $L; i++)", m)
                .addStatement("$T.fill(acc, 0, nn, $L)", java.util.Arrays.class, zero)
                .beginControlFlow("for (int p = 0; p < $L; p++)", kk)
                .addStatement("$T av = $L", k.elem.type(), aip)
                .beginControlFlow("if (av == $L && finite)", zero)
                .addStatement("continue")
                .endControlFlow()
                .addStatement("$T[] r = rows[p]", k.elem.type())
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("acc[j] += av * r[j]")
                .endControlFlow()
                .endControlFlow()
                .addStatement("System.arraycopy(acc, 0, out, i * nn, nn)")
                .endControlFlow();
        k.scratchRows = Sym.of(a.shape().get(1));
        k.scratchWidth = Sym.of(n.shape().get(1));
    }

    /** Swaps the last two dims: {@code out[b, j, i] = x[b, i, j]}. */
    private static void transpose(Plan plan, Kernel k, Node n) {
        Node x = n.input(0);
        Shape s = x.shape();
        String X = k.array(plan.base(x));
        CodeBlock rows = k.size(Sym.of(s.last(2)));
        CodeBlock cols = k.size(Sym.of(s.last(1)));
        CodeBlock batches = k.size(Sym.numel(new Shape(s.dims().subList(0, s.rank() - 2))));
        k.body.beginControlFlow("for (int b = 0; b < $L; b++)", batches)
                .addStatement("int base = b * ($L) * ($L)", rows, cols)
                .beginControlFlow("for (int i = 0; i < $L; i++)", rows)
                .beginControlFlow("for (int j = 0; j < $L; j++)", cols)
                .addStatement("out[base + j * ($L) + i] = $L[base + i * ($L) + j]", rows, X, cols)
                .endControlFlow().endControlFlow().endControlFlow();
    }

    /** Block copies: each part's rows land side by side along the axis. */
    private static void concat(Plan plan, Kernel k, Node n) {
        int axis = n.attr(Attr.Axis.class).axis();
        Shape s = n.shape();
        CodeBlock outer = k.size(Sym.numel(new Shape(s.dims().subList(0, axis))));
        Sym inner = Sym.numel(new Shape(s.dims().subList(axis + 1, s.rank())));
        Sym total = inner.times(Sym.of(s.get(axis)));
        long offset = 0;
        k.body.beginControlFlow("for (int o = 0; o < $L; o++)", outer);
        for (Node part : n.inputs()) {
            int len = part.shape().get(axis).size();
            Sym block = inner.times(Sym.of(Dim.of(len)));
            k.body.addStatement("System.arraycopy($L, o * ($L), out, o * ($L) + $L * ($L), $L)",
                    k.array(plan.base(part)), k.size(block), k.size(total), offset, k.size(inner), k.size(block));
            offset += len;
        }
        k.body.endControlFlow();
    }

    /** Copies {@code [start, end)} along the axis. */
    private static void slice(Plan plan, Kernel k, Node n) {
        Attr.Slice sl = n.attr(Attr.Slice.class);
        Node x = n.input(0);
        Shape s = x.shape();
        CodeBlock outer = k.size(Sym.numel(new Shape(s.dims().subList(0, sl.axis()))));
        Sym inner = Sym.numel(new Shape(s.dims().subList(sl.axis() + 1, s.rank())));
        Sym full = inner.times(Sym.of(s.get(sl.axis())));
        Sym block = inner.times(Sym.of(Dim.of(sl.end() - sl.start())));
        k.body.beginControlFlow("for (int o = 0; o < $L; o++)", outer)
                .addStatement("System.arraycopy($L, o * ($L) + $L * ($L), out, o * ($L), $L)",
                        k.array(plan.base(x)), k.size(full), sl.start(), k.size(inner), k.size(block), k.size(block))
                .endControlFlow();
    }

    /** One row of zeros with a single one per label; labels out of range are rejected, naming their input. */
    private static void oneHot(Plan plan, Kernel k, Node n) {
        int classes = n.attr(Attr.Count.class).n();
        Node labels = n.input(0);
        Node base = plan.base(labels);
        String L = k.array(base);
        String what = base.op() == Op.INPUT ? "input " + base.leafName() + ": class label " : "class label ";
        CodeBlock count = k.size(Sym.numel(labels.shape()));
        k.body.addStatement("$T.fill(out, 0, ($L) * $L, $L)", java.util.Arrays.class, count, classes, k.elem.lit(0))
                .beginControlFlow("for (int i = 0; i < $L; i++)", count)
                .addStatement("int c = $L[i]", L)
                .beginControlFlow("if (c < 0 || c >= $L)", classes)
                .addStatement("throw new $T($S + c + $S + i + $S)", IllegalArgumentException.class, what, " at position ",
                        " is outside [0, " + classes + ")")
                .endControlFlow()
                .addStatement("out[i * $L + c] = $L", classes, k.elem.lit(1))
                .endControlFlow();
    }

    /**
     * An inverted-dropout mask for this training step, exactly as the interpreter draws it:
     * SplitMix64 seeded with {@code mix(seed, step, site)}, one uniform per element, kept iff
     * {@code u >= p}.
     */
    private static void dropout(Kernel k, Node n) {
        Attr.Dropout d = n.attr(Attr.Dropout.class);
        k.random = true;
        CodeBlock count = k.size(Sym.numel(n.shape()));
        long threshold = (long) Math.ceil(d.p() * 0x1p53); // u >= p  <=>  (bits >>> 11) >= ceil(p * 2^53), exactly
        k.body.addStatement("final long s0 = mix(mix(seed, step), $LL)", d.site())
                .addStatement("final $T keep = $L", k.elem.type(), k.elem.lit(1.0 / (1.0 - d.p())));
        if (k.vector) VectorKernels.dropout(k, count, threshold, from -> dropoutLoop(k, count, threshold, from));
        else dropoutLoop(k, count, threshold, "0");
    }

    /** The mask's elements from index {@code from} on, one SplitMix64 draw each. */
    private static void dropoutLoop(Kernel k, CodeBlock count, long threshold, String from) {
        k.body.beginControlFlow("for (int i = $L; i < $L; i++)", from, count)
                .add("// SplitMix64 draw number i + 1 of the stream, without a loop-carried state\n")
                .addStatement("long z = s0 + (i + 1) * 0x9E3779B97F4A7C15L")
                .addStatement("z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L")
                .addStatement("z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL")
                .addStatement("z = z ^ (z >>> 31)")
                .add("// keep iff u = (z >>> 11) * 2^-53 >= p, branch-free\n")
                .addStatement("out[i] = keep * (1 - (((z >>> 11) - $LL) >>> 63))", threshold)
                .endControlFlow();
    }

    /**
     * Plain loops for a product with few columns. Loop orders keep the innermost loop
     * contiguous: i-p-j (an axpy over rows of B) unless B is transposed, then i-j-p (a dot
     * product of rows).
     */
    private static void smallMatmul(Plan plan, Kernel k, Node n, boolean ta, boolean tb) {
        Node a = n.input(0), b = n.input(1);
        String A = k.array(plan.base(ta ? a.input(0) : a));
        String B = k.array(plan.base(tb ? b.input(0) : b));
        CodeBlock m = k.size(Sym.of(n.shape().get(0)));
        CodeBlock nn = k.size(Sym.of(n.shape().get(1)));
        CodeBlock kk = k.size(Sym.of(a.shape().get(1)));
        // element (i, p) of A and (p, j) of B as stored
        CodeBlock aip = ta ? CodeBlock.of("$L[p * ($L) + i]", A, m) : CodeBlock.of("$L[i * ($L) + p]", A, kk);
        CodeBlock.Builder c = k.body;
        if (!tb) {
            c.addStatement("$T.fill(out, 0, ($L) * ($L), $L)", java.util.Arrays.class, m, nn, k.elem.lit(0));
            if (ta) {
                // p outermost: row p of A (stored) and row p of B are both contiguous
                c.beginControlFlow("for (int p = 0; p < $L; p++)", kk)
                        .addStatement("int bo = p * ($L)", nn)
                        .beginControlFlow("for (int i = 0; i < $L; i++)", m);
            } else {
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .beginControlFlow("for (int p = 0; p < $L; p++)", kk)
                        .addStatement("int bo = p * ($L)", nn);
            }
            c.addStatement("$T av = $L", k.elem.type(), aip)
                    .addStatement("int co = i * ($L)", nn)
                    .beginControlFlow("for (int j = 0; j < $L; j++)", nn)
                    .addStatement("out[co + j] += av * $L[bo + j]", B)
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
        } else {
            // B stored as [n, k]: out[i, j] = dot(row i of A, row j of B)
            c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                    .beginControlFlow("for (int j = 0; j < $L; j++)", nn)
                    .addStatement("$T acc = 0", k.elem.type())
                    .beginControlFlow("for (int p = 0; p < $L; p++)", kk)
                    .addStatement("acc += $L * $L[j * ($L) + p]", aip, B, kk)
                    .endControlFlow()
                    .addStatement("out[i * ($L) + j] = acc", nn)
                    .endControlFlow()
                    .endControlFlow();
        }
    }

    /** Products with at least this many (static) columns use the scratch-row form of {@link #matmul}. */
    static final int SCRATCH_MIN_COLUMNS = 16;

    static List<Op> handled() {
        return List.of(Op.MATMUL, Op.TRANSPOSE, Op.CONCAT, Op.SLICE, Op.ONE_HOT, Op.DROPOUT_MASK);
    }
}
