package dev.nnc.ir;

import dev.nnc.diag.ErrorKind;
import java.util.ArrayList;
import java.util.List;

/** Shape rules shared by the graph's constructors and the checker: broadcasting and axes. */
public final class ShapeRules {
    private ShapeRules() {}

    /** NumPy broadcasting: trailing dims align; a static 1 or a missing dim stretches. */
    public static Shape broadcastShapes(Shape a, Shape b, String verb) {
        int r = Math.max(a.rank(), b.rank());
        List<Dim> out = new ArrayList<>(r);
        for (int i = 0; i < r; i++) {
            int ia = i - (r - a.rank());
            int ib = i - (r - b.rank());
            Dim da = ia >= 0 ? a.get(ia) : null;
            Dim db = ib >= 0 ? b.get(ib) : null;
            if (da == null) out.add(db);
            else if (db == null) out.add(da);
            else if (da.equals(db)) out.add(da);
            else if (da.isOne()) out.add(db);
            else if (db.isOne()) out.add(da);
            else throw new ShapeException(ErrorKind.BROADCAST, verb, a, b, i, da, db);
        }
        return new Shape(out);
    }

    /** Normalizes a possibly negative axis against {@code shape}. */
    public static int axis(int axis, Shape shape) {
        int r = shape.rank();
        if (axis < -r || axis >= r) throw new ShapeException(ErrorKind.AXIS_RANGE, axis, shape, r);
        return axis < 0 ? axis + r : axis;
    }

    /** Sorted, distinct, non-negative axes; null means all. */
    public static List<Integer> normalizeAxes(List<Integer> axes, Shape shape) {
        List<Integer> norm = new ArrayList<>();
        if (axes == null) {
            for (int i = 0; i < shape.rank(); i++) norm.add(i);
            return norm;
        }
        for (int a : axes) {
            int n = axis(a, shape);
            if (!norm.contains(n)) norm.add(n);
        }
        norm.sort(null);
        return norm;
    }

    /** The element count of {@code s} as shape errors write it ({@code 12}, {@code 3·batch}). */
    static String numelText(Shape s) {
        Size n = s.numel();
        if (n.isStatic()) return Long.toString(n.value());
        return (n.coefficient() == 1 ? "" : n.coefficient() + "·") + String.join("·", n.symbols());
    }
}
