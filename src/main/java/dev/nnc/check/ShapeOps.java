package dev.nnc.check;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeRules;
import dev.nnc.ir.ShapeException;
import dev.nnc.ir.Size;
import dev.nnc.ops.Binary;
import java.util.ArrayList;
import java.util.List;

/**
 * The lowerings of the built-in functions that rearrange axes ({@code reshape} with {@code -1},
 * {@code flatten}, {@code unsqueeze}, {@code squeeze}, {@code transpose}) and of the triangular
 * masks ({@code tril}, {@code triu}). Reshapes are free (the same storage); transposes and
 * permutes are read in place where the code generator can.
 */
final class ShapeOps {
    private ShapeOps() {}

    /** {@code reshape(x, target)}, where one entry of the target may be {@link Shapes#INFER}. */
    static Node reshape(Graph g, Node x, Shape target) {
        int at = target.dims().indexOf(Shapes.INFER);
        if (at < 0) return g.reshape(x, target);
        List<Dim> others = new ArrayList<>(target.dims());
        others.remove(at);
        Size total = x.shape().numel(), known = Size.product(others);
        String written = target.toString();
        long c = total.coefficient(), k = known.coefficient();
        List<String> dims = new ArrayList<>(total.symbols());
        boolean divides = c % k == 0;
        for (String d : known.symbols()) divides &= dims.remove(d);
        if (!divides) {
            throw new ShapeException(ErrorKind.RESHAPE_INFER, x.shape(), written,
                    text(total) + " elements are not a multiple of " + text(known));
        }
        Dim inferred = single(c / k, dims);
        if (inferred == null) {
            throw new ShapeException(ErrorKind.RESHAPE_INFER, x.shape(), written,
                    "it would be " + text(Size.monomial(c / k, dims)) + ", and a runtime dim can only stand alone in a shape");
        }
        List<Dim> out = new ArrayList<>(target.dims());
        out.set(at, inferred);
        return g.reshape(x, new Shape(out));
    }

    /** {@code flatten(x, start, end)}: the axes from {@code start} to {@code end} merged into one, as torch.flatten. */
    static Node flatten(Graph g, Node x, int start, int end) {
        Shape s = x.shape();
        if (s.rank() == 0) return g.reshape(x, Shape.of(1));
        int a = ShapeRules.axis(start, s), b = ShapeRules.axis(end, s);
        if (a > b) throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "start", "flatten", "must not come after end, got " + start + " and " + end);
        Size merged = Size.product(s.dims().subList(a, b + 1));
        Dim d = single(merged.coefficient(), merged.symbols());
        if (d == null) throw new ShapeException(ErrorKind.DIM_PRODUCT, "flatten of " + s + " from axis " + a + " to " + b, text(merged));
        List<Dim> out = new ArrayList<>(s.dims().subList(0, a));
        out.add(d);
        out.addAll(s.dims().subList(b + 1, s.rank()));
        return g.reshape(x, new Shape(out));
    }

    /** A new axis of size 1 at {@code axis} (from -rank-1 to rank, as torch.unsqueeze). */
    static Node unsqueeze(Graph g, Node x, int axis) {
        Shape s = x.shape();
        int r = s.rank();
        if (axis < -r - 1 || axis > r) {
            throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "axis", "unsqueeze", "must be from " + (-r - 1) + " to " + r + " for " + s + ", got " + axis);
        }
        List<Dim> out = new ArrayList<>(s.dims());
        out.add(axis < 0 ? axis + r + 1 : axis, Dim.of(1));
        return g.reshape(x, new Shape(out));
    }

    /** Removes {@code axes}, each of which must have size 1. */
    static Node squeeze(Graph g, Node x, List<Integer> axes) {
        Shape s = x.shape();
        List<Integer> drop = ShapeRules.normalizeAxes(axes, s);
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            if (!drop.contains(i)) {
                out.add(s.get(i));
            } else if (!s.get(i).isOne()) {
                throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "axis", "squeeze",
                        "must name a dimension of size 1, and dimension " + i + " of " + s + " is " + s.get(i));
            }
        }
        return g.reshape(x, new Shape(out));
    }

    /** {@code transpose(x)} swaps the last two axes; {@code transpose(x, a, b)} swaps axes a and b. */
    static Node transpose(Graph g, Node x, Integer a, Integer b) {
        if (a == null && b == null) return g.transpose(x);
        if (a == null || b == null) {
            throw new ShapeException(ErrorKind.BAD_ARG_VALUE, a == null ? "b" : "a", "transpose",
                    "needs '" + (a == null ? "a" : "b") + "' too: give two axes, or none to swap the last two");
        }
        Shape s = x.shape();
        int i = ShapeRules.axis(a, s), j = ShapeRules.axis(b, s);
        List<Integer> p = new ArrayList<>();
        for (int k = 0; k < s.rank(); k++) p.add(k == i ? j : k == j ? i : k);
        return g.permute(x, p);
    }

    /**
     * {@code tril} ({@code lower}) or {@code triu} of the last two axes, as torch: the elements
     * with {@code col - row <= diagonal} (tril) or {@code >= diagonal} (triu) kept, the others 0.
     */
    static Node triangle(Graph g, Node x, double diagonal, boolean lower) {
        String fn = lower ? "tril" : "triu";
        if (diagonal != Math.rint(diagonal) || Math.abs(diagonal) > Integer.MAX_VALUE) {
            throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "diagonal", fn, "must be an integer, got " + Shapes.fmt(diagonal));
        }
        Shape s = x.shape();
        if (s.rank() < 2) throw new ShapeException(ErrorKind.RANK, fn, "a tensor of rank 2 or more", s);
        Node rows = g.reshape(g.arange(s.last(2)), Shape.of(s.last(2), Dim.of(1)));
        Node cols = g.arange(s.last(1));
        Node shifted = diagonal == 0 ? rows : g.add(rows, g.constant(diagonal));
        Node keep = lower ? g.binary(Binary.GE, shifted, cols) : g.binary(Binary.GE, cols, shifted);
        return g.where(keep, x, g.constant(0));
    }

    /** The dim a size is when it is one: a static positive count, or a single runtime dim. */
    private static Dim single(long coefficient, List<String> dims) {
        if (dims.isEmpty()) return coefficient >= 1 && coefficient <= Integer.MAX_VALUE ? Dim.of((int) coefficient) : null;
        return coefficient == 1 && dims.size() == 1 ? Dim.sym(dims.get(0)) : null;
    }

    private static String text(Size s) {
        return s.isStatic() ? Long.toString(s.value()) : s.toString();
    }
}
