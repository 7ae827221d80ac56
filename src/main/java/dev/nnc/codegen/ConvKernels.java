package dev.nnc.codegen;

import dev.nnc.ir.Node;
import dev.nnc.ops.Windows;
import dev.nnc.ops.Windows.Plane;

/**
 * The kernels of the convolution ops: the forward product and its two gradients, as products on
 * the vector backend where they pay ({@link ConvVector}; with a stride of 1 over the zero-padded
 * input, {@link ConvPadded}), else as direct loops ({@link WindowKernels}).
 */
final class ConvKernels {
    private ConvKernels() {}

    /** {@code out = conv(x, w)}. */
    static void forward(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        if (k.vector && ConvVector.pays(g)) {
            if (ConvPadded.applies(g)) ConvPadded.forward(plan, k, n);
            else ConvVector.forward(plan, k, n);
            return;
        }
        String x = k.array(plan.base(n.input(0))), w = k.array(plan.base(n.input(1)));
        WindowKernels.direct(k, g, WindowKernels.batch(k, n.input(0)), true, "s += $L[wi] * $L[xi]", w, x);
    }

    /** {@code out = dx} for {@code (dy, w)}. */
    static void inputGrad(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        if (k.vector && ConvVector.pays(g)) {
            if (ConvPadded.applies(g)) ConvPadded.inputGrad(plan, k, n);
            else ConvVector.inputGrad(plan, k, n);
            return;
        }
        String dy = k.array(plan.base(n.input(0))), w = k.array(plan.base(n.input(1)));
        WindowKernels.direct(k, g, WindowKernels.batch(k, n.input(0)), false, "out[xi] += $L[wi] * $L[oi]", w, dy);
    }

    /** {@code out = dw} for {@code (x, dy)}. */
    static void weightGrad(Plan plan, Kernel k, Node n) {
        Plane g = Windows.plane(n);
        if (k.vector && ConvVector.pays(g)) {
            if (ConvLanes.applies(g)) ConvLanes.weightGrad(plan, k, n);
            else if (ConvPadded.appliesToWeightGrad(g)) ConvPadded.weightGrad(plan, k, n);
            else ConvVector.weightGrad(plan, k, n);
            return;
        }
        String x = k.array(plan.base(n.input(0))), dy = k.array(plan.base(n.input(1)));
        WindowKernels.direct(k, g, WindowKernels.batch(k, n.input(0)), false, "out[wi] += $L[oi] * $L[xi]", dy, x);
    }
}
