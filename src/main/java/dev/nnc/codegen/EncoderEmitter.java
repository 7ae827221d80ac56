package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.data.Preprocessing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The encoder class generated beside a model from the training metadata of a parameters file
 * ({@code nnc compile --preprocessing p.safetensors}): dependency-free Java that turns raw
 * values (CSV-like strings, in column order or by name) into the model's input row exactly as
 * {@code nnc train} and {@code nnc predict} encode them, and the model's output back into class
 * names or target values. The per-column statistics are a table of constants; the parsing
 * helpers are {@link EncoderParsing}'s.
 */
public final class EncoderEmitter {
    private EncoderEmitter() {}

    /**
     * What the encoder encodes and decodes.
     *
     * @param className     the encoder's class name
     * @param packageName   its package ("" for none)
     * @param modelClass    the model class it feeds
     * @param origin        the parameters file it came from, for the javadoc (no directories)
     * @param fingerprint   the encoding's fingerprint (the file's {@code nnc.encoding}), checked by the model's loadParameters
     * @param f32           the model's element type: float (else double)
     * @param prep          the preprocessing of the feature columns
     * @param features      the model input that takes the features, as declared ({@code x [batch, 331]})
     * @param output        the model output that predicts, as declared
     * @param outputWidth   its columns per row
     * @param probability   whether it is a probability (a sigmoid or softmax), for the one-column threshold
     * @param targets       the target columns the output predicts (empty when the model has no target)
     * @param classes       for class labels, the class names by id (integers as text), else null
     * @param log           real targets: whether they were learnt as logs
     * @param mean          real targets: the mean per column subtracted in training (0 when not standardized)
     * @param std           real targets: the std per column divided by (1 when not standardized)
     */
    public record Spec(String className, String packageName, String modelClass, String origin, String fingerprint, boolean f32,
                       Preprocessing prep, String features, String output, int outputWidth, boolean probability,
                       List<String> targets, List<String> classes, boolean log, double[] mean, double[] std) {}

    /** The class name of the encoder of model {@code modelName}: its class's name and {@code Encoder}. */
    public static String classNameFor(String modelName) {
        return Names.java(modelName) + "Encoder";
    }

    /** The encoder's Java source. */
    public static JavaEmitter.Output emit(Spec s) {
        Elem e = new Elem(s.f32());
        TypeSpec.Builder t = TypeSpec.classBuilder(s.className()).addModifiers(Modifier.PUBLIC, Modifier.FINAL);
        doc(t, s);
        ClassName column = ClassName.get("", "Column");
        t.addType(TypeSpec.recordBuilder("Column").addModifiers(Modifier.PRIVATE)
                .addJavadoc("One raw column: its first feature, and its standardization (numeric) or its categories by position.\n")
                .recordConstructor(MethodSpec.compactConstructorBuilder()
                        .addParameter(String.class, "name").addParameter(TypeName.INT, "position").addParameter(TypeName.DOUBLE, "mean")
                        .addParameter(TypeName.DOUBLE, "std")
                        .addParameter(ParameterizedTypeName.get(Map.class, String.class, Integer.class), "categories").build())
                .build());
        List<Preprocessing.Column> cols = s.prep().columns();
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(List.class, String.class), "COLUMNS", Modifier.PUBLIC, Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("The raw columns, in the order {@link #encode(String[], $T[], int)} reads them.\n", e.type())
                .initializer("$T.of($L)", List.class, CodeBlock.join(cols.stream().map(c -> CodeBlock.of("$S", c.name())).toList(), ", "))
                .build());
        t.addField(FieldSpec.builder(TypeName.INT, "FEATURES", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The features of one row: the width of input {@code $L}.\n", s.features())
                .initializer("$L", s.prep().width()).build());
        t.addField(FieldSpec.builder(String.class, "FINGERPRINT", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The encoding's fingerprint; {@code $L.loadParameters} refuses parameters trained with another.\n", s.modelClass())
                .initializer("$S", s.fingerprint()).build());
        t.addField(FieldSpec.builder(ArrayTypeName.of(column), "SPEC", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("spec()").build());
        t.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        spec(t, s, column);
        encode(t, s, e);
        if (!s.targets().isEmpty()) decode(t, s, e);
        EncoderParsing.addTo(t, s, e);
        JavaFile file = JavaFile.builder(s.packageName(), t.build())
                .addFileComment("Generated by nnc from $L (model $L). Do not edit: train again and regenerate.", s.origin(), s.modelClass())
                .skipJavaLangImports(true).indent("    ").build();
        return new JavaEmitter.Output(s.packageName(), s.className(), file.toString(), Map.of());
    }

    private static void doc(TypeSpec.Builder t, Spec s) {
        long numeric = s.prep().columns().stream().filter(c -> c.kind() == Preprocessing.Kind.NUMERIC).count();
        t.addJavadoc("The preprocessing of {@link $L}'s training by {@code nnc train}, generated from {@code $L}:\n"
                + "raw values become input {@code $L} exactly as {@code nnc train} and {@code nnc predict}\n"
                + "encode them, and output {@code $L} becomes $L.\n\n", s.modelClass(), s.origin(), s.features(), s.output(),
                s.classes() != null ? "a class name" : s.targets().isEmpty() ? "what it is (the model has no target)" : "target values");
        t.addJavadoc("<p>Numeric columns ($L) are standardized, {@code (x - mean) / std}, a missing number becoming 0;\n"
                + "categorical columns ($L) are one-hot: one feature per category seen in training, in sorted order$L;\n"
                + "a category not seen in training is all zeros. Features are rounded to float, as in training.\n"
                + "Nothing here allocates but the parsing of numbers. A value is missing when it is null or one of:\n",
                numeric, s.prep().columns().size() - numeric, s.prep().naIndicator() ? ", then a missing-value indicator" : "");
        List<String> na = s.prep().naValues().stream().map(v -> "{@code \"" + escape(v) + "\"}").toList();
        for (int i = 0; i < na.size(); i += 8) t.addJavadoc("$L\n", String.join(", ", na.subList(i, Math.min(na.size(), i + 8))));
    }

    static String escape(String s) {
        return s.replace("*/", "* /").replace("{", "&#123;").replace("}", "&#125;").replace("@", "&#64;").replace("\\", "\\\\")
                .replace('\n', ' ').replace('\r', ' ');
    }

    /** The table of columns, filled by static methods of at most 100 columns each (a class initializer is limited to 64 KiB). */
    private static void spec(TypeSpec.Builder t, Spec s, ClassName column) {
        List<Preprocessing.Column> cols = s.prep().columns();
        MethodSpec.Builder all = MethodSpec.methodBuilder("spec").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ArrayTypeName.of(column))
                .addStatement("$T[] c = new $T[$L]", column, column, cols.size());
        int position = 0;
        List<CodeBlock> entries = new ArrayList<>();
        for (int k = 0; k < cols.size(); k++) {
            Preprocessing.Column c = cols.get(k);
            CodeBlock categories = c.kind() == Preprocessing.Kind.NUMERIC ? CodeBlock.of("null") : categories(t, k, c.categories());
            entries.add(CodeBlock.of("c[$L] = new $T($S, $L, $L, $L, $L)", k, column, c.name(), position, Elem.javaDouble(c.mean()),
                    Elem.javaDouble(c.std()), categories));
            position += c.width(s.prep().naIndicator());
        }
        for (int i = 0, part = 0; i < entries.size(); i += ClassContext.STATEMENTS_PER_METHOD, part++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder("spec$" + part).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addParameter(ArrayTypeName.of(column), "c");
            for (CodeBlock st : entries.subList(i, Math.min(entries.size(), i + ClassContext.STATEMENTS_PER_METHOD))) m.addStatement(st);
            t.addMethod(m.build());
            all.addStatement("spec$$$L(c)", part);
        }
        t.addMethod(all.addStatement("return c").build());
    }

    /** The categories of column {@code k}, as an index; a long list gets methods of its own, 1000 names each. */
    private static CodeBlock categories(TypeSpec.Builder t, int k, List<String> cats) {
        if (cats.size() <= 100) return CodeBlock.of("index(new String[] {$L})", names(cats));
        List<CodeBlock> parts = new ArrayList<>();
        for (int i = 0, part = 0; i < cats.size(); i += 1000, part++) {
            String name = "categories$" + k + "$" + part;
            t.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(String[].class)
                    .addStatement("return new String[] {$L}", names(cats.subList(i, Math.min(cats.size(), i + 1000)))).build());
            parts.add(CodeBlock.of("$N()", name));
        }
        return CodeBlock.of("index($L)", CodeBlock.join(parts, ", "));
    }

    private static CodeBlock names(List<String> names) {
        return CodeBlock.join(names.stream().map(n -> CodeBlock.of("$S", n)).toList(), ", ");
    }

    private static void encode(TypeSpec.Builder t, Spec s, Elem e) {
        t.addMethod(MethodSpec.methodBuilder("encode").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addJavadoc("Encodes one row into {@code out}, its {@link #FEATURES} features from {@code offset} on (a batch of rows:\n"
                        + "row r at {@code r * FEATURES}).\n\n"
                        + "@param values the raw values in the order of {@link #COLUMNS}, as text (null or a missing-value marker:\n"
                        + "       missing)\n"
                        + "@throws IllegalArgumentException if there are not as many values as columns, {@code out} is too short, or a\n"
                        + "        numeric column's value is not a number (the message names the column)\n")
                .addParameter(String[].class, "values").addParameter(e.array(), "out").addParameter(TypeName.INT, "offset")
                .beginControlFlow("if (values == null || values.length != SPEC.length)")
                .addStatement("throw new $T($S + SPEC.length + $S + (values == null ? $S : values.length))", IllegalArgumentException.class,
                        "values: needs ", " (one per column of COLUMNS), got ", "null")
                .endControlFlow()
                .addStatement("checkOut(out, offset, FEATURES)")
                .addStatement("for (int k = 0; k < SPEC.length; k++) column(SPEC[k], values[k], out, offset)")
                .build());
        t.addMethod(MethodSpec.methodBuilder("encode").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addJavadoc("Encodes one row given by column name (other keys are ignored) into {@code out}, from {@code offset} on.\n\n"
                        + "@param row the raw values by column name, as text (null or a missing-value marker: missing)\n"
                        + "@throws IllegalArgumentException if a column of {@link #COLUMNS} has no key (a misspelt name must not\n"
                        + "        pass for a missing value), {@code out} is too short, or a numeric value is not a number\n")
                .addParameter(ParameterizedTypeName.get(Map.class, String.class, String.class), "row")
                .addParameter(e.array(), "out").addParameter(TypeName.INT, "offset")
                .addStatement("checkOut(out, offset, FEATURES)")
                .beginControlFlow("for ($T c : SPEC)", ClassName.get("", "Column"))
                .beginControlFlow("if (!row.containsKey(c.name()))")
                .addStatement("throw new $T($S + c.name() + $S + COLUMNS)", IllegalArgumentException.class, "row: no value for column '",
                        "' (null marks a missing value); the columns are ")
                .endControlFlow()
                .addStatement("column(c, row.get(c.name()), out, offset)")
                .endControlFlow()
                .build());
        t.addMethod(MethodSpec.methodBuilder("positions").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(int[].class)
                .addJavadoc("For rows in a file's column order: where each of {@link #COLUMNS} is in {@code header}, so that\n"
                        + "{@code encode(fields, positions, out, offset)} encodes a row as read.\n\n"
                        + "@throws IllegalArgumentException naming a column that the header lacks\n")
                .addParameter(ParameterizedTypeName.get(List.class, String.class), "header")
                .addStatement("int[] at = new int[SPEC.length]")
                .beginControlFlow("for (int k = 0; k < SPEC.length; k++)")
                .addStatement("at[k] = header.indexOf(SPEC[k].name())")
                .beginControlFlow("if (at[k] < 0)")
                .addStatement("throw new $T($S + SPEC[k].name() + $S + header)", IllegalArgumentException.class, "header: no column '",
                        "'; it has ")
                .endControlFlow()
                .endControlFlow()
                .addStatement("return at").build());
        t.addMethod(MethodSpec.methodBuilder("encode").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addJavadoc("Encodes one row as read from a file, {@code fields[positions[k]]} being column k of {@link #COLUMNS}\n"
                        + "({@link #positions}), into {@code out} from {@code offset} on.\n\n"
                        + "@throws IllegalArgumentException if a position is outside {@code fields}, {@code out} is too short, or a\n"
                        + "        numeric value is not a number\n")
                .addParameter(String[].class, "fields").addParameter(int[].class, "positions").addParameter(e.array(), "out")
                .addParameter(TypeName.INT, "offset")
                .beginControlFlow("if (positions == null || positions.length != SPEC.length)")
                .addStatement("throw new $T($S + SPEC.length + $S)", IllegalArgumentException.class, "positions: needs ",
                        " (from positions(header))")
                .endControlFlow()
                .addStatement("checkOut(out, offset, FEATURES)")
                .beginControlFlow("for (int k = 0; k < SPEC.length; k++)")
                .beginControlFlow("if (positions[k] < 0 || positions[k] >= fields.length)")
                .addStatement("throw new $T($S + SPEC[k].name() + $S + positions[k] + $S + fields.length + $S)", IllegalArgumentException.class,
                        "fields: column '", "' is at ", ", but the row has ", " fields")
                .endControlFlow()
                .addStatement("column(SPEC[k], fields[positions[k]], out, offset)")
                .endControlFlow()
                .build());
    }

    private static void decode(TypeSpec.Builder t, Spec s, Elem e) {
        int ow = s.outputWidth();
        t.addField(FieldSpec.builder(TypeName.INT, "OUTPUTS", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The values of output {@code $L} per row.\n", s.output()).initializer("$L", ow).build());
        if (s.classes() != null) {
            t.addField(FieldSpec.builder(ParameterizedTypeName.get(List.class, String.class), "CLASSES", Modifier.PUBLIC, Modifier.STATIC,
                            Modifier.FINAL)
                    .addJavadoc("The class names by class id (labels of column {@code $L}).\n", s.targets().get(0))
                    .initializer("$T.of($L)", List.class, names(s.classes())).build());
            MethodSpec.Builder classOf = MethodSpec.methodBuilder("classOf").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                    .returns(TypeName.INT).addParameter(e.array(), "output").addParameter(TypeName.INT, "offset")
                    .addStatement("checkOut(output, offset, OUTPUTS)");
            if (ow == 1) {
                classOf.addJavadoc("The class id a row of output {@code $L} predicts: 1 when it is at least $L, else 0.\n\n"
                                + "@throws IllegalArgumentException if {@code output} is too short for {@code offset}\n",
                        s.output(), s.probability() ? "0.5 (a probability)" : "0 (a logit)")
                        .addStatement("return output[offset] >= $L ? 1 : 0", s.probability() ? "0.5" : "0");
            } else {
                classOf.addJavadoc("The class id a row of output {@code $L} predicts: the position of its largest value (the\n"
                                + "first of equal ones).\n\n@throws IllegalArgumentException if {@code output} is too short for {@code offset}\n",
                        s.output())
                        .addStatement("int best = 0")
                        .addStatement("for (int j = 1; j < OUTPUTS; j++) if (output[offset + j] > output[offset + best]) best = j")
                        .addStatement("return best");
            }
            t.addMethod(classOf.build());
            t.addMethod(MethodSpec.methodBuilder("label").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(String.class)
                    .addJavadoc("The class name a row of output {@code $L} (from {@code offset}) predicts.\n", s.output())
                    .addParameter(e.array(), "output").addParameter(TypeName.INT, "offset")
                    .addStatement("return CLASSES.get(classOf(output, offset))").build());
            return;
        }
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(List.class, String.class), "TARGETS", Modifier.PUBLIC, Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("The target columns, in the order of output {@code $L}'s values.\n", s.output())
                .initializer("$T.of($L)", List.class, names(s.targets())).build());
        List<CodeBlock> means = new ArrayList<>(), stds = new ArrayList<>();
        for (int j = 0; j < s.mean().length; j++) {
            means.add(CodeBlock.of("$L", Elem.javaDouble(s.mean()[j])));
            stds.add(CodeBlock.of("$L", Elem.javaDouble(s.std()[j])));
        }
        t.addField(FieldSpec.builder(double[].class, "TARGET_MEAN", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("{$L}", CodeBlock.join(means, ", ")).build());
        t.addField(FieldSpec.builder(double[].class, "TARGET_STD", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("{$L}", CodeBlock.join(stds, ", ")).build());
        t.addMethod(MethodSpec.methodBuilder("decode").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(TypeName.DOUBLE)
                .addJavadoc("Target {@code column} (an index of {@link #TARGETS}) of a row of output {@code $L}, in the target's own\n"
                        + "units: {@code $L}, as {@code nnc predict} writes it.\n\n"
                        + "@throws IllegalArgumentException if {@code column} is not a target or {@code output} is too short\n",
                        s.output(), s.log() ? "exp(value * std + mean)" : "value * std + mean")
                .addParameter(e.array(), "output").addParameter(TypeName.INT, "offset").addParameter(TypeName.INT, "column")
                .beginControlFlow("if (column < 0 || column >= TARGET_MEAN.length)")
                .addStatement("throw new $T($S + column + $S + TARGETS)", IllegalArgumentException.class, "column: ", " is not one of ")
                .endControlFlow()
                .addStatement("checkOut(output, offset, OUTPUTS)")
                .addStatement("double u = output[offset + column] * TARGET_STD[column] + TARGET_MEAN[column]")
                .addStatement(s.log() ? "return Math.exp(u)" : "return u").build());
    }
}
