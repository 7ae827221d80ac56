package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Size;
import dev.nnc.ops.Structured;
import java.util.ArrayList;
import java.util.List;

/**
 * The attention kernels of the vector backend without an additive mask, in blocks: a block of
 * {@value #BR} rows (query rows, or key rows for the gradients of k and v) against a vector of
 * columns (keys, or queries) at a time. The column side is transposed once per batch into the
 * instance's scratch {@code at} (rows of {@code LS} elements, {@code LS} the column count
 * rounded up to whole vectors and padded with zeros), so a block of scores is {@value #BR}
 * vectors of fused multiply-adds over the shared dimension: {@code s_r += q[r, t] · kᵀ[t, j…]}.
 * The scores' tile then goes through the instance's scratch {@code ap} (one vector per row,
 * columns outside the causal triangle or past the end set to −∞), is turned into coefficients
 * row by row (the online softmax's {@code exp(s − m)}, or the gradients' {@code P} and
 * {@code dS}) with a polynomial exponential ({@link VectorExp}), and the product of the
 * coefficients with the column side's rows is again {@value #BR} vectors of multiply-adds per
 * vector of the output row. Every vector that receives a call is exact ({@link VectorExact}),
 * and a row's sum of lanes is taken in lane order, so results do not depend on which code runs.
 * The tile, the coefficients and the product are calls of {@code Simd$} methods
 * ({@link AttentionMembers}), so that the kernel itself has no Vector API call and every
 * method stays within what C1 compiles at tier 3; the kernel keeps the loops over blocks, the
 * transposition, the mask of the tile and the scalar tails.
 *
 * <p>Arithmetic is in the element type (the scalar backend and the interpreter compute in
 * double): f32 results differ from the interpreter's within the f32 agreement tolerance.
 */
final class AttentionBlocks {
    private AttentionBlocks() {}

    /**
     * Rows per block: the score tile's vectors, each a chain of multiply-adds of its own. Eight chains
     * keep two FMA units busy where four left them waiting on the latency (W6 trainStep 1.034 times
     * as fast on JDK 17, 1.030 on JDK 25, but in BuildsAB's one JVM per A/B, not over fresh JVMs); a
     * tile's eight sums, the loaded vector and a broadcast fit in 16 registers (AVX2).
     */
    static final int BR = 8;

    /** Whether node {@code n} gets a blocked kernel: the vector backend, no mask, not the mask's gradient. */
    static boolean applies(Kernel k, Node n) {
        if (!k.vector) return false;
        if (n.op() == Structured.ATTENTION_GRAD) return n.attr(Attr.Attention.class).wrt() != 3 && n.inputs().size() == 6;
        return n.inputs().size() == (n.op() == Structured.ATTENTION ? 3 : 2);
    }

    /** What the kernel does with the coefficient tile. */
    private enum Kind { FORWARD, LSE, DQ, DK, DV }

    /** One kernel's arrays and sizes. */
    private record Setup(Kind kind, boolean causal, boolean keyRows, String q, String k, String v, String dO, String lse, String dd,
                         String at, String ap) {}

    static void emit(Plan plan, Kernel k, Node n) {
        int wrt = n.op() == Structured.ATTENTION_GRAD ? n.attr(Attr.Attention.class).wrt() : -1;
        Kind kind = n.op() == Structured.ATTENTION ? Kind.FORWARD : n.op() == Structured.ATTENTION_LSE ? Kind.LSE
                : wrt == 0 ? Kind.DQ : wrt == 1 ? Kind.DK : Kind.DV;
        boolean keyRows = kind == Kind.DK || kind == Kind.DV;
        boolean withV = kind != Kind.LSE;
        Shape qs = n.input(0).shape(), ks = n.input(1).shape();
        Size batch = new Shape(qs.dims().subList(0, qs.rank() - 2)).numel();
        Size lq = Size.of(qs.last(2)), lk = Size.of(ks.last(2)), e = Size.of(qs.last(1));
        Size ev = withV ? Size.of(n.input(2).shape().last(1)) : Size.ONE;
        k.runAsStep();
        k.splitRows(batch.times(keyRows ? lk : lq), (keyRows ? lq : lk).times(e.plus(ev)));
        String q = k.array(plan.base(n.input(0))), ka = k.array(plan.base(n.input(1)));
        String v = withV ? k.array(plan.base(n.input(2))) : null;
        boolean grad = n.op() == Structured.ATTENTION_GRAD;
        String dO = grad ? k.array(plan.base(n.input(3))) : null;
        String lse = grad ? k.array(plan.base(n.input(4))) : null;
        String dd = grad ? k.array(plan.base(n.input(5))) : null;
        // the transposed rows: kᵀ (and vᵀ for dQ) by key; qᵀ and lse (and dOᵀ and D for dK) by query
        Size tWidth = switch (kind) {
            case FORWARD, LSE -> e;
            case DQ -> e.plus(ev);
            case DV -> e.plus(Size.ONE);
            case DK -> e.plus(ev).plus(Size.constant(2));
        };
        Size cols = keyRows ? lq : lk;
        String at = k.scratch(Scratch.flat("scratch$attnT", "at", tWidth.times(cols.plus(Size.constant(64))),
                "Scratch for attention: the keys (or queries) of one batch transposed, rows padded to whole vectors."));
        String ap = k.scratch(new Scratch("scratch$attnP", "ap", null, Size.constant(4 * BR), true,
                "Scratch for attention: a block's scores and coefficients, one vector per row, and its rows' statistics."));
        AttentionMembers.register(k, AttentionMembers.TILE, switch (kind) {
            case FORWARD, LSE -> AttentionMembers.ONLINE;
            case DQ -> AttentionMembers.PQ;
            case DK -> AttentionMembers.PK;
            case DV -> AttentionMembers.PV;
        });
        if (kind != Kind.LSE) k.members.add(kind == Kind.FORWARD ? AttentionMembers.PROD_F : AttentionMembers.PROD);
        CodeBlock.Builder c = k.body;
        TypeName t = k.elem.type();
        c.addStatement("final int LQ = $L, LK = $L, E = $L", k.size(lq), k.size(lk), k.size(e));
        if (withV) c.addStatement("final int EV = $L", k.size(ev));
        c.addStatement("final $T sc = $L", t, k.elem.f32() ? CodeBlock.of("(float) (1 / Math.sqrt(E))") : CodeBlock.of("1 / Math.sqrt(E)"));
        c.addStatement("final int VL = SPECIES.length(), LS = ($L + VL - 1) / VL * VL", keyRows ? "LQ" : "LK");
        c.addStatement("final int PD = $L * VL, PL = $L * VL, PM = $L * VL, PA = PM + $L", BR, 2 * BR, 3 * BR, BR);
        Setup s = new Setup(kind, n.attr(Attr.Attention.class).causal(), keyRows, q, ka, v, dO, lse, dd, at, ap);
        new Emitter(k, s).body();
    }

    /** Writes one kernel's body. */
    private static final class Emitter {
        private final Kernel k;
        private final Setup s;
        private final CodeBlock.Builder c;

        Emitter(Kernel k, Setup s) {
            this.k = k;
            this.s = s;
            this.c = k.body;
        }

        private CodeBlock lit(double v) {
            return k.elem.lit(v);
        }

        /** Rows of the block are {@code r … r + n − 1} of the kernel's rows; columns from {@code c0} … {@code cEnd}. */
        void body() {
            String rowLen = s.keyRows ? "LK" : "LQ", colLen = s.keyRows ? "LQ" : "LK";
            // the width of the rows the tile multiplies (the output row) and of the score tile's rows
            String outW = switch (s.kind) {
                case FORWARD, DV -> "EV";
                case DQ, DK -> "E";
                case LSE -> "1";
            };
            c.addStatement("int tb = -1");
            c.beginControlFlow("for (int r = r0; r < r1;)")
                    .addStatement("final int b = r / $L, i0 = r - b * $L, n = Math.min(Math.min($L, $L - i0), r1 - r)", rowLen, rowLen, BR, rowLen);
            transpose(colLen);
            // columns the block's rows see: [cLo, cEnd); lanes before a row's first or past its last column are masked
            if (s.keyRows) {
                c.addStatement("final int cEnd = LQ, cLo = $L", s.causal ? "i0 / VL * VL" : "0");
            } else {
                c.addStatement("final int cEnd = $L, cLo = 0", s.causal ? "Math.min(LK, i0 + n)" : "LK");
            }
            for (int rr = 0; rr < BR; rr++) {
                c.addStatement("final int x$L = (r + Math.min($L, n - 1)) * E", rr, rr);
                if (s.kind == Kind.DQ || s.kind == Kind.DK) c.addStatement("final int y$L = (r + Math.min($L, n - 1)) * EV", rr, rr);
            }
            if (s.kind == Kind.FORWARD || s.kind == Kind.LSE) {
                c.beginControlFlow("for (int rr = 0; rr < n; rr++)")
                        .addStatement("$L[PM + rr] = $L", s.ap, lit(Double.NEGATIVE_INFINITY))
                        .addStatement("for (int l = 0; l < VL; l++) $L[PL + rr * VL + l] = 0", s.ap);
                if (s.kind == Kind.FORWARD) c.addStatement("for (int t = 0; t < EV; t++) out[(r + rr) * EV + t] = 0");
                c.endControlFlow();
            } else {
                c.addStatement("for (int t = 0; t < n * $L; t++) out[r * $L + t] = 0", outW, outW);
            }
            c.beginControlFlow("for (int c0 = cLo; c0 < cEnd; c0 += VL)");
            tile("x", "0", "0");
            if (s.kind == Kind.DQ || s.kind == Kind.DK) tile("y", "E", "PD");
            mask();
            coefficients();
            if (s.kind != Kind.LSE) product(outW);
            c.endControlFlow();
            finish();
            c.addStatement("r += n").endControlFlow();
        }

        /** When the block's batch changes: the column side's rows transposed into {@code at}, padded with zeros. */
        private void transpose(String colLen) {
            c.beginControlFlow("if (b != tb)").addStatement("tb = b");
            List<String[]> parts = new ArrayList<>(); // array, width, first row of at
            switch (s.kind) {
                case FORWARD, LSE -> parts.add(new String[] {s.k, "E", "0"});
                case DQ -> {
                    parts.add(new String[] {s.k, "E", "0"});
                    parts.add(new String[] {s.v, "EV", "E"});
                }
                case DV -> {
                    parts.add(new String[] {s.q, "E", "0"});
                    parts.add(new String[] {s.lse, "1", "E"});
                }
                case DK -> {
                    parts.add(new String[] {s.q, "E", "0"});
                    parts.add(new String[] {s.dO, "EV", "E"});
                    parts.add(new String[] {s.lse, "1", "E + EV"});
                    parts.add(new String[] {s.dd, "1", "E + EV + 1"});
                }
            }
            for (String[] p : parts) {
                c.beginControlFlow("for (int t = 0; t < $L; t++)", p[1])
                        .addStatement("final int to = ($L + t) * LS", p[2])
                        .addStatement("for (int j = 0; j < $L; j++) $L[to + j] = $L[(b * $L + j) * $L + t]", colLen, s.at, p[0], colLen, p[1])
                        .addStatement("for (int j = $L; j < LS; j++) $L[to + j] = 0", colLen, s.at)
                        .endControlFlow();
            }
            c.endControlFlow();
        }

        /**
         * A tile of {@value #BR} vectors {@code Σ_t row_rr[t] · at[first + t][c0 …]} (rows at offsets
         * {@code prefix0 …}), written to {@code ap} at {@code PD} for the second tile, else 0; scaled by {@code sc} for scores
         * ({@code attTile$}).
         */
        private void tile(String prefix, String firstRow, String dest) {
            boolean scores = prefix.equals("x");
            String rowArray = scores ? (s.keyRows ? s.k : s.q) : (s.keyRows ? s.v : s.dO);
            String width = scores ? "E" : "EV";
            CodeBlock.Builder rows = CodeBlock.builder();
            for (int rr = 0; rr < BR; rr++) rows.add("$L$L, ", prefix, rr);
            c.addStatement("attTile$$($L, $L$L, $L, $L * LS + c0, LS, $L, $L, $L)", rowArray, rows.build(),
                    width, s.at, firstRow, s.ap, dest, scores ? "sc" : lit(1));
        }

        /** Scores of columns a row does not see set to −∞ (only in the vectors that hold such columns). */
        private void mask() {
            String lo = s.keyRows && s.causal ? "i0 + rr" : "0";
            String hi = !s.keyRows && s.causal ? "Math.min(LK, i0 + rr + 1)" : (s.keyRows ? "LQ" : "LK");
            String need = s.keyRows ? (s.causal ? "c0 < i0 + n || c0 + VL > LQ" : "c0 + VL > LQ")
                    : (s.causal ? "c0 + VL > Math.min(LK, i0 + 1)" : "c0 + VL > LK");
            c.beginControlFlow("if ($L)", need)
                    .beginControlFlow("for (int rr = 0; rr < n; rr++)")
                    .addStatement("final int lo = $L - c0, hi = $L - c0", lo, hi)
                    .addStatement("for (int l = 0; l < VL; l++) if (l < lo || l >= hi) $L[rr * VL + l] = $L", s.ap, lit(Double.NEGATIVE_INFINITY))
                    .endControlFlow().endControlFlow();
        }

        /** Row by row, the tile's scores in {@code ap} become the coefficients of the product ({@link AttentionMembers}). */
        private void coefficients() {
            switch (s.kind) {
                case FORWARD, LSE -> c.addStatement("attOnline$$($L, n)", s.ap);
                case DQ -> c.addStatement("attPq$$($L, n, $L, $L, r, sc)", s.ap, s.lse, s.dd);
                case DK -> c.addStatement("attPk$$($L, n, $L, (E + EV) * LS + c0, (E + EV + 1) * LS + c0, sc)", s.ap, s.at);
                case DV -> c.addStatement("attPv$$($L, n, $L, E * LS + c0)", s.ap, s.at);
            }
        }

        /** {@code out_rr += Σ_jj coef[rr][jj] · x[c0 + jj]} (the forward pass first scales {@code out_rr} by {@code alpha}). */
        private void product(String outW) {
            String x = switch (s.kind) {
                case FORWARD -> s.v;
                case DQ -> s.k;
                case DK -> s.q;
                case DV, LSE -> s.dO;
            };
            String xBase = s.keyRows ? "LQ" : "LK";
            c.addStatement("final int nk = Math.min(VL, cEnd - c0)");
            c.addStatement("$L($L, n, $L, (b * $L + c0) * $L, $L, nk, out, r * $L)", s.kind == Kind.FORWARD ? "attProdF$" : "attProd$",
                    s.ap, x, xBase, outW, outW, outW);
            c.addStatement("int t0 = $L / VL * VL", outW);
            // the output row's last elements, fewer than a vector
            c.beginControlFlow("for (; t0 < $L; t0++)", outW)
                    .beginControlFlow("for (int rr = 0; rr < n; rr++)")
                    .addStatement("$T acc = 0", k.elem.type())
                    .addStatement("for (int jj = 0; jj < nk; jj++) acc += $L[rr * VL + jj] * $L[(b * $L + c0 + jj) * $L + t0]", s.ap, x, xBase, outW)
                    .addStatement("final int o = (r + rr) * $L + t0", outW);
            if (s.kind == Kind.FORWARD) c.addStatement("out[o] = out[o] * $L[PA + rr] + acc", s.ap);
            else c.addStatement("out[o] += acc");
            c.endControlFlow().endControlFlow();
        }

        /** After the block's last column: the softmax's division, or the log-sum-exp. */
        private void finish() {
            if (s.kind != Kind.FORWARD && s.kind != Kind.LSE) return;
            c.beginControlFlow("for (int rr = 0; rr < n; rr++)")
                    .addStatement("$T l = 0", k.elem.type())
                    .addStatement("for (int l$$ = 0; l$$ < VL; l$$++) l += $L[PL + rr * VL + l$$]", s.ap);
            if (s.kind == Kind.LSE) {
                c.addStatement("out[r + rr] = $L[PM + rr] + $L", s.ap, k.elem.call("Math.log", CodeBlock.of("l")));
            } else {
                c.addStatement("final $T inv = 1 / l", k.elem.type())
                        .addStatement("for (int t = 0; t < EV; t++) out[(r + rr) * EV + t] *= inv");
            }
            c.endControlFlow();
        }
    }
}
