package dev.nnc.interp;

import dev.nnc.ir.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizers of nnc, with the update rules of {@code torch.optim.SGD}, {@code Adam} and
 * {@code AdamW}, each optionally clipping the gradients first as
 * {@code torch.nn.utils.clip_grad_norm_}. An optimizer holds the state of every param (by
 * position in the lists given to {@link Optimizer#step}) and counts its steps; params (and,
 * when clipped, gradients) are updated in place.
 */
public final class Optimizers {
    private Optimizers() {}

    /** An optimizer: updates params in place from their gradients, one step per call. */
    public interface Optimizer {
        /**
         * One update of every param from its gradient (same order and lengths on every call).
         * With {@code roundToFloat}, each updated param and state element is rounded to float,
         * emulating f32 generated code (whose arithmetic rounds after every operation; the
         * difference is below an ulp of float per operation).
         */
        void step(List<double[]> params, List<double[]> grads, boolean roundToFloat);

        /** Steps taken so far. */
        long steps();
    }

    /** The optimizer declared by {@code spec} (kind "sgd", "adam" or "adamw", every argument present; clip_norm optional). */
    public static Optimizer create(Model.Optimizer spec) {
        Optimizer o = switch (spec.kind()) {
            case "sgd" -> new Sgd(spec.arg("lr"), spec.arg("momentum"), spec.arg("weight_decay"), spec.arg("nesterov") != 0);
            case "adam", "adamw" -> new Adam(spec.arg("lr"), spec.arg("beta1"), spec.arg("beta2"), spec.arg("eps"), spec.arg("weight_decay"),
                    spec.kind().equals("adamw"));
            default -> throw new IllegalArgumentException("unknown optimizer '" + spec.kind() + "'; nnc has sgd, adam and adamw");
        };
        return spec.clipNorm() == null ? o : new Clipped(o, spec.clipNorm());
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_(params, c)} before each step of another optimizer:
     * with {@code norm} the L2 norm of every gradient element together, when
     * {@code c / (norm + 1e-6) < 1} every gradient is multiplied by it (in place).
     */
    public static final class Clipped implements Optimizer {
        private final Optimizer inner;
        private final double maxNorm;

        public Clipped(Optimizer inner, double maxNorm) {
            this.inner = inner;
            this.maxNorm = maxNorm;
        }

        @Override
        public void step(List<double[]> params, List<double[]> grads, boolean roundToFloat) {
            checkLengths(params, grads);
            double coef = maxNorm / (Math.sqrt(sumOfSquares(grads)) + 1e-6);
            if (coef < 1) {
                for (double[] g : grads) {
                    for (int j = 0; j < g.length; j++) g[j] = round(g[j] * round(coef, roundToFloat), roundToFloat);
                }
            }
            inner.step(params, grads, roundToFloat);
        }

        @Override
        public long steps() {
            return inner.steps();
        }

        /** The sum of the squares of every element, in order. */
        static double sumOfSquares(List<double[]> grads) {
            double s = 0;
            for (double[] g : grads) for (double v : g) s += v * v;
            return s;
        }
    }

    private static double round(double v, boolean toFloat) {
        return toFloat ? (float) v : v;
    }

    private static void checkLengths(List<double[]> params, List<double[]> grads) {
        if (params.size() != grads.size()) throw new IllegalArgumentException(params.size() + " params but " + grads.size() + " gradients");
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).length != grads.get(i).length) {
                throw new IllegalArgumentException("param " + i + " has " + params.get(i).length + " elements but its gradient "
                        + grads.get(i).length);
            }
        }
    }

    /**
     * {@code torch.optim.SGD} with dampening 0. Per element, with {@code g} the gradient:
     * <pre>{@code
     * d = g + weightDecay * p
     * if momentum != 0:
     *     buf = first step ? d : momentum * buf + d
     *     d = nesterov ? d + momentum * buf : buf
     * p = p - lr * d
     * }</pre>
     */
    public static final class Sgd implements Optimizer {
        private final double lr, momentum, weightDecay;
        private final boolean nesterov;
        private final List<double[]> buf = new ArrayList<>();
        private long steps;

        public Sgd(double lr, double momentum, double weightDecay, boolean nesterov) {
            this.lr = lr;
            this.momentum = momentum;
            this.weightDecay = weightDecay;
            this.nesterov = nesterov;
        }

        @Override
        public void step(List<double[]> params, List<double[]> grads, boolean roundToFloat) {
            checkLengths(params, grads);
            boolean first = steps == 0;
            for (int i = 0; i < params.size(); i++) {
                double[] p = params.get(i), g = grads.get(i);
                if (first) buf.add(momentum != 0 ? new double[p.length] : null);
                double[] b = buf.get(i);
                for (int j = 0; j < p.length; j++) {
                    double d = g[j] + weightDecay * p[j];
                    if (momentum != 0) {
                        b[j] = round(first ? d : momentum * b[j] + d, roundToFloat);
                        d = nesterov ? d + momentum * b[j] : b[j];
                    }
                    p[j] = round(p[j] - lr * d, roundToFloat);
                }
            }
            steps++;
        }

        @Override
        public long steps() {
            return steps;
        }
    }

    /**
     * {@code torch.optim.Adam} (not amsgrad; L2 weight decay added to the gradient), or with
     * {@code decoupled} {@code torch.optim.AdamW} (the decay applied to the parameter first,
     * {@code p = p * (1 - lr * weightDecay)}, and {@code d = g}). With {@code t} the step number
     * from 1, per element:
     * <pre>{@code
     * d = g + weightDecay * p
     * m = beta1 * m + (1 - beta1) * d
     * v = beta2 * v + (1 - beta2) * d * d
     * bc1 = 1 - beta1^t;  bc2 = 1 - beta2^t          (Math.pow)
     * stepSize = lr / bc1
     * denom = sqrt(v) / sqrt(bc2) + eps
     * p = p - stepSize * (m / denom)
     * }</pre>
     */
    public static final class Adam implements Optimizer {
        private final double lr, beta1, beta2, eps, weightDecay;
        private final boolean decoupled;
        private final List<double[]> m = new ArrayList<>(), v = new ArrayList<>();
        private long steps;

        /** {@code torch.optim.Adam}. */
        public Adam(double lr, double beta1, double beta2, double eps, double weightDecay) {
            this(lr, beta1, beta2, eps, weightDecay, false);
        }

        public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
            this.lr = lr;
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.weightDecay = weightDecay;
            this.decoupled = decoupled;
        }

        @Override
        public void step(List<double[]> params, List<double[]> grads, boolean roundToFloat) {
            checkLengths(params, grads);
            if (steps == 0) {
                for (double[] p : params) {
                    m.add(new double[p.length]);
                    v.add(new double[p.length]);
                }
            }
            long t = steps + 1;
            double bc1 = 1 - Math.pow(beta1, t);
            double bc2 = 1 - Math.pow(beta2, t);
            double stepSize = lr / bc1;
            double sqrtBc2 = Math.sqrt(bc2);
            for (int i = 0; i < params.size(); i++) {
                double[] p = params.get(i), g = grads.get(i), mi = m.get(i), vi = v.get(i);
                for (int j = 0; j < p.length; j++) {
                    double d = g[j];
                    if (decoupled) p[j] = round(p[j] * (1 - lr * weightDecay), roundToFloat);
                    else d += weightDecay * p[j];
                    mi[j] = round(beta1 * mi[j] + (1 - beta1) * d, roundToFloat);
                    vi[j] = round(beta2 * vi[j] + (1 - beta2) * d * d, roundToFloat);
                    double denom = Math.sqrt(vi[j]) / sqrtBc2 + eps;
                    p[j] = round(p[j] - stepSize * (mi[j] / denom), roundToFloat);
                }
            }
            steps = t;
        }

        @Override
        public long steps() {
            return steps;
        }
    }
}
