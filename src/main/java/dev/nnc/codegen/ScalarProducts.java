package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import java.util.List;

/** Matrix products for the scalar backend: plain loops that C2 vectorizes, over scratch rows. */
final class ScalarProducts {
    private ScalarProducts() {}

    /** Scratch rows of the right operand, each starting at index 0 (where C2 vectorizes an axpy). */
    static Scratch rows(Size rows, Size width) {
        return new Scratch("scratch$rows", "rows", rows, width, false, "Scratch for matrix products: the rows of the right operand, each starting at index 0.");
    }

    /** {@link #columnMatmul}'s rows: columns of the result, transposed, then columns of the left operand. */
    static Scratch cols(int rows, int width) {
        return new Scratch("scratch$cols", "cols", Size.constant(rows), Size.constant(width), false,
                "Scratch for narrow matrix products: columns of the result, transposed, and columns of the left operand.");
    }

    /** One row of the result. */
    static Scratch acc(Size width) {
        return Scratch.flat("scratch$acc", "acc", width, "Scratch for matrix products: one row of the result.");
    }

    /**
     * {@code out[m,n] = A[m,k] · B[k,n]} where either operand may be a transpose read in place.
     *
     * <p>HotSpot's C2 (JDK 17) vectorizes an axpy only when every array in it is indexed from 0
     * (with row offsets into two float arrays it does not, since they might overlap), so both
     * forms below accumulate rows of the result in scratch rows, from rows of B copied into
     * scratch rows, and copy the finished rows out. Every element of the result is the sum of
     * its terms {@code A[i,p] · B[p,j]} for p in order, exactly as a textbook loop, so results
     * are the same bit for bit; consecutive terms are added in one pass
     * ({@code c[j] = c[j] + x0 · b0[j] + x1 · b1[j] + …}), which saves loads and stores of
     * the accumulator without changing the order of the additions.
     *
     * <p>When B is stored as [k, n] ({@link #streamRows}), each group of
     * {@link #STREAM_TERMS} of its rows is copied (block copies) into scratch rows, and applied
     * to a block of up to {@link #blockRows} rows of the result, held in the other scratch
     * rows, two result rows at a time: B is read
     * once per block, the accumulators stay in cache, and a single row (batch 1) costs one pass
     * over B. When B is a transpose read in place (gathering its rows is slow), its rows are
     * gathered once into {@code rows[p]} and each row of the result is accumulated in
     * {@code acc}; unless the result is narrow, then its columns are accumulated instead
     * ({@link #columnMatmul}).
     *
     * <p>Except in {@link #columnMatmul}, terms {@code A[i,p] · B[p,j]} with {@code A[i,p] == 0}
     * are skipped (all the terms of a group at once) when the rows of B they multiply are finite:
     * then they only add zeros (and an accumulator that starts at +0 never becomes −0), and
     * skipping them makes sparse inputs (one-hot features, ReLU activations) cheaper without
     * changing any result (0 · ±inf and 0 · NaN still give NaN).
     *
     * <p>A product with fewer than {@link #SCRATCH_MIN_COLUMNS} columns (a matrix-vector
     * product) has nothing to vectorize across its columns, and one of at most
     * {@link #SMALL_WORK} multiply-adds (checked at run time when it depends on runtime dims)
     * too little to pay for copying rows: they use {@link #smallMatmul}.
     */
    static void matmul(Plan plan, Kernel k, Node n) {
        Product p = Product.of(plan, n);
        Product.Arrays x = p.arrays(k);
        p.open(k, "0", k.size(p.batchCount()).toString());
        if (p.n.isStatic() && p.n.value() < SCRATCH_MIN_COLUMNS) {
            smallMatmul(k, p, x);
        } else {
            Size work = p.m.times(p.k).times(p.n);
            if (work.isStatic() && work.coefficient() <= SMALL_WORK) {
                smallMatmul(k, p, x);
            } else {
                boolean branch = work.coefficient() <= SMALL_WORK;
                if (branch) {
                    // copying rows costs more than it saves on a few hundred products (batch 1 of a small layer)
                    k.body.beginControlFlow("if ((long) ($L) * ($L) * ($L) <= $L)", k.size(p.m), k.size(p.k), k.size(p.n), SMALL_WORK);
                    smallMatmul(k, p, x);
                    k.body.nextControlFlow("else");
                }
                if (p.tb) transposedB(k, p, x);
                else streamRows(k, p, x);
                if (branch) k.body.endControlFlow();
            }
        }
        p.close(k);
    }

    /** Products of at most this many multiply-adds use {@link #smallMatmul}, whatever their width. */
    static final int SMALL_WORK = 1024;

    /** Element (i, p) of A as stored (the locals {@code m} and {@code kk} are A's rows and columns as read). */
    private static CodeBlock aElem(Product.Arrays x, boolean ta, String i, String p) {
        return ta ? x.a(CodeBlock.of("($L) * m + $L", p, i)) : x.a(CodeBlock.of("($L) * kk + $L", i, p));
    }

    /** Statements setting {@code fin} (if 0) to 1 if rows {@code r0} … {@code r<rows-1>} are finite, else 2. */
    private static void finiteRows(Kernel k, int rows) {
        String max = k.elem.f32() ? "Float.MAX_VALUE" : "Double.MAX_VALUE";
        List<CodeBlock> tests = new java.util.ArrayList<>();
        for (int q = 0; q < rows; q++) tests.add(CodeBlock.of("Math.abs(r$L[j]) <= $L", q, max));
        k.body.beginControlFlow("if (fin == 0)")
                .addStatement("boolean ok = true")
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("ok &= $L", CodeBlock.join(tests, " & "))
                .endControlFlow()
                .addStatement("fin = ok ? 1 : 2")
                .endControlFlow();
    }

    /** The number of result rows a block of {@link #streamRows} accumulates: about 32 KB of them. */
    static int blockRows(Size cols) {
        if (!cols.isStatic()) return 32;
        return (int) Math.max(2, Math.min(64, (8192 / cols.value()) & ~1L));
    }

    /**
     * Rows of B {@link #streamRows} applies per pass. Two result rows by four terms is what C2
     * still vectorizes: with four result rows (four stores to arrays that might alias), or
     * eight terms, it gives up and the loop runs scalar, 6-8 times slower.
     */
    static final int STREAM_TERMS = 4;

    /**
     * {@code acc + t0 + t1 + …}: {@code terms} terms, each {@code term} (a format whose
     * {@code $1L} is the term's index), added left to right as the textbook loop adds them.
     */
    private static CodeBlock termSum(String acc, String term, int terms) {
        List<CodeBlock> sum = new java.util.ArrayList<>(List.of(CodeBlock.of("$L", acc)));
        for (int q = 0; q < terms; q++) sum.add(CodeBlock.of(term, q));
        return CodeBlock.join(sum, " + ");
    }

    /** {@link #matmul} with B stored as [k, n]: groups of B's rows streamed over blocks of result rows. */
    private static void streamRows(Kernel k, Product pr, Product.Arrays x) {
        boolean ta = pr.ta;
        String B = x.b();
        int mb = blockRows(pr.n);
        k.scratch(rows(Size.constant(mb + STREAM_TERMS), pr.n));
        int T = STREAM_TERMS;
        CodeBlock m = k.size(pr.m);
        CodeBlock nn = k.size(pr.n);
        CodeBlock kk = k.size(pr.k);
        CodeBlock zero = k.elem.lit(0);
        com.palantir.javapoet.TypeName t = k.elem.type();
        List<CodeBlock> rowDecl = new java.util.ArrayList<>(), xs = new java.util.ArrayList<>(), ys = new java.util.ArrayList<>(),
                bs = new java.util.ArrayList<>(), xZero = new java.util.ArrayList<>(), yZero = new java.util.ArrayList<>();
        for (int q = 0; q < T; q++) {
            String pq = q == 0 ? "p" : "p + " + q;
            rowDecl.add(CodeBlock.of("r$L = rows[$L]", q, mb + q));
            xs.add(CodeBlock.of("x$L = $L", q, aElem(x, ta, "i", pq)));
            ys.add(CodeBlock.of("y$L = $L", q, aElem(x, ta, "i + 1", pq)));
            bs.add(CodeBlock.of("b$L = r$L[j]", q, q));
            xZero.add(CodeBlock.of("x$L == $L", q, zero));
            yZero.add(CodeBlock.of("y$L == $L", q, zero));
        }
        List<CodeBlock> allZero = new java.util.ArrayList<>(xZero);
        allZero.addAll(yZero);
        CodeBlock.Builder c = k.body;
        c.addStatement("final int nn = $L, kk = $L, m = $L", nn, kk, m)
                .addStatement("final $T[] $L", t, CodeBlock.join(rowDecl, ", "))
                .beginControlFlow("for (int i0 = 0; i0 < m; i0 += $L)", mb)
                .addStatement("final int mb = Math.min($L, m - i0)", mb)
                .beginControlFlow("for (int ii = 0; ii < mb; ii++)")
                .addStatement("$T.fill(rows[ii], 0, nn, $L)", java.util.Arrays.class, zero)
                .endControlFlow()
                .addStatement("int p = 0")
                .beginControlFlow("for (; p + $L <= kk; p += $L)", T, T);
        for (int q = 0; q < T; q++) {
            c.addStatement("System.arraycopy($L, $L, r$L, 0, nn)", B, x.bAt(CodeBlock.of("$L * nn", q == 0 ? "p" : "(p + " + q + ")")), q);
        }
        c.add("// 0: not checked yet, 1: these rows of B are finite, 2: not\n")
                .addStatement("int fin = 0")
                .addStatement("int ii = 0")
                .beginControlFlow("for (; ii + 1 < mb; ii += 2)")
                .addStatement("final int i = i0 + ii")
                .addStatement("final $T $L", t, CodeBlock.join(xs, ", "))
                .addStatement("final $T $L", t, CodeBlock.join(ys, ", "))
                .beginControlFlow("if ($L)", CodeBlock.join(allZero, " && "));
        finiteRows(k, T);
        c.beginControlFlow("if (fin == 1)").addStatement("continue").endControlFlow()
                .endControlFlow()
                .addStatement("final $T[] c = rows[ii], d = rows[ii + 1]", t)
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("final $T $L", t, CodeBlock.join(bs, ", "))
                .addStatement("c[j] = $L", termSum("c[j]", "x$1L * b$1L", T))
                .addStatement("d[j] = $L", termSum("d[j]", "y$1L * b$1L", T))
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("if (ii < mb)")
                .addStatement("final int i = i0 + ii")
                .addStatement("final $T $L", t, CodeBlock.join(xs, ", "))
                .beginControlFlow("if ($L)", CodeBlock.join(xZero, " && "));
        finiteRows(k, T);
        c.endControlFlow()
                .beginControlFlow("if (fin != 1 || !($L))", CodeBlock.join(xZero, " && "))
                .addStatement("final $T[] c = rows[ii]", t)
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("c[j] = $L", termSum("c[j]", "x$1L * r$1L[j]", T))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .add("// the last rows of B when k is not a multiple of $L\n", T)
                .beginControlFlow("for (; p < kk; p++)")
                .addStatement("System.arraycopy($L, $L, r0, 0, nn)", B, x.bAt("p * nn"))
                .addStatement("int fin = 0")
                .beginControlFlow("for (int ii = 0; ii < mb; ii++)")
                .addStatement("final $T x0 = $L", t, aElem(x, ta, "i0 + ii", "p"))
                .beginControlFlow("if (x0 == $L)", zero);
        finiteRows(k, 1);
        c.beginControlFlow("if (fin == 1)").addStatement("continue").endControlFlow()
                .endControlFlow()
                .addStatement("final $T[] c = rows[ii]", t)
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("c[j] += x0 * r0[j]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (int ii = 0; ii < mb; ii++)")
                .addStatement("System.arraycopy(rows[ii], 0, $L, $L, nn)", x.c(), x.cAt("(i0 + ii) * nn"))
                .endControlFlow()
                .endControlFlow();
    }

    /**
     * Results with fewer (static) columns than this have rows too short for C2's vectorized
     * loop: with 16 lanes it aligns and unrolls and leaves a row of 32 floats to the scalar
     * loops, so {@link #columnMatmul} runs along the result's columns instead (its figures:
     * {@code bench/batched --engine scalar}, the README's batched-products section).
     */
    static final int NARROW_COLUMNS = 64;

    /** Results with fewer rows than this stay with {@link #gatheredMatmul} (a runtime check when the rows are a runtime dim). */
    static final int COLUMN_MIN_ROWS = 64;

    /** {@link #matmul} with B a transpose read in place: {@link #columnMatmul} for narrow results with enough rows, else {@link #gatheredMatmul}. */
    private static void transposedB(Kernel k, Product pr, Product.Arrays x) {
        if (!pr.n.isStatic() || pr.n.value() >= NARROW_COLUMNS) {
            gatheredMatmul(k, pr, x);
        } else if (pr.m.isStatic()) {
            if (pr.m.value() >= COLUMN_MIN_ROWS) columnMatmul(k, pr, x);
            else gatheredMatmul(k, pr, x);
        } else {
            k.body.beginControlFlow("if ($L >= $L)", k.size(pr.m), COLUMN_MIN_ROWS);
            columnMatmul(k, pr, x);
            k.body.nextControlFlow("else");
            gatheredMatmul(k, pr, x);
            k.body.endControlFlow();
        }
    }

    /** The rows of the result {@link #columnMatmul} accumulates at a time: about 32 KB of accumulators, at least 128 (a loop C2 vectorizes). */
    static int columnBlock(long cols) {
        return (int) Math.max(128, Math.min(512, (8192 / cols) & ~15L));
    }

    /**
     * {@link #matmul} with B a transpose read in place and a narrow result ({@link
     * #NARROW_COLUMNS}): the transposed product {@code outᵀ[j, i] = Σ_p B[p, j] · A[i, p]}, in
     * the form of {@link #streamRows} with the roles swapped, so the vectorized loop runs over a
     * block of up to {@link #columnBlock} rows of the result: {@link #STREAM_TERMS} columns of A
     * (as read) are gathered into {@code g0 …} ({@code cols[n …]}), and each pair of result
     * columns {@code j, j + 1} (held transposed in {@code cols[j]}) adds their terms with B's
     * elements as factors.
     * Every element still sums its terms for p in order from +0 (the textbook loop, bit for
     * bit); no term is skipped (A's zeros would have to be found element by element).
     */
    private static void columnMatmul(Kernel k, Product pr, Product.Arrays x) {
        boolean ta = pr.ta;
        int nn = (int) pr.n.value(), T = STREAM_TERMS, w = columnBlock(nn);
        k.scratch(cols(nn + T, w));
        CodeBlock zero = k.elem.lit(0);
        com.palantir.javapoet.TypeName t = k.elem.type();
        List<CodeBlock> colDecl = new java.util.ArrayList<>(), gather = new java.util.ArrayList<>(), xs = new java.util.ArrayList<>(),
                ys = new java.util.ArrayList<>(), as = new java.util.ArrayList<>();
        for (int q = 0; q < T; q++) {
            String pq = q == 0 ? "p" : "p + " + q;
            colDecl.add(CodeBlock.of("g$L = cols[$L]", q, nn + q));
            gather.add(CodeBlock.of("g$L[i] = $L", q, aElem(x, ta, "i0 + i", pq)));
            xs.add(CodeBlock.of("x$L = $L", q, x.b(CodeBlock.of("j * kk + $L", pq))));
            ys.add(CodeBlock.of("y$L = $L", q, x.b(CodeBlock.of("(j + 1) * kk + $L", pq))));
            as.add(CodeBlock.of("b$L = g$L[i]", q, q));
        }
        CodeBlock.Builder c = k.body;
        c.addStatement("final int nn = $L, kk = $L, m = $L", nn, k.size(pr.k), k.size(pr.m))
                .addStatement("final $T[] $L", t, CodeBlock.join(colDecl, ", "))
                .beginControlFlow("for (int i0 = 0; i0 < m; i0 += $L)", w)
                .addStatement("final int w = Math.min($L, m - i0)", w)
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("$T.fill(cols[j], 0, w, $L)", java.util.Arrays.class, zero)
                .endControlFlow()
                .addStatement("int p = 0")
                .beginControlFlow("for (; p + $L <= kk; p += $L)", T, T)
                .beginControlFlow("for (int i = 0; i < w; i++)");
        for (CodeBlock g : gather) c.addStatement("$L", g);
        c.endControlFlow()
                .beginControlFlow("for (int j = 0; j + 1 < nn; j += 2)")
                .addStatement("final $T $L", t, CodeBlock.join(xs, ", "))
                .addStatement("final $T $L", t, CodeBlock.join(ys, ", "))
                .addStatement("final $T[] c = cols[j], d = cols[j + 1]", t)
                .beginControlFlow("for (int i = 0; i < w; i++)")
                .addStatement("final $T $L", t, CodeBlock.join(as, ", "))
                .addStatement("c[i] = $L", termSum("c[i]", "x$1L * b$1L", T))
                .addStatement("d[i] = $L", termSum("d[i]", "y$1L * b$1L", T))
                .endControlFlow()
                .endControlFlow();
        if (nn % 2 == 1) {
            c.addStatement("final int j = $L", nn - 1)
                    .addStatement("final $T $L", t, CodeBlock.join(xs, ", "))
                    .addStatement("final $T[] c = cols[j]", t)
                    .beginControlFlow("for (int i = 0; i < w; i++)")
                    .addStatement("final $T $L", t, CodeBlock.join(as, ", "))
                    .addStatement("c[i] = $L", termSum("c[i]", "x$1L * b$1L", T))
                    .endControlFlow();
        }
        c.endControlFlow()
                .add("// the last columns of A when k is not a multiple of $L\n", T)
                .beginControlFlow("for (; p < kk; p++)")
                .beginControlFlow("for (int i = 0; i < w; i++)")
                .addStatement("$L", gather.get(0))
                .endControlFlow()
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("final $T $L", t, xs.get(0))
                .addStatement("final $T[] c = cols[j]", t)
                .beginControlFlow("for (int i = 0; i < w; i++)")
                .addStatement("c[i] += x0 * g0[i]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (int i = 0; i < w; i++)")
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("$L = cols[j][i]", x.c(CodeBlock.of("(i0 + i) * nn + j")))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }

    /** {@link #matmul} with B a transpose read in place: its rows gathered once, each result row accumulated in {@code acc}. */
    private static void gatheredMatmul(Kernel k, Product pr, Product.Arrays x) {
        boolean ta = pr.ta;
        k.scratch(rows(pr.k, pr.n));
        k.scratch(acc(pr.n));
        CodeBlock m = k.size(pr.m);
        CodeBlock nn = k.size(pr.n);
        CodeBlock kk = k.size(pr.k);
        CodeBlock zero = k.elem.lit(0);
        com.palantir.javapoet.TypeName t = k.elem.type();
        CodeBlock.Builder c = k.body;
        c.addStatement("final int nn = $L, kk = $L, m = $L", nn, kk, m)
                .addStatement("$T.fill(acc, 0, nn, $L)", java.util.Arrays.class, zero)
                .beginControlFlow("for (int p = 0; p < kk; p++)")
                .addStatement("final $T[] r = rows[p]", t)
                .add("// B stored as [n, k]: row p of B is column p of the stored array\n")
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("r[j] = $L", x.b("j * kk + p"))
                .endControlFlow()
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("acc[j] += r[j] * $L", zero)
                .endControlFlow()
                .endControlFlow()
                .addStatement("boolean finite = true")
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("finite &= acc[j] == $L", zero)
                .endControlFlow()
                .beginControlFlow("for (int i = 0; i < m; i++)")
                .addStatement("$T.fill(acc, 0, nn, $L)", java.util.Arrays.class, zero)
                .addStatement("int p = 0")
                .beginControlFlow("for (; p + 1 < kk; p += 2)")
                .addStatement("final $T x0 = $L, x1 = $L", t, aElem(x, ta, "i", "p"), aElem(x, ta, "i", "p + 1"))
                .beginControlFlow("if (x0 == $L && x1 == $L && finite)", zero, zero)
                .addStatement("continue")
                .endControlFlow()
                .addStatement("final $T[] r0 = rows[p], r1 = rows[p + 1]", t)
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("acc[j] = acc[j] + x0 * r0[j] + x1 * r1[j]")
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("if (p < kk)")
                .addStatement("final $T x0 = $L", t, aElem(x, ta, "i", "p"))
                .beginControlFlow("if (x0 != $L || !finite)", zero)
                .addStatement("final $T[] r0 = rows[p]", t)
                .beginControlFlow("for (int j = 0; j < nn; j++)")
                .addStatement("acc[j] += x0 * r0[j]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .addStatement("System.arraycopy(acc, 0, $L, $L, nn)", x.c(), x.cAt("i * nn"))
                .endControlFlow();
    }


    /**
     * Plain loops for a product with few columns. Loop orders keep the innermost loop
     * contiguous: i-p-j (an axpy over rows of B) unless B is transposed, then i-j-p (a dot
     * product of rows).
     */
    private static void smallMatmul(Kernel k, Product pr, Product.Arrays x) {
        boolean ta = pr.ta, tb = pr.tb;
        if (pr.n.isStatic() && pr.n.value() <= REGISTER_SUMS) {
            registerMatmul(k, pr, x, (int) pr.n.value());
            return;
        }
        String B = x.b();
        CodeBlock m = k.size(pr.m);
        CodeBlock nn = k.size(pr.n);
        CodeBlock kk = k.size(pr.k);
        // element (i, p) of A and (p, j) of B as stored
        CodeBlock aip = ta ? x.a(CodeBlock.of("p * ($L) + i", m)) : x.a(CodeBlock.of("i * ($L) + p", kk));
        CodeBlock.Builder c = k.body;
        if (!tb) {
            c.addStatement("$T.fill($L, $L, $L, $L)", java.util.Arrays.class, x.c(), x.cAt("0"), x.cAt(CodeBlock.of("($L) * ($L)", m, nn)),
                    k.elem.lit(0));
            if (ta) {
                // p outermost: row p of A (stored) and row p of B are both contiguous
                c.beginControlFlow("for (int p = 0; p < $L; p++)", kk)
                        .addStatement("int bo = $L", x.bAt(CodeBlock.of("p * ($L)", nn)))
                        .beginControlFlow("for (int i = 0; i < $L; i++)", m);
            } else {
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .beginControlFlow("for (int p = 0; p < $L; p++)", kk)
                        .addStatement("int bo = $L", x.bAt(CodeBlock.of("p * ($L)", nn)));
            }
            c.addStatement("$T av = $L", k.elem.type(), aip)
                    .addStatement("int co = $L", x.cAt(CodeBlock.of("i * ($L)", nn)))
                    .beginControlFlow("for (int j = 0; j < $L; j++)", nn)
                    .addStatement("$L[co + j] += av * $L[bo + j]", x.c(), B)
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
        } else {
            // B stored as [n, k]: out[i, j] = dot(row i of A, row j of B)
            c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                    .beginControlFlow("for (int j = 0; j < $L; j++)", nn)
                    .addStatement("$T s = 0", k.elem.type())
                    .beginControlFlow("for (int p = 0; p < $L; p++)", kk)
                    .addStatement("s += $L * $L", aip, x.b(CodeBlock.of("j * ($L) + p", kk)))
                    .endControlFlow()
                    .addStatement("$L = s", x.c(CodeBlock.of("i * ($L) + j", nn)))
                    .endControlFlow()
                    .endControlFlow();
        }
    }

    /** The most sums {@link #registerMatmul} keeps in locals. */
    static final int REGISTER_SUMS = 16;

    /**
     * A product with few (static) columns, its sums in locals: blocks of {@code rb} rows of the
     * result, each element a local that adds its terms for p in order (the sums of a textbook
     * loop, bit for bit), so nothing goes through memory but the operands; the {@code rb} ×
     * n independent sums also hide the latency of the additions (a single dot product waits
     * for each addition before the next).
     */
    private static void registerMatmul(Kernel k, Product pr, Product.Arrays x, int nn) {
        boolean ta = pr.ta, tb = pr.tb;
        int rb = Math.max(1, Math.min(8, REGISTER_SUMS / nn));
        com.palantir.javapoet.TypeName t = k.elem.type();
        CodeBlock.Builder c = k.body;
        c.addStatement("final int kk = $L, m = $L", k.size(pr.k), k.size(pr.m))
                .addStatement("int i = 0");
        for (int block : rb > 1 ? new int[] {rb, 1} : new int[] {1}) {
            if (block > 1) c.beginControlFlow("for (; i + $L <= m; i += $L)", block, block);
            else c.beginControlFlow("for (; i < m; i++)");
            for (int r = 0; r < block; r++) {
                List<CodeBlock> decl = new java.util.ArrayList<>();
                for (int j = 0; j < nn; j++) decl.add(CodeBlock.of("s$L_$L = $L", r, j, k.elem.lit(0)));
                c.addStatement("$T $L", t, CodeBlock.join(decl, ", "));
            }
            c.beginControlFlow("for (int p = 0; p < kk; p++)");
            for (int r = 0; r < block; r++) {
                c.addStatement("final $T x$L = $L", t, r, aElem(x, ta, r == 0 ? "i" : "i + " + r, "p"));
            }
            for (int j = 0; j < nn; j++) {
                CodeBlock bj = tb ? x.b(CodeBlock.of("$L * kk + p", j)) : x.b(CodeBlock.of("p * $L + $L", nn, j));
                c.addStatement("final $T b$L = $L", t, j, bj);
            }
            for (int r = 0; r < block; r++) {
                for (int j = 0; j < nn; j++) c.addStatement("s$L_$L += x$L * b$L", r, j, r, j);
            }
            c.endControlFlow();
            for (int r = 0; r < block; r++) {
                for (int j = 0; j < nn; j++) {
                    c.addStatement("$L = s$L_$L", x.c(CodeBlock.of("$L * $L + $L", r == 0 ? "i" : "(i + " + r + ")", nn, j)), r, j);
                }
            }
            c.endControlFlow();
        }
    }

    /** Products with at least this many (static) columns use the scratch-row form of {@link #matmul}. */
    static final int SCRATCH_MIN_COLUMNS = 16;
}
