package dev.nnc.interp;

import dev.nnc.interp.GradientCheckTest.Builder;
import dev.nnc.interp.GradientCheckTest.Case;
import dev.nnc.ir.DType;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The finite-difference cases of {@link GradientCheckTest} for the ops of the tensor core:
 * batched products (broadcast batch axes on either side, 1-D operands, products that sum over
 * batch axes), the gather of an embedding and its scatter-add (repeated ids), and layer
 * normalization with its gradient op (whose own gradient is a second derivative).
 */
final class ComputeGradientCases {
    private ComputeGradientCases() {}

    static List<Case> cases(long seed) {
        List<Case> cs = new ArrayList<>();
        int[][][] products = {
                {{2, 3, 4}, {2, 4, 5}}, {{2, 1, 3, 4}, {3, 4, 2}}, {{3, 4}, {2, 4, 5}}, {{2, 3, 4}, {4}}, {{4}, {2, 4, 3}},
                {{2, 3, 4}, {4, 2}}, {{1, 2, 3}, {2, 3, 2}}};
        for (int[][] pair : products) {
            Builder b = new Builder(seed++);
            Node x = b.input("a", pair[0], -2, 2), y = b.input("b", pair[1], -2, 2);
            cs.add(b.build("MATMUL " + Tensor.shapeString(pair[0]) + " @ " + Tensor.shapeString(pair[1]), b.g.matmul(x, y)));
        }
        {
            // a product that sums over batch axis 0, the gradient of an operand broadcast along it
            Builder b = new Builder(seed++);
            Node x = b.input("a", new int[] {3, 2, 2, 4}, -2, 2), y = b.input("b", new int[] {3, 1, 4, 3}, -2, 2);
            cs.add(b.build("MATMUL summed over axis 0", b.g.product(x, y, List.of(0))));
        }
        {
            // batched transposes read in place: a[2,4,3]ᵀ @ b[2,4,5] + c[2,3,6] @ d[2,5,6]ᵀ
            Builder b = new Builder(seed++);
            Node x = b.input("a", new int[] {2, 4, 3}, -2, 2), y = b.input("b", new int[] {2, 4, 5}, -2, 2);
            Node z = b.input("c", new int[] {2, 3, 6}, -2, 2), w = b.input("d", new int[] {2, 5, 6}, -2, 2);
            cs.add(b.build("MATMUL of batched transposes", b.g.add(b.g.matmul(b.g.transpose(x), y), b.g.matmul(z, b.g.transpose(w)))));
        }
        for (int[] idsShape : new int[][] {{5}, {2, 3}}) {
            // ids with repeats: the table's gradient adds up the rows that picked it
            Builder b = new Builder(seed++);
            Node table = b.input("table", new int[] {4, 3}, -2, 2);
            Node ids = b.g.input("ids", b.index++, Shape.of(idsShape), DType.INT);
            long[] v = new long[Tensor.numel(idsShape)];
            for (int i = 0; i < v.length; i++) v[i] = (i * 3) % 4 == 1 ? 1 : i % 4;
            b.values.put("ids", Tensor.labels(idsShape, v));
            cs.add(b.build("GATHER by ids " + Tensor.shapeString(idsShape), b.g.gather(table, ids)));
        }
        {
            Builder b = new Builder(seed++);
            Node values = b.input("values", new int[] {6, 2}, -2, 2);
            Node ids = b.g.input("ids", b.index++, Shape.of(6), DType.INT);
            b.values.put("ids", Tensor.labels(new int[] {6}, 2, 0, 2, 2, 4, 0));
            cs.add(b.build("SCATTER_ADD with repeated ids", b.g.scatterAdd(values, ids, Shape.of(5, 2))));
        }
        for (int[] s : new int[][] {{2, 5}, {4}, {2, 2, 3}}) {
            Builder b = new Builder(seed++);
            cs.add(b.build("LAYER_NORM " + Tensor.shapeString(s), b.g.layerNorm(b.input("x", s, -2, 2), 1e-3)));
        }
        for (int[] s : new int[][] {{2, 5}, {3, 1, 4}}) {
            // the gradient op differentiated again: with respect to x (a composition) and to g (itself)
            Builder b = new Builder(seed++);
            Node x = b.input("x", s, -2, 2), g = b.input("g", s, -2, 2);
            cs.add(b.build("LAYER_NORM_GRAD " + Tensor.shapeString(s), b.g.layerNormGrad(x, g, 1e-2)));
        }
        return cs;
    }
}
