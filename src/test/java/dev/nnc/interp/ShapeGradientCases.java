package dev.nnc.interp;

import dev.nnc.interp.GradientCheckTest.Builder;
import dev.nnc.interp.GradientCheckTest.Case;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Attr.Range;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Node;
import dev.nnc.ops.Ternary;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient-check cases of language v2's layout ops (permutes, indexing and its adjoint),
 * {@code where} and {@code arange}, for {@link GradientCheckTest} (comparisons are in its
 * binary cases).
 */
final class ShapeGradientCases {
    private ShapeGradientCases() {}

    static List<Case> cases(long seed) {
        List<Case> cs = new ArrayList<>();
        int[][] perms = {{1, 0}, {2, 0, 1}, {0, 2, 1}, {1, 2, 0}, {3, 1, 0, 2}};
        for (int[] p : perms) {
            Builder b = new Builder(seed++);
            int[] s = p.length == 2 ? new int[] {2, 3} : p.length == 3 ? new int[] {2, 3, 4} : new int[] {2, 1, 3, 2};
            Node x = b.input("x", s, -2, 2);
            List<Integer> axes = new ArrayList<>();
            for (int a : p) axes.add(a);
            cs.add(b.build("PERMUTE " + axes, b.g.permute(x, axes)));
        }
        // selections of x : [4, 5, 3]: integers (dropped axes), strided slices, everything
        Range[][] selections = {
                {new Range(1, false, 1, 1, true, false), Range.all(), Range.all()},
                {Range.all(), new Range(1, false, 2, 2, false, false), new Range(2, false, 1, 1, true, false)},
                {new Range(0, false, 3, 2, false, false), new Range(4, false, 1, 1, false, false), new Range(0, false, 2, 2, false, false)},
                {new Range(3, false, 1, 1, true, false), new Range(0, false, 1, 5, false, false), new Range(1, false, 1, 2, false, false)},
        };
        for (Range[] sel : selections) {
            Builder b = new Builder(seed++);
            Node x = b.input("x", new int[] {4, 5, 3}, -2, 2);
            Attr.Select s = new Attr.Select(List.of(sel), x.shape());
            cs.add(b.build("SELECT " + s.shape(), b.g.select(x, s)));
            Builder b2 = new Builder(seed++);
            Node y = b2.input("y", sizes(s), -2, 2);
            cs.add(b2.build("PLACE " + s.shape() + " into " + s.source(), b2.g.place(y, s)));
        }
        {
            // on a runtime dim (batch = 3): counted from the end, a window, and the whole dim
            Builder b = new Builder(seed++);
            Node x = b.batched("x", new int[] {3, 4, 3}, -2, 2);
            Attr.Select s = new Attr.Select(List.of(new Range(2, true, 1, 2, false, false), new Range(1, false, 1, 1, true, false),
                    Range.all()), x.shape());
            cs.add(b.build("SELECT of a runtime dim " + s.shape(), b.g.select(x, s)));
            Builder b2 = new Builder(seed++);
            Node y = b2.batched("y", new int[] {2, 3}, -2, 2);
            Attr.Select s2 = new Attr.Select(List.of(new Range(0, false, 2, 2, false, false), new Range(1, true, 1, 1, true, false),
                    Range.all()), dev.nnc.ir.Shape.of(Dim.of(4), Fixtures.BATCH, Fixtures.BATCH));
            cs.add(b2.build("PLACE into a runtime dim", b2.g.place(y, s2)));
        }
        for (int trial = 0; trial < 4; trial++) {
            Builder b = new Builder(seed++);
            int[] full = {2, 3};
            // a condition of exact zeros and non-zeros: a step of ±h never moves it across 0 (a step
            // from 0 either way makes it non-zero, so both sides agree), or a comparison
            double[] choices = {0, 0, 1.5, -0.7};
            Node c = trial == 3 ? b.awayFromZero("c", full, 0.3, 1) : b.input("c", trial == 0 ? full : b.broadcastable(full),
                    () -> choices[b.r.nextInt(choices.length)]);
            Node x = b.input("a", trial == 1 ? full : b.broadcastable(full), -2, 2);
            Node y = b.input("b", trial == 2 ? full : b.broadcastable(full), -2, 2);
            Node cond = trial == 3 ? b.g.binary(dev.nnc.ops.Binary.GT, c, b.g.constant(0)) : c;
            cs.add(b.build("WHERE " + trial, b.g.ternary(Ternary.WHERE, cond, x, y)));
        }
        {
            Builder b = new Builder(seed++);
            Node x = b.batched("x", new int[] {2, 3}, -2, 2);
            cs.add(b.build("ARANGE", b.g.mul(x, b.g.arange(Fixtures.BATCH))));
        }
        return cs;
    }

    private static int[] sizes(Attr.Select s) {
        int[] out = new int[s.shape().rank()];
        for (int i = 0; i < out.length; i++) out[i] = s.shape().get(i).size();
        return out;
    }
}
