package dev.nnc.check;

import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Shape;
import dev.nnc.syntax.Ast;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Basic indexing {@code x[i, a:b:s, ...]} as NumPy's, with compile-time integers: an integer
 * (negative from the end) removes its axis, a slice keeps it, {@code ...} stands for the axes not
 * written. On a static dim indices are checked here and slices clamp as NumPy's; on a runtime dim
 * only selections of a constant size are allowed (an integer, {@code :}, or a slice whose bounds
 * have the same sign), and the dim is checked when the model runs.
 */
final class Indexing {
    private final Diagnostics diags;
    private final Function<Ast.Expr, Double> constant;

    /** {@code constant} is the compile-time number an expression evaluates to, or null. */
    Indexing(Diagnostics diags, Function<Ast.Expr, Double> constant) {
        this.diags = diags;
        this.constant = constant;
    }

    /** The selection {@code subscripts} make of a tensor of shape {@code shape}, or null after reporting an error. */
    Attr.Select selection(List<Ast.Subscript> subscripts, Shape shape) {
        int ellipsis = -1;
        for (int i = 0; i < subscripts.size(); i++) {
            if (!(subscripts.get(i) instanceof Ast.Ellipsis)) continue;
            if (ellipsis >= 0) return error(subscripts.get(i).span(), "an index holds at most one '...'");
            ellipsis = i;
        }
        int written = subscripts.size() - (ellipsis >= 0 ? 1 : 0);
        if (written > shape.rank()) {
            return error(subscripts.get(0).span().to(subscripts.get(subscripts.size() - 1).span()),
                    "too many indices: " + written + " for " + shape + ", of rank " + shape.rank());
        }
        List<Attr.Range> ranges = new ArrayList<>();
        for (int i = 0; i < shape.rank(); i++) ranges.add(Attr.Range.all());
        int axis = 0;
        for (int i = 0; i < subscripts.size(); i++) {
            Ast.Subscript s = subscripts.get(i);
            if (s instanceof Ast.Ellipsis) {
                axis += shape.rank() - written;
                continue;
            }
            Attr.Range r = s instanceof Ast.At at ? at(at, shape, axis) : slice((Ast.Slice) s, shape, axis);
            if (r == null) return null;
            ranges.set(axis++, r);
        }
        return new Attr.Select(ranges, shape);
    }

    private Attr.Range at(Ast.At at, Shape shape, int axis) {
        Long v = integer(at.index(), "an index");
        if (v == null) return null;
        Dim d = shape.get(axis);
        if (!d.isStatic()) {
            if (Math.abs(v) > Integer.MAX_VALUE - 1) return error(at.span(), "index " + v + " is too large");
            return v >= 0 ? new Attr.Range(v.intValue(), false, 1, 1, true, false) : new Attr.Range((int) -v, true, 1, 1, true, false);
        }
        if (v < -d.size() || v >= d.size()) {
            diags.error(ErrorKind.INDEX_RANGE, at.span(), v, axis, shape, d.size());
            return null;
        }
        return new Attr.Range((int) (v < 0 ? v + d.size() : v), false, 1, 1, true, false);
    }

    private Attr.Range slice(Ast.Slice s, Shape shape, int axis) {
        Long start = s.start() == null ? null : integer(s.start(), "a slice bound");
        Long stop = s.stop() == null ? null : integer(s.stop(), "a slice bound");
        Long step = s.step() == null ? Long.valueOf(1) : integer(s.step(), "a slice step");
        if ((s.start() != null && start == null) || (s.stop() != null && stop == null) || step == null) return null;
        if (step < 1) return error(s.step().span(), "the step of a slice must be positive, got " + step);
        long limit = Integer.MAX_VALUE / 2;
        for (Long b : new Long[] {start, stop, step}) {
            if (b != null && Math.abs(b) > limit) return error(s.span(), "slice bound " + b + " is too large");
        }
        Dim d = shape.get(axis);
        if (d.isStatic()) {
            long n = d.size();
            long a = start == null ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
            long b = stop == null ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
            long count = b > a ? (b - a + step - 1) / step : 0;
            if (count == 0) return error(s.span(), "this slice selects nothing from dimension " + axis + " of " + shape + ", whose size is " + n);
            return new Attr.Range((int) a, false, step.intValue(), (int) count, false, false);
        }
        if (start == null && stop == null) {
            if (step == 1) return Attr.Range.all();
            return error(s.span(), sameSign(d, shape, axis));
        }
        // a left-out start counts from the front (0), a left-out stop from the end (-0)
        if (stop != null && stop == 0) return error(s.span(), "this slice selects nothing");
        boolean fromFront = start == null || start >= 0;
        if (fromFront != (stop != null && stop > 0)) return error(s.span(), sameSign(d, shape, axis));
        long a = start == null ? 0 : start;
        long b = stop == null ? 0 : stop;
        long count = b > a ? (b - a + step - 1) / step : 0;
        if (count == 0) return error(s.span(), "this slice selects nothing");
        return fromFront ? new Attr.Range((int) a, false, step.intValue(), (int) count, false, false)
                : new Attr.Range((int) -a, true, step.intValue(), (int) count, false, false);
    }

    private static String sameSign(Dim d, Shape shape, int axis) {
        return "dimension " + axis + " of " + shape + " is the runtime dim " + d.symbol() + ", so a slice of it needs bounds"
                + " of the same sign (1:3, :3, -4:-1 or -3:) or ':' to have a size known at compile time";
    }

    /** The compile-time integer {@code e} is, or null after reporting. */
    private Long integer(Ast.Expr e, String what) {
        Double v = constant.apply(e);
        if (v == null || v != Math.rint(v) || Math.abs(v) > 1e15) {
            error(e.span(), what + " must be a compile-time integer" + (v == null ? "" : ", got " + Shapes.fmt(v)));
            return null;
        }
        return v.longValue();
    }

    private <T> T error(Span at, String message) {
        diags.error(ErrorKind.BAD_INDEX, at, message);
        return null;
    }
}
