package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Dim;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The tensors a generated class saves and loads, as data rather than as code: the static tables
 * {@code TENSOR_NAMES$} and {@code TENSOR_SHAPES$} (names and shapes in file order: the
 * parameters and buffers, then a checkpoint's optimizer state), the accessor {@code tensor$(i)}
 * from an index to this instance's array, and {@code safetensorsHeader$}, the header of the
 * first n tensors. {@code save$} and {@code load$} ({@link SafetensorsCode},
 * {@link CheckpointCode}) loop over them, so their bytecode does not grow with the number of
 * tensors; a new kind of saved state is one more entry of {@link #all}. The tables are parsed
 * from string constants when the class is initialized: array initializers would put bytes of
 * code per tensor into the static initializer.
 */
final class TensorTable {
    private TensorTable() {}

    /** One array the file holds: its tensor name, the field, the shape, the element count. */
    record Stored(String tensor, String field, List<Dim> dims, long count) {}

    static final String NAMES = "TENSOR_NAMES$";
    static final String SHAPES = "TENSOR_SHAPES$";
    static final String ACCESSOR = "tensor$";
    static final String HEADER = "safetensorsHeader$";

    /** The parameters and buffers ({@link ClassContext#saved}): what {@code saveParameters} writes. */
    static List<Stored> saved(ClassContext cx) {
        List<Stored> out = new ArrayList<>();
        for (ClassContext.State st : cx.saved()) {
            out.add(new Stored(st.name(), st.field(), st.shape().dims(), st.shape().staticProduct()));
        }
        return out;
    }

    /** Every tensor of the tables: {@link #saved}, then the optimizer state when the class has checkpoints. */
    static List<Stored> all(ClassContext cx) {
        List<Stored> out = saved(cx);
        if (CheckpointCode.applies(cx)) out.addAll(CheckpointCode.states(cx));
        return out;
    }

    /** The bytes of the data of the first {@code n} tensors. */
    static long bytes(ClassContext cx, int n) {
        long total = 0;
        for (Stored a : all(cx).subList(0, n)) total += a.count() * (cx.elem.f32() ? 4 : 8);
        return total;
    }

    /** Adds the tables, the accessor and the header method to the class. */
    static void addTo(ClassContext cx) {
        List<Stored> all = all(cx);
        cx.type.addField(FieldSpec.builder(ArrayTypeName.of(String.class), NAMES, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The .nn names of the tensors saved and loaded, in file order: the $L parameters and buffers$L.\n",
                        saved(cx).size(), all.size() > saved(cx).size() ? ", then the optimizer state of a checkpoint" : "")
                .initializer("$L.split(\" \")", SafetensorsCode.pieces(String.join(" ", all.stream().map(Stored::tensor).toList())))
                .build());
        List<String> shapes = new ArrayList<>();
        for (Stored a : all) shapes.add(String.join(",", a.dims().stream().map(d -> Long.toString(d.size())).toList()));
        cx.type.addField(FieldSpec.builder(ArrayTypeName.of(ArrayTypeName.of(TypeName.LONG)), SHAPES, Modifier.PRIVATE, Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("The shape of each tensor of {@code $L}.\n", NAMES)
                .initializer("shapes$$($L)", SafetensorsCode.pieces(String.join(";", shapes)))
                .build());
        cx.type.addMethod(shapesParser());
        accessor(cx, all);
        cx.type.addMethod(header(cx));
    }

    /** {@code shapes$}: the shapes of {@code TENSOR_SHAPES$} from their text. */
    private static MethodSpec shapesParser() {
        return MethodSpec.methodBuilder("shapes$").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ArrayTypeName.of(ArrayTypeName.of(TypeName.LONG)))
                .addJavadoc("Shapes written as their dims joined by ',', joined by ';' (a scalar's is empty).\n")
                .addParameter(String.class, "s")
                .addStatement("String[] t = s.split(\";\", -1)")
                .addStatement("long[][] out = new long[t.length][]")
                .beginControlFlow("for (int i = 0; i < t.length; i++)")
                .addStatement("String[] d = t[i].isEmpty() ? new String[0] : t[i].split(\",\")")
                .addStatement("out[i] = new long[d.length]")
                .addStatement("for (int j = 0; j < d.length; j++) out[i][j] = Long.parseLong(d[j])")
                .endControlFlow()
                .addStatement("return out")
                .build();
    }

    /**
     * {@code tensor$(i)}: a switch over the indices, or with many tensors a switch over blocks of
     * {@link ClassContext#STATEMENTS_PER_METHOD} that calls one method per block, so that no
     * method grows past C2's limit.
     */
    private static void accessor(ClassContext cx, List<Stored> all) {
        int per = ClassContext.STATEMENTS_PER_METHOD;
        MethodSpec.Builder m = MethodSpec.methodBuilder(ACCESSOR).addModifiers(Modifier.PRIVATE).returns(cx.elem.array())
                .addJavadoc("The array of tensor {@code i} of {@code $L}: this instance's parameter, buffer or optimizer state.\n", NAMES)
                .addParameter(TypeName.INT, "i");
        if (all.size() <= per) {
            cx.type.addMethod(cases(m, all, 0).build());
            return;
        }
        m.beginControlFlow("switch (i / $L)", per);
        for (int from = 0, part = 0; from < all.size(); from += per, part++) {
            MethodSpec.Builder block = MethodSpec.methodBuilder(ACCESSOR + part).addModifiers(Modifier.PRIVATE).returns(cx.elem.array())
                    .addParameter(TypeName.INT, "i");
            cx.type.addMethod(cases(block, all.subList(from, Math.min(all.size(), from + per)), from).build());
            m.addStatement("case $L: return $N(i)", part, ACCESSOR + part);
        }
        cx.type.addMethod(m.addStatement("default: throw new $T(i)", IndexOutOfBoundsException.class).endControlFlow().build());
    }

    /** A switch returning the field of each of {@code arrays}, the first at index {@code from}. */
    private static MethodSpec.Builder cases(MethodSpec.Builder m, List<Stored> arrays, int from) {
        m.beginControlFlow("switch (i)");
        int i = from;
        for (Stored a : arrays) m.addStatement("case $L: return this.$N", i++, a.field());
        return m.addStatement("default: throw new $T(i)", IndexOutOfBoundsException.class).endControlFlow();
    }

    /**
     * {@code safetensorsHeader$(tensors, metadata)}: the header of the first {@code tensors}
     * tensors stored one after the other, with the metadata {@code format} and {@code model} and
     * then {@code metadata}, padded with spaces to a multiple of 8 bytes.
     */
    private static MethodSpec header(ClassContext cx) {
        int size = cx.elem.f32() ? 4 : 8;
        return MethodSpec.methodBuilder(HEADER).addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(byte[].class)
                .addJavadoc("The safetensors header of the first {@code tensors} tensors of {@code $L}, stored one after the other\n"
                        + "($L), with {@code metadata} (members of a JSON object, each after a comma) after the format\n"
                        + "and the model's name; padded with spaces to a multiple of 8 bytes.\n", NAMES, cx.elem.f32() ? "F32" : "F64")
                .addParameter(TypeName.INT, "tensors").addParameter(String.class, "metadata")
                .addStatement("StringBuilder h = new StringBuilder($S).append(metadata).append('}')",
                        "{\"__metadata__\":{\"format\":\"nnc\",\"model\":\"" + cx.model.name() + "\"")
                .addStatement("long offset = 0")
                .beginControlFlow("for (int i = 0; i < tensors; i++)")
                .addStatement("long[] shape = $N[i]", SHAPES)
                .addStatement("long bytes = $L", size)
                .addStatement("h.append(\",\\\"\").append($N[i]).append($S)", NAMES, "\":{\"dtype\":\"" + (cx.elem.f32() ? "F32" : "F64")
                        + "\",\"shape\":[")
                .beginControlFlow("for (int d = 0; d < shape.length; d++)")
                .addStatement("h.append(d == 0 ? \"\" : \",\").append(shape[d])")
                .addStatement("bytes *= shape[d]")
                .endControlFlow()
                .addStatement("h.append($S).append(offset).append(',').append(offset + bytes).append($S)", "],\"data_offsets\":[", "]}")
                .addStatement("offset += bytes")
                .endControlFlow()
                .addStatement("h.append('}')")
                .addComment("names are ASCII: a char is a byte")
                .addStatement("while ((8 + h.length()) % 8 != 0) h.append(' ')")
                .addStatement("return h.toString().getBytes($T.UTF_8)", StandardCharsets.class)
                .build();
    }
}
