package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * {@code saveParameters}/{@code loadParameters} for generated classes: the safetensors format
 * with nothing but the JDK. Both loop over the tables of {@link TensorTable} (the header written
 * comes from its names and shapes, which are static); the reader accepts any valid file holding
 * the params as F32 or F64, in any order. Checkpoints ({@link CheckpointCode}) add the optimizer
 * state to the same two methods.
 */
final class SafetensorsCode {
    private SafetensorsCode() {}

    static List<MethodSpec> methods(ClassContext cx) {
        TensorTable.addTo(cx);
        List<MethodSpec> out = new java.util.ArrayList<>(CheckpointCode.publicMethods(cx));
        out.addAll(List.of(save(cx), load(cx), parseHeader(), skipValue(), readString(), readLong(), expect(), skipSpace(), fail()));
        return out;
    }

    /** A long string as a sum of constants: one string constant may not exceed 65,535 bytes. */
    static CodeBlock pieces(String s) {
        List<CodeBlock> pieces = new java.util.ArrayList<>();
        // one piece at least: the shapes of a single scalar are ""
        for (int i = 0; i == 0 || i < s.length(); i += 8192) pieces.add(CodeBlock.of("$S", s.substring(i, Math.min(s.length(), i + 8192))));
        return CodeBlock.of("String.join(\"\", $L)", CodeBlock.join(pieces, ", "));
    }

    /**
     * {@code saveParameters}, or with checkpoints the private {@code save$(file, checkpoint$)}
     * behind it and {@code saveCheckpoint}: the first {@code tensors$} tensors of the table
     * ({@link TensorTable}) after their header.
     */
    private static MethodSpec save(ClassContext cx) {
        boolean ckpt = CheckpointCode.applies(cx);
        MethodSpec.Builder m = ckpt ? MethodSpec.methodBuilder("save$").addModifiers(Modifier.PRIVATE)
                : MethodSpec.methodBuilder("saveParameters").addModifiers(Modifier.PUBLIC).addJavadoc(saveDoc(cx));
        m.addParameter(Path.class, "file").addException(IOException.class);
        int saved = TensorTable.saved(cx).size(), all = TensorTable.all(cx).size();
        if (ckpt) m.addParameter(TypeName.BOOLEAN, "checkpoint$");
        m.addStatement("int tensors$$ = $L", count(cx));
        m.addStatement("byte[] header$$ = $N(tensors$$, $L)", TensorTable.HEADER, ckpt ? CodeBlock.of("checkpoint$$ ? $L : \"\"",
                CheckpointCode.metadata()) : CodeBlock.of("\"\""));
        long savedBytes = TensorTable.bytes(cx, saved), allBytes = TensorTable.bytes(cx, all);
        m.addStatement("$T buf$$ = $T.allocate(8 + header$$.length + $L).order($T.LITTLE_ENDIAN)", ByteBuffer.class, ByteBuffer.class,
                all > saved ? CodeBlock.of("(checkpoint$$ ? $L : $L)", allBytes, savedBytes) : CodeBlock.of("$L", savedBytes),
                ByteOrder.class);
        m.addStatement("buf$$.putLong(header$$.length).put(header$$)")
                .beginControlFlow("for (int i = 0; i < tensors$$; i++)")
                .addStatement("for ($T v : $N(i)) buf$$.$L(v)", cx.elem.type(), TensorTable.ACCESSOR, cx.elem.f32() ? "putFloat" : "putDouble")
                .endControlFlow();
        m.addStatement("$T dir$$ = file.toAbsolutePath().getParent()", Path.class)
                .addStatement("$T tmp$$ = $T.createTempFile(dir$$, \".\" + file.getFileName(), \".tmp\")", Path.class, Files.class)
                .beginControlFlow("try")
                .beginControlFlow("try")
                .addStatement("$T.setPosixFilePermissions(tmp$$, $T.fromString(\"rw-r--r--\"))", Files.class,
                        ClassName.get("java.nio.file.attribute", "PosixFilePermissions"))
                .nextControlFlow("catch ($T e$$)", UnsupportedOperationException.class)
                .addComment("not a POSIX file system: its defaults apply")
                .endControlFlow()
                .addStatement("$T.write(tmp$$, buf$$.array())", Files.class)
                .beginControlFlow("try")
                .addStatement("$T.move(tmp$$, file, $T.ATOMIC_MOVE, $T.REPLACE_EXISTING)", Files.class, StandardCopyOption.class, StandardCopyOption.class)
                .nextControlFlow("catch ($T e$$)", ClassName.get("java.nio.file", "AtomicMoveNotSupportedException"))
                .addStatement("$T.move(tmp$$, file, $T.REPLACE_EXISTING)", Files.class, StandardCopyOption.class)
                .endControlFlow()
                .nextControlFlow("finally")
                .addStatement("$T.deleteIfExists(tmp$$)", Files.class)
                .endControlFlow();
        return m.build();
    }

    static CodeBlock saveDoc(ClassContext cx) {
        return CodeBlock.of("Writes every parameter and buffer to {@code file} in the safetensors format ($L, names as in the\n"
                + ".nn file).\n"
                + "The file is written beside its destination and moved into place, so a failure never leaves a\n"
                + "partial file.\n\n@throws IOException if the file cannot be written\n", cx.elem.f32() ? "F32" : "F64");
    }

    static CodeBlock loadDoc() {
        return CodeBlock.of("Reads every parameter and buffer from a safetensors file (F32 or F64 tensors named as in the .nn\n"
                + "file, with the declared shapes; other tensors are ignored). Nothing changes unless every one is read.\n\n"
                + "@throws IOException if the file cannot be read, is not valid safetensors, or lacks a parameter or buffer\n");
    }

    /** How many tensors of the table the file holds: with checkpoints, the optimizer state only with {@code checkpoint$}. */
    private static CodeBlock count(ClassContext cx) {
        int saved = TensorTable.saved(cx).size(), all = TensorTable.all(cx).size();
        return all > saved ? CodeBlock.of("checkpoint$$ ? $L : $L", all, saved) : CodeBlock.of("$L", saved);
    }

    /** Reads tensors {@code from} to {@code to} of the table into {@code values$}. */
    private static void readTensors(MethodSpec.Builder m, CodeBlock from, CodeBlock to) {
        m.beginControlFlow("for (int i = $L; i < $L; i++)", from, to)
                .addStatement("values$$[i] = read(file, buf$$, entries$$, dataStart$$, $N[i], $N[i], $N(i).length)", TensorTable.NAMES,
                        TensorTable.SHAPES, TensorTable.ACCESSOR)
                .endControlFlow();
    }

    /**
     * {@code loadParameters}, or with checkpoints the private {@code load$(file, checkpoint$)}
     * behind it and {@code loadCheckpoint}: reads the parameters and buffers, then (checkpoint)
     * the metadata and the optimizer state, each tensor into a new array; copies them into the
     * instance only once all are read.
     */
    private static MethodSpec load(ClassContext cx) {
        boolean ckpt = CheckpointCode.applies(cx);
        MethodSpec.Builder m = ckpt ? MethodSpec.methodBuilder("load$").addModifiers(Modifier.PRIVATE)
                : MethodSpec.methodBuilder("loadParameters").addModifiers(Modifier.PUBLIC).addJavadoc(loadDoc());
        m.addParameter(Path.class, "file").addException(IOException.class);
        if (ckpt) m.addParameter(TypeName.BOOLEAN, "checkpoint$");
        int saved = TensorTable.saved(cx).size(), all = TensorTable.all(cx).size();
        m.addStatement("byte[] bytes$$ = $T.readAllBytes(file)", Files.class)
                .addStatement("$T buf$$ = $T.wrap(bytes$$).order($T.LITTLE_ENDIAN)", ByteBuffer.class, ByteBuffer.class, ByteOrder.class)
                .beginControlFlow("if (bytes$$.length < 8)")
                .addStatement("throw fail(file, \"shorter than the 8-byte header length\")")
                .endControlFlow()
                .addStatement("long n$$ = buf$$.getLong(0)")
                .beginControlFlow("if (n$$ < 2 || n$$ > bytes$$.length - 8)")
                .addStatement("throw fail(file, \"header length \" + n$$ + \" does not fit a file of \" + bytes$$.length + \" bytes\")")
                .endControlFlow()
                .addStatement("String header$$ = new String(bytes$$, 8, (int) n$$, $T.UTF_8)", StandardCharsets.class)
                .addStatement("$T<String, String> meta$$ = new $T<>()", java.util.Map.class, java.util.HashMap.class)
                .addStatement("$T<String, long[]> entries$$ = parseHeader(file, header$$, meta$$)", java.util.Map.class)
                .addStatement("checkEncoding(file, meta$$)")
                .addStatement("long dataStart$$ = 8 + n$$");
        m.addStatement("$T[][] values$$ = new $T[$L][]", cx.elem.type(), cx.elem.type(), count(cx));
        readTensors(m, CodeBlock.of("0"), CodeBlock.of("$L", saved));
        if (ckpt) {
            m.addCode(CheckpointCode.readMetadata(cx));
            if (all > saved) readTensors(m, CodeBlock.of("$L", saved), CodeBlock.of("values$$.length"));
        }
        m.beginControlFlow("for (int i = 0; i < values$$.length; i++)")
                .addStatement("System.arraycopy(values$$[i], 0, $N(i), 0, values$$[i].length)", TensorTable.ACCESSOR)
                .endControlFlow();
        if (ckpt) {
            m.beginControlFlow("if (checkpoint$$)");
            m.addCode(CheckpointCode.restore());
            m.endControlFlow();
        }
        cx.type.addMethod(read(cx));
        cx.type.addMethod(EncoderCheck.method(cx));
        return m.build();
    }

    /** Reads one param's tensor as this class's element type. */
    private static MethodSpec read(ClassContext cx) {
        return MethodSpec.methodBuilder("read").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(cx.elem.array())
                .addParameter(Path.class, "file").addParameter(ByteBuffer.class, "buf")
                .addParameter(ParameterizedTypeNames.mapOfLongArrays(), "entries").addParameter(TypeName.LONG, "dataStart")
                .addParameter(String.class, "name").addParameter(long[].class, "shape").addParameter(TypeName.INT, "count")
                .addException(IOException.class)
                .addStatement("long[] e = entries.get(name)")
                .beginControlFlow("if (e == null)")
                .addStatement("throw fail(file, \"no tensor named '\" + name + \"'\")")
                .endControlFlow()
                .addStatement("int size = e[0] == 0 ? 4 : 8")
                .beginControlFlow("if (!$T.equals($T.copyOfRange(e, 3, e.length), shape))", java.util.Arrays.class, java.util.Arrays.class)
                .addStatement("throw fail(file, \"tensor '\" + name + \"' has shape \" + $T.toString($T.copyOfRange(e, 3, e.length)) + \", expected \" + $T.toString(shape))",
                        java.util.Arrays.class, java.util.Arrays.class, java.util.Arrays.class)
                .endControlFlow()
                .beginControlFlow("if (e[2] - e[1] != (long) count * size || e[1] < 0 || dataStart + e[2] > buf.limit())")
                .addStatement("throw fail(file, \"tensor '\" + name + \"' has data_offsets [\" + e[1] + \", \" + e[2] + \"] that do not fit its shape or the file\")")
                .endControlFlow()
                .addStatement("$T[] out = new $T[count]", cx.elem.type(), cx.elem.type())
                .addStatement("int at = (int) (dataStart + e[1])")
                .beginControlFlow("for (int i = 0; i < count; i++)")
                .addStatement("out[i] = $L(size == 4 ? buf.getFloat(at + 4 * i) : buf.getDouble(at + 8 * i))", cx.elem.f32() ? "(float) " : "")
                .endControlFlow()
                .addStatement("return out")
                .build();
    }

    /** Header JSON → name → {dtype (0 = F32, 1 = F64), begin, end, shape…}; other dtypes are an error. */
    private static MethodSpec parseHeader() {
        return MethodSpec.methodBuilder("parseHeader").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ParameterizedTypeNames.mapOfLongArrays())
                .addJavadoc("The tensors of header {@code h} by name; its metadata's string values go into {@code meta}.\n")
                .addParameter(Path.class, "file").addParameter(String.class, "h")
                .addParameter(com.palantir.javapoet.ParameterizedTypeName.get(java.util.Map.class, String.class, String.class), "meta")
                .addException(IOException.class)
                .addStatement("$T<String, long[]> out = new $T<>()", java.util.Map.class, java.util.HashMap.class)
                .addStatement("int[] at = {0}")
                .addStatement("expect(file, h, at, '{')")
                .beginControlFlow("if (skipSpace(h, at) == '}')")
                .addStatement("return out")
                .endControlFlow()
                .beginControlFlow("while (true)")
                .addStatement("String name = readString(file, h, at)")
                .addStatement("expect(file, h, at, ':')")
                .beginControlFlow("if (name.equals(\"__metadata__\"))")
                .addStatement("expect(file, h, at, '{')")
                .beginControlFlow("if (skipSpace(h, at) == '}')")
                .addStatement("at[0]++")
                .nextControlFlow("else")
                .beginControlFlow("while (true)")
                .addStatement("String key = readString(file, h, at)")
                .addStatement("expect(file, h, at, ':')")
                .beginControlFlow("if (skipSpace(h, at) == '\"')")
                .addStatement("meta.put(key, readString(file, h, at))")
                .nextControlFlow("else")
                .addStatement("skipValue(file, h, at)")
                .endControlFlow()
                .addCode(nextMember())
                .endControlFlow()
                .endControlFlow()
                .nextControlFlow("else")
                .addStatement("long dtype = -1")
                .addStatement("long[] offsets = null")
                .addStatement("$T<Long> shape = null", List.class)
                .addStatement("expect(file, h, at, '{')")
                .beginControlFlow("while (true)")
                .addStatement("String key = readString(file, h, at)")
                .addStatement("expect(file, h, at, ':')")
                .beginControlFlow("if (key.equals(\"dtype\"))")
                .addStatement("String d = readString(file, h, at)")
                .addStatement("dtype = d.equals(\"F32\") ? 0 : d.equals(\"F64\") ? 1 : -2")
                .beginControlFlow("if (dtype < 0)")
                .addStatement("throw fail(file, \"tensor '\" + name + \"' has dtype \" + d + \"; parameters must be F32 or F64\")")
                .endControlFlow()
                .nextControlFlow("else if (key.equals(\"shape\") || key.equals(\"data_offsets\"))")
                .addStatement("$T<Long> list = new $T<>()", List.class, java.util.ArrayList.class)
                .addStatement("expect(file, h, at, '[')")
                .beginControlFlow("if (skipSpace(h, at) == ']')")
                .addStatement("at[0]++")
                .nextControlFlow("else")
                .beginControlFlow("while (true)")
                .addStatement("list.add(readLong(file, h, at))")
                .addStatement("char c = skipSpace(h, at)")
                .addStatement("at[0]++")
                .addStatement("if (c == ']') break")
                .beginControlFlow("if (c != ',')")
                .addStatement("throw fail(file, \"expected ',' or ']' at header byte \" + (at[0] - 1))")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("if (key.equals(\"shape\"))")
                .addStatement("shape = list")
                .nextControlFlow("else if (list.size() == 2)")
                .addStatement("offsets = new long[] {list.get(0), list.get(1)}")
                .endControlFlow()
                .nextControlFlow("else")
                .addStatement("skipValue(file, h, at)")
                .endControlFlow()
                .addCode(nextMember())
                .endControlFlow()
                .beginControlFlow("if (dtype < 0 || offsets == null || shape == null)")
                .addStatement("throw fail(file, \"tensor '\" + name + \"' lacks dtype, shape or data_offsets\")")
                .endControlFlow()
                .addStatement("long[] e = new long[3 + shape.size()]")
                .addStatement("e[0] = dtype")
                .addStatement("e[1] = offsets[0]")
                .addStatement("e[2] = offsets[1]")
                .addStatement("for (int i = 0; i < shape.size(); i++) e[3 + i] = shape.get(i)")
                .addStatement("out.put(name, e)")
                .endControlFlow()
                .addStatement("char c = skipSpace(h, at)")
                .addStatement("at[0]++")
                .addStatement("if (c == '}') return out")
                .beginControlFlow("if (c != ',')")
                .addStatement("throw fail(file, \"expected ',' or '}' at header byte \" + (at[0] - 1))")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** In a loop over the members of a JSON object: past a ',' to the next member, or out of the loop after the '}'. */
    private static CodeBlock nextMember() {
        return CodeBlock.builder()
                .addStatement("char c = skipSpace(h, at)")
                .addStatement("at[0]++")
                .addStatement("if (c == '}') break")
                .beginControlFlow("if (c != ',')")
                .addStatement("throw fail(file, \"expected ',' or '}' at header byte \" + (at[0] - 1))")
                .endControlFlow()
                .build();
    }

    /** Skips one JSON value (used for metadata and unknown keys). */
    private static MethodSpec skipValue() {
        return MethodSpec.methodBuilder("skipValue").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(Path.class, "file").addParameter(String.class, "h").addParameter(int[].class, "at")
                .addException(IOException.class)
                .addStatement("int depth = 0")
                .beginControlFlow("do")
                .addStatement("char c = skipSpace(h, at)")
                .beginControlFlow("if (c == '\"')")
                .addStatement("readString(file, h, at)")
                .addStatement("continue")
                .endControlFlow()
                .addStatement("if (c == '{' || c == '[') depth++")
                .addStatement("else if (c == '}' || c == ']') depth--")
                .addStatement("else if (c == 0) throw fail(file, \"the header ends inside a value\")")
                .addStatement("at[0]++")
                .endControlFlow("while (depth > 0 || (depth == 0 && \",}]\".indexOf(skipSpace(h, at)) < 0))")
                .build();
    }

    private static MethodSpec readString() {
        return MethodSpec.methodBuilder("readString").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(String.class)
                .addParameter(Path.class, "file").addParameter(String.class, "h").addParameter(int[].class, "at")
                .addException(IOException.class)
                .addStatement("expect(file, h, at, '\"')")
                .addStatement("StringBuilder sb = new StringBuilder()")
                .beginControlFlow("while (at[0] < h.length())")
                .addStatement("char c = h.charAt(at[0]++)")
                .addStatement("if (c == '\"') return sb.toString()")
                .beginControlFlow("if (c == '\\\\')")
                .addStatement("if (at[0] >= h.length()) break")
                .addStatement("char e = h.charAt(at[0]++)")
                .beginControlFlow("if (e == 'u')")
                .addStatement("if (at[0] + 4 > h.length()) break")
                .beginControlFlow("try")
                .addStatement("sb.append((char) Integer.parseInt(h.substring(at[0], at[0] + 4), 16))")
                .nextControlFlow("catch ($T x)", NumberFormatException.class)
                .addStatement("throw fail(file, \"bad \\\\u escape at header byte \" + at[0])")
                .endControlFlow()
                .addStatement("at[0] += 4")
                .nextControlFlow("else")
                .addStatement("sb.append(e == 'n' ? '\\n' : e == 't' ? '\\t' : e == 'r' ? '\\r' : e == 'b' ? '\\b' : e == 'f' ? '\\f' : e)")
                .endControlFlow()
                .nextControlFlow("else")
                .addStatement("sb.append(c)")
                .endControlFlow()
                .endControlFlow()
                .addStatement("throw fail(file, \"unterminated string in the header\")")
                .build();
    }

    private static MethodSpec readLong() {
        return MethodSpec.methodBuilder("readLong").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(TypeName.LONG)
                .addParameter(Path.class, "file").addParameter(String.class, "h").addParameter(int[].class, "at")
                .addException(IOException.class)
                .addStatement("skipSpace(h, at)")
                .addStatement("int start = at[0]")
                .addStatement("while (at[0] < h.length() && (Character.isDigit(h.charAt(at[0])) || h.charAt(at[0]) == '-')) at[0]++")
                .beginControlFlow("try")
                .addStatement("return Long.parseLong(h.substring(start, at[0]))")
                .nextControlFlow("catch ($T e)", NumberFormatException.class)
                .addStatement("throw fail(file, \"expected an integer at header byte \" + start)")
                .endControlFlow()
                .build();
    }

    private static MethodSpec expect() {
        return MethodSpec.methodBuilder("expect").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(Path.class, "file").addParameter(String.class, "h").addParameter(int[].class, "at")
                .addParameter(TypeName.CHAR, "c").addException(IOException.class)
                .beginControlFlow("if (skipSpace(h, at) != c)")
                .addStatement("throw fail(file, \"expected '\" + c + \"' at header byte \" + at[0])")
                .endControlFlow()
                .addStatement("at[0]++")
                .build();
    }

    /** The next non-space character (0 at the end), without consuming it. */
    private static MethodSpec skipSpace() {
        return MethodSpec.methodBuilder("skipSpace").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(TypeName.CHAR)
                .addParameter(String.class, "h").addParameter(int[].class, "at")
                .addStatement("while (at[0] < h.length() && Character.isWhitespace(h.charAt(at[0]))) at[0]++")
                .addStatement("return at[0] < h.length() ? h.charAt(at[0]) : 0")
                .build();
    }

    private static MethodSpec fail() {
        return MethodSpec.methodBuilder("fail").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(IOException.class)
                .addParameter(Path.class, "file").addParameter(String.class, "message")
                .addStatement("return new $T(file + \": not a valid parameter file: \" + message)", IOException.class)
                .build();
    }

    /** Type names used in signatures. */
    static final class ParameterizedTypeNames {
        private ParameterizedTypeNames() {}

        static TypeName mapOfLongArrays() {
            return com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(java.util.Map.class), ClassName.get(String.class),
                    TypeName.get(long[].class));
        }
    }
}
