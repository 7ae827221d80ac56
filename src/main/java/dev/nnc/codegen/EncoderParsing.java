package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The private helpers of a generated encoder ({@link EncoderEmitter}): one column's encoding,
 * the missing-value markers, the decimal-number grammar and the standardization, the same
 * rules as {@link dev.nnc.data.Preprocessing#transform} (a test compares the two on hostile
 * values).
 */
final class EncoderParsing {
    private EncoderParsing() {}

    static void addTo(TypeSpec.Builder t, EncoderEmitter.Spec s, Elem e) {
        ClassName column = ClassName.get("", "Column");
        List<String> na = List.copyOf(new LinkedHashSet<>(s.prep().naValues()));
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(Set.class, String.class), "MISSING", Modifier.PRIVATE, Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("The texts that mean a missing value.\n")
                .initializer("$T.of($L)", Set.class, CodeBlock.join(na.stream().map(v -> CodeBlock.of("$S", v)).toList(), ", ")).build());
        boolean indicator = s.prep().naIndicator();
        CodeBlock cast = e.f32() ? CodeBlock.of("f") : CodeBlock.of("(double) f");
        t.addMethod(MethodSpec.methodBuilder("column").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Writes the features of column {@code c} for raw value {@code v}.\n")
                .addParameter(column, "c").addParameter(String.class, "v").addParameter(e.array(), "out").addParameter(TypeName.INT, "offset")
                .addStatement("boolean missing = v == null || MISSING.contains(v)")
                .beginControlFlow("if (c.categories() == null)")
                .beginControlFlow("if (missing)")
                .addStatement("out[offset + c.position()] = 0")
                .addStatement("return")
                .endControlFlow()
                .addStatement("String s = v.strip()")
                .beginControlFlow("if (!isNumber(s))")
                .addStatement("throw new $T($S + c.name() + $S + v + $S)", IllegalArgumentException.class, "column '", "': \"",
                        "\" is not a number, but the column is numeric (it was numeric in the training data); fix the value or mark"
                                + " it missing")
                .endControlFlow()
                .addStatement("double x = Double.parseDouble(s)")
                .beginControlFlow("if (!Double.isFinite(x))")
                .addStatement("throw new $T($S + c.name() + $S + v + $S)", IllegalArgumentException.class, "column '", "': \"",
                        "\" is out of range; numbers must be within ±" + Double.MAX_VALUE)
                .endControlFlow()
                .addComment("standardized, also when x - mean alone would overflow")
                .addStatement("double z = (x - c.mean()) / c.std()")
                .addStatement("if (!Double.isFinite(z)) z = x / c.std() - c.mean() / c.std()")
                .addStatement("float f = (float) z")
                .beginControlFlow("if (!Float.isFinite(f))")
                .addStatement("throw new $T($S + c.name() + $S + v + $S)", IllegalArgumentException.class, "column '", "': \"",
                        "\" is too large for a feature: beyond the range of the 32-bit floats that hold the features")
                .endControlFlow()
                .addStatement("out[offset + c.position()] = $L", cast)
                .addStatement("return")
                .endControlFlow()
                .addStatement("int n = c.categories().size()")
                .addStatement("for (int j = 0; j < n$L; j++) out[offset + c.position() + j] = 0", indicator ? " + 1" : "")
                .beginControlFlow("if (missing)")
                .addStatement(indicator ? "out[offset + c.position() + n] = 1" : "return")
                .nextControlFlow("else")
                .addStatement("Integer k = c.categories().get(v)")
                .addStatement("if (k != null) out[offset + c.position() + k] = 1")
                .endControlFlow()
                .build());
        t.addMethod(MethodSpec.methodBuilder("isNumber").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(TypeName.BOOLEAN)
                .addJavadoc("Whether {@code v} is a plain decimal number: {@code [+-]? digits [. digits] [e [+-] digits]}, at least one digit.\n")
                .addParameter(String.class, "v")
                .addStatement("int i = 0, n = v.length()")
                .addStatement("if (i < n && (v.charAt(i) == '+' || v.charAt(i) == '-')) i++")
                .addStatement("int digits = 0")
                .beginControlFlow("while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9')")
                .addStatement("i++")
                .addStatement("digits++")
                .endControlFlow()
                .beginControlFlow("if (i < n && v.charAt(i) == '.')")
                .addStatement("i++")
                .beginControlFlow("while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9')")
                .addStatement("i++")
                .addStatement("digits++")
                .endControlFlow()
                .endControlFlow()
                .addStatement("if (digits == 0) return false")
                .beginControlFlow("if (i < n && (v.charAt(i) == 'e' || v.charAt(i) == 'E'))")
                .addStatement("i++")
                .addStatement("if (i < n && (v.charAt(i) == '+' || v.charAt(i) == '-')) i++")
                .addStatement("int exp = 0")
                .beginControlFlow("while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9')")
                .addStatement("i++")
                .addStatement("exp++")
                .endControlFlow()
                .addStatement("if (exp == 0) return false")
                .endControlFlow()
                .addStatement("return i == n").build());
        t.addMethod(MethodSpec.methodBuilder("index").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ParameterizedTypeName.get(Map.class, String.class, Integer.class))
                .addJavadoc("Each name's position, counting through {@code parts} in order.\n")
                .addParameter(String[][].class, "parts").varargs()
                .addStatement("$T<String, Integer> m = new $T<>()", Map.class, HashMap.class)
                .addStatement("for (String[] part : parts) for (String name : part) m.put(name, m.size())")
                .addStatement("return $T.unmodifiableMap(m)", java.util.Collections.class).build());
        t.addMethod(MethodSpec.methodBuilder("checkOut").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(e.array(), "out").addParameter(TypeName.INT, "offset").addParameter(TypeName.INT, "count")
                .beginControlFlow("if (out == null || offset < 0 || out.length - offset < count)")
                .addStatement("throw new $T($S + count + $S + offset + $S + (out == null ? $S : $S + out.length))", IllegalArgumentException.class,
                        "needs ", " values from offset ", ", got ", "null", "an array of ")
                .endControlFlow().build());
    }
}
