package dev.nnc.ops;

import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeException;
import java.util.ArrayList;
import java.util.List;

/**
 * Convolution and pooling windows over NCHW tensors: the shape rules of the window ops (which
 * report the user's mistakes as {@link ShapeException}s) and {@link Plane}, the geometry every
 * kernel reads, with one spatial axis seen as a plane of height 1.
 */
public final class Windows {
    private Windows() {}

    /**
     * The geometry of one window op over 2-D planes (a 1-D op has {@code h = kh = sh = dh = 1},
     * {@code ph = 0}): {@code channels} input channels in {@code groups} groups, {@code outChannels}
     * output channels (the channels again for pooling), the input plane {@code h × w}, the kernel
     * {@code kh × kw}, strides, paddings, dilations, and the output plane {@code oh × ow}.
     */
    public record Plane(int channels, int outChannels, int groups, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                        int dh, int dw, int oh, int ow) {
        /** The plane of {@code win} with {@code channels} in and {@code outChannels} out. */
        public static Plane of(Attr.Window win, int channels, int outChannels) {
            int r = win.rank();
            int v = r - 1; // the last (or only) spatial axis
            return new Plane(channels, outChannels, win.groups(),
                    r == 2 ? win.input().get(0) : 1, win.input().get(v),
                    r == 2 ? win.kernel().get(0) : 1, win.kernel().get(v),
                    r == 2 ? win.stride().get(0) : 1, win.stride().get(v),
                    r == 2 ? win.padding().get(0) : 0, win.padding().get(v),
                    r == 2 ? win.dilation().get(0) : 1, win.dilation().get(v),
                    r == 2 ? win.output(0) : 1, win.output(v));
        }

        /** Input channels per group. */
        public int cg() {
            return channels / groups;
        }

        /** Output channels per group. */
        public int og() {
            return outChannels / groups;
        }

        /** Kernel elements per output channel of a convolution: {@code cg · kh · kw}. */
        public int k() {
            return cg() * kh * kw;
        }

        /** Elements of an input plane. */
        public int hw() {
            return h * w;
        }

        /** Elements of an output plane. */
        public int p() {
            return oh * ow;
        }
    }

    /** The geometry of window op {@code n}. */
    public static Plane plane(dev.nnc.ir.Node n) {
        Attr.Window win = n.attr(Attr.Window.class);
        return switch ((Structured) n.op()) {
            case CONV -> Plane.of(win, channels(n.input(0)), n.input(1).shape().get(0).size());
            case CONV_INPUT_GRAD -> Plane.of(win, channels(n), n.input(1).shape().get(0).size());
            case CONV_WEIGHT_GRAD -> Plane.of(win, channels(n.input(0)), channels(n.input(1)));
            case MAX_POOL, MAX_UNPOOL -> Plane.of(win, channels(n.input(0)), channels(n.input(0)));
            case MATMUL, SCATTER_ADD, LAYER_NORM, LAYER_NORM_GRAD, ATTENTION, ATTENTION_LSE, ATTENTION_GRAD ->
                    throw new IllegalArgumentException("no window: " + n);
        };
    }

    private static int channels(dev.nnc.ir.Node n) {
        return n.shape().get(1).size();
    }

    /** How drawings name window op {@code n}: {@code conv2d 3×3, stride 2}. */
    static String label(String base, dev.nnc.ir.Node n) {
        Attr.Window win = n.attr(Attr.Window.class);
        StringBuilder sb = new StringBuilder(name(base, win)).append(' ');
        sb.append(String.join("×", win.kernel().stream().map(String::valueOf).toList()));
        option(sb, "stride", win.stride(), 1);
        option(sb, "padding", win.padding(), 0);
        option(sb, "dilation", win.dilation(), 1);
        if (win.groups() != 1) sb.append(", groups ").append(win.groups());
        return sb.toString();
    }

    private static void option(StringBuilder sb, String what, List<Integer> v, int def) {
        if (v.stream().allMatch(i -> i == def)) return;
        sb.append(", ").append(what).append(' ').append(v.stream().distinct().count() == 1 ? v.get(0).toString() : v.toString());
    }

    /** The function a window op comes from, for messages: {@code conv2d}, {@code max_pool1d}. */
    static String name(String base, Attr.Window win) {
        return base + win.rank() + "d";
    }

    /** The static sizes of {@code s}'s axes from 1 on, or a {@link ShapeException} naming {@code fn}. */
    static List<Integer> staticTail(String fn, Shape s) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < s.rank(); i++) {
            Dim d = s.get(i);
            if (!d.isStatic()) throw new ShapeException(ErrorKind.WINDOW_STATIC, fn, s);
            out.add(d.size());
        }
        return out;
    }

    /** An input {@code [N, C, spatial…]} of {@code fn}, its channels and spatial sizes static. */
    static List<Integer> planeInput(String fn, Shape x, Attr.Window win) {
        if (x.rank() != 2 + win.rank()) {
            throw new ShapeException(ErrorKind.RANK, fn, win.rank() == 2 ? "an input [N, C, H, W]" : "an input [N, C, L]", x);
        }
        List<Integer> tail = staticTail(fn, x);
        if (!tail.subList(1, tail.size()).equals(win.input())) {
            throw new IllegalStateException(fn + " of " + x + " built with the window of an input " + win.input());
        }
        return tail;
    }

    /**
     * The output shape of a window of {@code win} over input {@code x} with {@code outChannels},
     * after checking that the window fits the padded input along every spatial axis.
     */
    static Shape output(String fn, Shape x, Attr.Window win, int outChannels) {
        for (int i = 0; i < win.rank(); i++) {
            if (win.output(i) < 1) {
                int k = win.kernel().get(i), d = win.dilation().get(i), in = win.input().get(i), p = win.padding().get(i);
                throw new ShapeException(ErrorKind.WINDOW_TOO_LARGE, fn, 2 + i, (long) d * (k - 1) + 1, k, d, in + 2L * p, in, p);
            }
        }
        List<Dim> out = new ArrayList<>();
        out.add(x.get(0));
        out.add(Dim.of(outChannels));
        for (int o : win.output()) out.add(Dim.of(o));
        return new Shape(out);
    }

    /** The shape rule of a convolution of {@code x} by weight {@code w}: {@code [N, O, out…]}. */
    public static Shape conv(Shape x, Shape w, Attr.Window win) {
        String fn = name("conv", win);
        List<Integer> xs = planeInput(fn, x, win);
        if (w.rank() != 2 + win.rank()) {
            throw new ShapeException(ErrorKind.RANK, fn, win.rank() == 2 ? "a weight [O, C / groups, kH, kW]" : "a weight [O, C / groups, K]", w);
        }
        List<Integer> ws = new ArrayList<>(List.of(w.get(0).isStatic() ? w.get(0).size() : -1));
        if (ws.get(0) < 0) throw new ShapeException(ErrorKind.WINDOW_STATIC, fn, w);
        ws.addAll(staticTail(fn, w));
        int c = xs.get(0), o = ws.get(0), g = win.groups();
        if (c % g != 0 || o % g != 0) throw new ShapeException(ErrorKind.CONV_GROUPS, fn, g, c, o);
        if ((long) ws.get(1) * g != c) throw new ShapeException(ErrorKind.CONV_CHANNELS, fn, x, c, w, (long) ws.get(1) * g, g);
        if (!ws.subList(2, ws.size()).equals(win.kernel())) {
            throw new IllegalStateException(fn + " by " + w + " built with the window of a kernel " + win.kernel());
        }
        return output(fn, x, win, o);
    }

    /** The shape rule of a pooling window over {@code x}: {@code [N, C, out…]}. */
    public static Shape pool(String base, Shape x, Attr.Window win) {
        String fn = name(base, win);
        List<Integer> xs = planeInput(fn, x, win);
        return output(fn, x, win, xs.get(0));
    }

    /** {@code a} and {@code b} must have the same shape (the inputs of the gradient ops that come in pairs). */
    static void same(String op, Shape want, Shape got) {
        if (!want.equals(got)) throw new IllegalStateException(op + " of " + got + " where " + want + " belongs");
    }
}
