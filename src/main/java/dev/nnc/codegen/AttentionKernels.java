package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Size;

/**
 * The fused kernels of scaled dot-product attention ({@link dev.nnc.ops.Structured#ATTENTION},
 * {@code ATTENTION_LSE}, {@code ATTENTION_GRAD}). None stores a score: the forward pass runs an
 * online softmax along the keys of each query row (a running maximum {@code m} and sum
 * {@code l}; when a score raises the maximum, the sum and the accumulated output row are scaled
 * by {@code exp(m_old − m_new)}), so its memory is the output and nothing else. The gradients
 * recompute each score and its probability {@code P = exp(s − lse)} from the row's log-sum-exp:
 * dQ and the mask's gradient run along query rows, dK and dV along key rows (each computed row
 * is one thread's, so rows split over threads without sharing a sum). The loops along a row
 * (dot products, {@code out += c · x}) are {@link AttentionLoops}, vector code on the vector
 * backend; keys are taken one at a time. On the vector backend, nodes without a mask go to
 * {@link AttentionBlocks} instead (blocks of rows and keys).
 */
final class AttentionKernels {
    private AttentionKernels() {}

    /** Input positions of the gradient op after q, k, v: dO, lse, D, mask. */
    private static final int DO = 3, LSE = 4, DD = 5, GRAD_MASK = 6;

    /** {@code out[i] = Σ_j softmax(s)_j v_j} per query row, online. */
    static void forward(Plan plan, Kernel k, Node n) {
        if (AttentionBlocks.applies(k, n)) {
            AttentionBlocks.emit(plan, k, n);
            return;
        }
        Sizes z = Sizes.open(plan, k, n, true, 3);
        CodeBlock.Builder c = k.body;
        z.queryRow(c);
        c.addStatement("final int oo = r * EV");
        c.addStatement("for (int t = 0; t < EV; t++) out[oo + t] = 0");
        z.online(c);
        c.addStatement("final $T inv = 1 / l", TypeName.DOUBLE);
        z.loops.scale(c, "oo", "inv", "EV");
        c.endControlFlow();
    }

    /**
     * {@code out[i] = m + log Σ_j exp(s_j − m)} per query row, {@code m} the row's maximum: two
     * passes over the keys (the maximum, then the sum), the interpreter's arithmetic in the
     * same order, so that the gradients' probabilities {@code exp(s − lse)} are the same
     * numbers on both engines. (The forward pass alone needs no log-sum-exp.)
     */
    static void logSumExp(Plan plan, Kernel k, Node n) {
        if (AttentionBlocks.applies(k, n)) {
            AttentionBlocks.emit(plan, k, n);
            return;
        }
        Sizes z = Sizes.open(plan, k, n, false, 2);
        CodeBlock.Builder c = k.body;
        z.queryRow(c);
        c.addStatement("$T m = $L, l = 0", TypeName.DOUBLE, CodeBlock.of("Double.NEGATIVE_INFINITY"));
        for (boolean sum : new boolean[] {false, true}) {
            c.beginControlFlow("for (int j = 0; j < keys; j++)").addStatement("final int ko = (kb + j) * E");
            z.score(c, "r", "j");
            if (sum) c.addStatement("l += $L", call("Math.exp", CodeBlock.of("s - m")));
            else c.addStatement("if (s > m) m = s");
            c.endControlFlow();
        }
        c.addStatement("out[r] = $L(m + Math.log(l))", narrow(k)).endControlFlow();
    }

    /** One input's gradient ({@link Attr.Attention#wrt}). */
    static void gradient(Plan plan, Kernel k, Node n) {
        if (AttentionBlocks.applies(k, n)) {
            AttentionBlocks.emit(plan, k, n);
            return;
        }
        int wrt = n.attr(Attr.Attention.class).wrt();
        Sizes z = Sizes.open(plan, k, n, true, GRAD_MASK);
        String dO = k.array(plan.base(n.input(DO))), lse = k.array(plan.base(n.input(LSE))), dd = k.array(plan.base(n.input(DD)));
        CodeBlock.Builder c = k.body;
        if (wrt == 0 || wrt == 3) {
            z.queryRow(c);
            if (wrt == 0) c.addStatement("for (int t = 0; t < E; t++) out[qo + t] = 0");
            else c.addStatement("for (int j = keys; j < LK; j++) out[r * LK + j] = 0");
            c.addStatement("final $T lse = $L[r], dd = $L[r]", TypeName.DOUBLE, lse, dd)
                    .beginControlFlow("for (int j = 0; j < keys; j++)")
                    .addStatement("final int ko = (kb + j) * E, vo = (kb + j) * EV");
            z.score(c, "r", "j");
            c.addStatement("final $T p = $L", TypeName.DOUBLE, call("Math.exp", CodeBlock.of("s - lse")));
            z.loops.dot(c, "dp", dO, "r * EV", z.v, "vo", "EV");
            if (wrt == 0) {
                c.addStatement("final $T ds = p * (dp - dd) * sc", TypeName.DOUBLE);
                z.loops.addScaled(c, "qo", "ds", z.k, "ko", "E");
            } else {
                c.addStatement("out[r * LK + j] = $L(p * (dp - dd))", narrow(k));
            }
            c.endControlFlow().endControlFlow();
            return;
        }
        // dK, dV: one key row per computed row, over the queries that see it
        c.beginControlFlow("for (int r = r0; r < r1; r++)")
                .addStatement("final int b = r / LK, j = r - b * LK")
                .addStatement("final int ko = r * E, vo = r * EV")
                .addStatement(wrt == 1 ? "for (int t = 0; t < E; t++) out[ko + t] = 0" : "for (int t = 0; t < EV; t++) out[vo + t] = 0")
                .beginControlFlow("for (int i = $L; i < LQ; i++)", z.causal ? "j" : "0")
                .addStatement("final int row = b * LQ + i, qo = row * E");
        z.score(c, "row", "j");
        c.addStatement("final $T p = $L", TypeName.DOUBLE, call("Math.exp", CodeBlock.of("s - $L[row]", lse)));
        if (wrt == 2) {
            z.loops.addScaled(c, "vo", "p", dO, "row * EV", "EV");
        } else {
            z.loops.dot(c, "dp", dO, "row * EV", z.v, "vo", "EV");
            c.addStatement("final $T ds = p * (dp - $L[row]) * sc", TypeName.DOUBLE, dd);
            z.loops.addScaled(c, "ko", "ds", z.q, "qo", "E");
        }
        c.endControlFlow().endControlFlow();
    }

    /** {@code Math.name(arg)}: the kernels' scalar arithmetic is in double on both precisions. */
    private static CodeBlock call(String name, CodeBlock arg) {
        return CodeBlock.of("$L($L)", name, arg);
    }

    /** The cast that stores a double into the kernel's output. */
    private static String narrow(Kernel k) {
        return k.elem.f32() ? "(float) " : "";
    }

    /** The sizes and arrays of one attention kernel, declared at its start. */
    private record Sizes(Kernel kernel, AttentionLoops loops, boolean causal, String q, String k, String v, String mask) {
        /**
         * Declares {@code LQ, LK, E, EV} and the scale {@code sc = 1/√E}, and the rows the kernel
         * computes: query rows, or key rows for the gradients of k and v. {@code withV}: the op
         * reads v (input 2); its mask, if any, is input {@code maskInput}.
         */
        static Sizes open(Plan plan, Kernel k, Node n, boolean withV, int maskInput) {
            Shape q = n.input(0).shape(), ks = n.input(1).shape();
            Size batch = new Shape(q.dims().subList(0, q.rank() - 2)).numel();
            Size lq = Size.of(q.last(2)), lk = Size.of(ks.last(2)), e = Size.of(q.last(1));
            Size ev = withV ? Size.of(n.input(2).shape().last(1)) : Size.ONE;
            int wrt = n.op() == dev.nnc.ops.Structured.ATTENTION_GRAD ? n.attr(Attr.Attention.class).wrt() : -1;
            boolean keyRows = wrt == 1 || wrt == 2;
            k.splitRows(batch.times(keyRows ? lk : lq), (keyRows ? lq : lk).times(e.plus(ev)));
            String qa = k.array(plan.base(n.input(0))), ka = k.array(plan.base(n.input(1)));
            String va = withV ? k.array(plan.base(n.input(2))) : null;
            String ma = n.inputs().size() > maskInput ? k.array(plan.base(n.input(maskInput))) : null;
            k.body.addStatement("final int LQ = $L, LK = $L, E = $L", k.size(lq), k.size(lk), k.size(e));
            if (withV) k.body.addStatement("final int EV = $L", k.size(ev));
            k.body
                    .addStatement("final $T sc = 1 / $L", TypeName.DOUBLE, call("Math.sqrt", CodeBlock.of("E")));
            return new Sizes(k, new AttentionLoops(k), n.attr(Attr.Attention.class).causal(), qa, ka, va, ma);
        }

        /** Opens the loop over query rows {@code r}: {@code b}, {@code i}, {@code qo}, {@code kb} and the keys it sees. */
        void queryRow(CodeBlock.Builder c) {
            c.beginControlFlow("for (int r = r0; r < r1; r++)")
                    .addStatement("final int b = r / LQ, i = r - b * LQ, qo = r * E, kb = b * LK")
                    .addStatement(causal ? "final int keys = Math.min(LK, i + 1)" : "final int keys = LK");
        }

        /** Declares score {@code s} of query row {@code row} (at {@code qo}) and key {@code j} (at {@code ko}). */
        void score(CodeBlock.Builder c, String row, String j) {
            loops.dot(c, "dot", q, "qo", k, "ko", "E");
            if (mask == null) c.addStatement("final $T s = dot * sc", TypeName.DOUBLE);
            else c.addStatement("final $T s = dot * sc + $L[$L * LK + $L]", TypeName.DOUBLE, mask, row, j);
        }

        /**
         * The online softmax along the row's keys: declares {@code m} and {@code l}, and adds
         * {@code p · v_j} into {@code out[oo …]}, rescaled as {@code m} grows.
         * A key whose score is −∞ (masked) adds nothing.
         */
        void online(CodeBlock.Builder c) {
            Kernel kn = kernel;
            c.addStatement("$T m = $L, l = 0", TypeName.DOUBLE, CodeBlock.of("Double.NEGATIVE_INFINITY"))
                    .beginControlFlow("for (int j = 0; j < keys; j++)")
                    .addStatement("final int ko = (kb + j) * E");
            score(c, "r", "j");
            c.addStatement("if (s == $L) continue", CodeBlock.of("Double.NEGATIVE_INFINITY"))
                    .beginControlFlow("if (s > m)")
                    .addStatement("final $T scale = $L", TypeName.DOUBLE, call("Math.exp", CodeBlock.of("m - s")))
                    .addStatement("l *= scale");
            loops.scale(c, "oo", "scale", "EV");
            c.addStatement("m = s").endControlFlow()
                    .addStatement("final $T p = $L", TypeName.DOUBLE, call("Math.exp", CodeBlock.of("s - m")))
                    .addStatement("l += p");
            c.addStatement("final int vo = (kb + j) * EV");
            loops.addScaled(c, "oo", "p", v, "vo", "EV");
            c.endControlFlow();
        }
    }
}
