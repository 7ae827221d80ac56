package dev.nnc.check;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeException;
import dev.nnc.ops.Structured;
import dev.nnc.ops.Windows;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The lowerings of the convolution and pooling functions ({@code conv1d/2d},
 * {@code max_pool1d/2d}, {@code avg_pool1d/2d}) to the window ops, as {@code torch.nn.functional}
 * defines them over NCHW tensors. Average pooling counts the padding (PyTorch's default
 * {@code count_include_pad = True}), so it is a convolution of each channel by a constant
 * kernel of {@code 1 / kernel elements}.
 */
final class Convolutions {
    private Convolutions() {}

    /** {@code conv1d/2d(x, w, bias?, stride, padding, dilation, groups)}: a convolution, plus the bias per output channel. */
    static Node conv(Graph g, Builtins.Args a, int rank) {
        String fn = "conv" + rank + "d";
        Node x = a.tensor("x"), w = a.tensor("w");
        List<Integer> stride = perAxis(fn, "stride", a.sizes("stride"), rank, 1);
        List<Integer> padding = perAxis(fn, "padding", a.sizes("padding"), rank, 0);
        List<Integer> dilation = perAxis(fn, "dilation", a.sizes("dilation"), rank, 1);
        double groups = a.number("groups");
        if (!(groups >= 1) || groups != Math.rint(groups) || groups > Integer.MAX_VALUE) {
            throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "groups", fn, "must be a positive integer, got " + Shapes.fmt(groups));
        }
        List<Integer> input = spatial(fn, x.shape(), rank, rank == 2 ? "an input [N, C, H, W]" : "an input [N, C, L]");
        List<Integer> kernel = spatial(fn, w.shape(), rank, rank == 2 ? "a weight [O, C / groups, kH, kW]" : "a weight [O, C / groups, K]");
        Attr.Window win = new Attr.Window(kernel, stride, padding, dilation, (int) groups, input);
        Node y = g.structured(Structured.CONV, List.of(x, w), win);
        if (!a.has("bias")) return y;
        Node b = a.tensor("bias");
        Dim out = y.shape().get(1);
        if (!b.shape().equals(Shape.of(out))) {
            throw new ShapeException(ErrorKind.ARG_TYPE, "bias", fn, "of shape " + Shape.of(out) + " (one per output channel), got " + b.shape());
        }
        List<Dim> column = new ArrayList<>(List.of(out));
        column.addAll(Collections.nCopies(rank, Dim.of(1)));
        return g.add(y, g.reshape(b, new Shape(column)));
    }

    /** {@code max_pool1d/2d(x, kernel, stride = kernel, padding)}: the first maximum of each window. */
    static Node maxPool(Graph g, Builtins.Args a, int rank) {
        Node x = a.tensor("x");
        Attr.Window win = poolWindow("max_pool" + rank + "d", x, a, rank);
        return g.structured(Structured.MAX_POOL, List.of(x, x), win);
    }

    /** {@code avg_pool1d/2d(x, kernel, stride = kernel, padding)}: each window's sum over its kernel elements, padding included. */
    static Node avgPool(Graph g, Builtins.Args a, int rank) {
        Node x = a.tensor("x");
        String fn = "avg_pool" + rank + "d";
        Attr.Window pool = poolWindow(fn, x, a, rank);
        Windows.pool("avg_pool", x.shape(), pool); // the window fits, or the error names avg_pool
        int channels = x.shape().get(1).size();
        Attr.Window win = new Attr.Window(pool.kernel(), pool.stride(), pool.padding(), pool.dilation(), channels, pool.input());
        List<Dim> ws = new ArrayList<>(List.of(Dim.of(channels), Dim.of(1)));
        long elements = 1;
        for (int k : pool.kernel()) {
            ws.add(Dim.of(k));
            elements *= k;
        }
        return g.structured(Structured.CONV, List.of(x, g.filled(1.0 / elements, new Shape(ws))), win);
    }

    /** The window of a pooling function: kernel, stride (default: the kernel) and padding (at most half the kernel, as PyTorch requires). */
    private static Attr.Window poolWindow(String fn, Node x, Builtins.Args a, int rank) {
        List<Integer> kernel = perAxis(fn, "kernel", a.sizes("kernel"), rank, 1);
        List<Integer> stride = a.has("stride") ? perAxis(fn, "stride", a.sizes("stride"), rank, 1) : kernel;
        List<Integer> padding = perAxis(fn, "padding", a.sizes("padding"), rank, 0);
        for (int i = 0; i < rank; i++) {
            if (padding.get(i) > kernel.get(i) / 2) {
                throw new ShapeException(ErrorKind.BAD_ARG_VALUE, "padding", fn,
                        "must be at most half the kernel (" + kernel.get(i) + " / 2), got " + padding.get(i));
            }
        }
        List<Integer> input = spatial(fn, x.shape(), rank, rank == 2 ? "an input [N, C, H, W]" : "an input [N, C, L]");
        return new Attr.Window(kernel, stride, padding, Collections.nCopies(rank, 1), 1, input);
    }

    /**
     * The static sizes of the spatial axes (from 2 on) of {@code s}, which must have rank
     * {@code 2 + rank} and compile-time sizes after the batch.
     */
    private static List<Integer> spatial(String fn, Shape s, int rank, String what) {
        if (s.rank() != 2 + rank) throw new ShapeException(ErrorKind.RANK, fn, what, s);
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < s.rank(); i++) {
            if (!s.get(i).isStatic()) throw new ShapeException(ErrorKind.WINDOW_STATIC, fn, s);
            if (i >= 2) out.add(s.get(i).size());
        }
        return out;
    }

    /** One value per spatial axis from an argument written as a number or a list of {@code rank}, each at least {@code min}. */
    private static List<Integer> perAxis(String fn, String arg, List<Integer> given, int rank, int min) {
        if (given.size() != 1 && given.size() != rank) {
            throw new ShapeException(ErrorKind.BAD_ARG_VALUE, arg, fn,
                    "must be a number" + (rank == 2 ? " or a pair [h, w]" : "") + ", got " + given.size() + " values");
        }
        for (int v : given) {
            if (v < min) throw new ShapeException(ErrorKind.BAD_ARG_VALUE, arg, fn, "must be at least " + min + ", got " + v);
        }
        return given.size() == rank ? given : Collections.nCopies(rank, given.get(0));
    }
}
