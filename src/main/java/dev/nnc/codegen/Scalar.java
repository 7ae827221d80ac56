package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Node;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Java expressions for elementwise ops, with the same semantics as {@link dev.nnc.ir.ScalarOps}
 * (which the interpreter uses). Functions with no JDK counterpart call helpers that the class
 * emitter adds ({@link Helpers}).
 */
final class Scalar {
    private Scalar() {}

    static CodeBlock apply(Elem e, Node n, List<CodeBlock> a) {
        CodeBlock x = a.isEmpty() ? null : a.get(0);
        return switch (n.op()) {
            case NEG -> CodeBlock.of("(-$L)", x);
            case EXP -> e.call("Math.exp", x);
            case LOG -> e.call("Math.log", x);
            case SQRT -> e.call("Math.sqrt", x);
            case ABS -> CodeBlock.of("Math.abs($L)", x);
            case SIGN -> CodeBlock.of("Math.signum($L)", x);
            case SIN -> e.call("Math.sin", x);
            case COS -> e.call("Math.cos", x);
            case TANH -> e.f32() ? CodeBlock.of("tanhf($L)", x) : e.call("Math.tanh", x);
            case SIGMOID -> e.call("sigmoid", x);
            case RELU -> CodeBlock.of("Math.max($L, $L)", x, e.lit(0));
            case SOFTPLUS -> e.call("softplus", x);
            case ERF -> e.call("erf", x);
            case POWC -> {
                double c = n.constValue();
                if (c == 1) yield x;
                if (c == 2) yield CodeBlock.of("sq($L)", x);
                if (c == 0.5) yield e.call("Math.sqrt", x);
                yield e.call("Math.pow", x, CodeBlock.of("$L", Elem.javaDouble(c)));
            }
            case ELU -> e.call("elu", x, CodeBlock.of("$L", Elem.javaDouble(n.constValue())));
            case ADD -> CodeBlock.of("($L + $L)", x, a.get(1));
            case SUB -> CodeBlock.of("($L - $L)", x, a.get(1));
            case MUL -> CodeBlock.of("($L * $L)", x, a.get(1));
            case DIV -> CodeBlock.of("($L / $L)", x, a.get(1));
            case POW -> e.call("Math.pow", x, a.get(1));
            case MAXIMUM -> CodeBlock.of("Math.max($L, $L)", x, a.get(1));
            case MINIMUM -> CodeBlock.of("Math.min($L, $L)", x, a.get(1));
            case GT -> CodeBlock.of("($L > $L ? $L : $L)", x, a.get(1), e.lit(1), e.lit(0));
            case EQ -> CodeBlock.of("($L == $L ? $L : $L)", x, a.get(1), e.lit(1), e.lit(0));
            case CLAMP -> CodeBlock.of("Math.min(Math.max($L, $L), $L)", x, a.get(1), a.get(2));
            default -> throw new IllegalStateException("not elementwise: " + n.op());
        };
    }

    /** The helper methods an op needs. */
    static Set<Helpers.Fn> helpers(Node n) {
        return switch (n.op()) {
            case SIGMOID -> EnumSet.of(Helpers.Fn.SIGMOID);
            case SOFTPLUS -> EnumSet.of(Helpers.Fn.SOFTPLUS);
            case ERF -> EnumSet.of(Helpers.Fn.ERF);
            case ELU -> EnumSet.of(Helpers.Fn.ELU);
            case TANH -> EnumSet.of(Helpers.Fn.TANHF);
            case POWC -> n.constValue() == 2 ? EnumSet.of(Helpers.Fn.SQ) : EnumSet.noneOf(Helpers.Fn.class);
            default -> EnumSet.noneOf(Helpers.Fn.class);
        };
    }
}
