package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;

/** The element type of generated code, f32 or f64, and how to write numbers and calls in it. */
record Elem(boolean f32) {
    TypeName type() {
        return f32 ? TypeName.FLOAT : TypeName.DOUBLE;
    }

    ArrayTypeName array() {
        return ArrayTypeName.of(type());
    }

    String word() {
        return f32 ? "float" : "double";
    }

    /** A literal of this type, exactly the value rounded as the interpreter rounds constants. */
    CodeBlock lit(double v) {
        if (f32) {
            float f = (float) v;
            if (Float.isNaN(f)) return CodeBlock.of("Float.NaN");
            if (Float.isInfinite(f)) return CodeBlock.of(f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY");
            String s = Float.toString(f) + "f";
            return f < 0 || (f == 0 && 1 / f < 0) ? CodeBlock.of("($L)", s) : CodeBlock.of("$L", s);
        }
        if (Double.isNaN(v)) return CodeBlock.of("Double.NaN");
        if (Double.isInfinite(v)) return CodeBlock.of(v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY");
        String s = Double.toString(v);
        return v < 0 || (v == 0 && 1 / v < 0) ? CodeBlock.of("($L)", s) : CodeBlock.of("$L", s);
    }

    /** Java source for a double constant, whatever its value: NaN and the infinities by name. */
    static String javaDouble(double v) {
        if (Double.isNaN(v)) return "Double.NaN";
        if (Double.isInfinite(v)) return v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        return Double.toString(v);
    }

    /** A call returning double, narrowed for f32. */
    CodeBlock call(String fn, CodeBlock... args) {
        CodeBlock c = CodeBlock.of("$L($L)", fn, CodeBlock.join(java.util.List.of(args), ", "));
        return f32 ? CodeBlock.of("(float) $L", c) : c;
    }

    /** An int expression converted to this type. */
    CodeBlock fromInt(CodeBlock i) {
        return CodeBlock.of("($L) ($L)", word(), i);
    }
}
