package dev.nnc.ir;

/**
 * Elementwise semantics of one element, shared by constant folding and the interpreter so
 * the two cannot drift apart. Conventions follow PyTorch at kinks and stay finite at ±1000
 * where the language promises stability.
 */
public final class ScalarOps {
    private ScalarOps() {}

    /** A unary op on one element; {@code c} is the op's constant attribute (POWC, ELU), else ignored. */
    public static double unary(Op op, double x, double c) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> Math.max(x, 0.0);
            case SOFTPLUS -> softplus(x);
            case ERF -> Erf.erf(x);
            case POWC -> powc(x, c);
            case ELU -> x > 0 ? x : c * Math.expm1(x); // expm1: exp(x) - 1 without cancellation near 0
            default -> throw new IllegalArgumentException(op + " is not unary");
        };
    }

    /** A binary op on one pair of elements. */
    public static double binary(Op op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case GT -> a > b ? 1.0 : 0.0;
            case EQ -> a == b ? 1.0 : 0.0;
            default -> throw new IllegalArgumentException(op + " is not binary");
        };
    }

    public static double clamp(double x, double lo, double hi) {
        return Math.min(Math.max(x, lo), hi);
    }

    /**
     * Stable logistic function: with {@code e = exp(-|x|)} (never overflows),
     * {@code x >= 0 ? 1/(1+e) : e/(1+e)}.
     */
    public static double sigmoid(double x) {
        double e = Math.exp(-Math.abs(x));
        return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }

    /** Stable {@code log(1 + exp(x))}. */
    public static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** {@code x ^ c} with the exact special cases 1, 2 and 0.5. */
    public static double powc(double x, double c) {
        if (c == 1) return x;
        if (c == 2) return x * x;
        if (c == 0.5) return Math.sqrt(x);
        return Math.pow(x, c);
    }
}
