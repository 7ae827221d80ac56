package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Dim;
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
 * with nothing but the JDK. The header written is fixed at generation time (shapes are
 * static); the reader accepts any valid file holding the params as F32 or F64, in any order.
 * Checkpoints ({@link CheckpointCode}) add the optimizer state to the same two methods.
 */
final class SafetensorsCode {
    private SafetensorsCode() {}

    static List<MethodSpec> methods(ClassContext cx) {
        List<MethodSpec> out = new java.util.ArrayList<>(CheckpointCode.publicMethods(cx));
        out.addAll(List.of(save(cx), load(cx), parseHeader(), skipValue(), readString(), readLong(), expect(), skipSpace(), fail()));
        return out;
    }

    /** One array the file holds: its tensor name, the field, the shape. */
    record Stored(String tensor, String field, List<Dim> dims, long count) {}

    /** The parameters and buffers ({@link ClassContext#saved}), as {@code saveParameters} writes them. */
    static List<Stored> parameters(ClassContext cx) {
        List<Stored> out = new java.util.ArrayList<>();
        for (ClassContext.State st : cx.saved()) {
            out.add(new Stored(st.name(), st.field(), st.shape().dims(), st.shape().staticProduct()));
        }
        return out;
    }

    /** The tensor entries of a header for {@code arrays}, stored one after the other: {@code ,"name":{…}…}. */
    static String tensorEntries(ClassContext cx, List<Stored> arrays) {
        StringBuilder sb = new StringBuilder();
        long offset = 0;
        int size = cx.elem.f32() ? 4 : 8;
        for (Stored a : arrays) {
            long bytes = a.count() * size;
            sb.append(",\"").append(a.tensor()).append("\":{\"dtype\":\"").append(cx.elem.f32() ? "F32" : "F64").append("\",\"shape\":[");
            for (int i = 0; i < a.dims().size(); i++) sb.append(i == 0 ? "" : ",").append(a.dims().get(i).size());
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        return sb.toString();
    }

    /** The metadata every file starts with: {@code {"__metadata__":{"format":"nnc","model":"NAME"}. */
    static String metadataStart(ClassContext cx) {
        return "{\"__metadata__\":{\"format\":\"nnc\",\"model\":\"" + cx.model.name() + "\"";
    }

    /** The header JSON of {@code saveParameters}, padded with spaces to a multiple of 8 bytes. */
    static String header(ClassContext cx) {
        StringBuilder sb = new StringBuilder(metadataStart(cx)).append('}').append(tensorEntries(cx, parameters(cx))).append('}');
        while ((8 + sb.toString().getBytes(StandardCharsets.UTF_8).length) % 8 != 0) sb.append(' ');
        return sb.toString();
    }

    /** A long string as a sum of constants: one string constant may not exceed 65,535 bytes. */
    static CodeBlock pieces(String s) {
        List<CodeBlock> pieces = new java.util.ArrayList<>();
        for (int i = 0; i < s.length(); i += 8192) pieces.add(CodeBlock.of("$S", s.substring(i, Math.min(s.length(), i + 8192))));
        return CodeBlock.of("String.join(\"\", $L)", CodeBlock.join(pieces, ", "));
    }

    private static long bytes(ClassContext cx, List<Stored> arrays) {
        long total = 0;
        for (Stored a : arrays) total += a.count() * (cx.elem.f32() ? 4 : 8);
        return total;
    }

    private static List<CodeBlock> puts(ClassContext cx, List<Stored> arrays) {
        String put = cx.elem.f32() ? "putFloat" : "putDouble";
        List<CodeBlock> puts = new java.util.ArrayList<>();
        for (Stored a : arrays) puts.add(CodeBlock.of("for ($T v : this.$N) buf$$.$L(v)", cx.elem.type(), a.field(), put));
        return puts;
    }

    /**
     * {@code saveParameters}, or with checkpoints the private {@code save$(file, checkpoint$)}
     * behind it and {@code saveCheckpoint}.
     */
    private static MethodSpec save(ClassContext cx) {
        boolean ckpt = CheckpointCode.applies(cx);
        MethodSpec.Builder m = ckpt ? MethodSpec.methodBuilder("save$").addModifiers(Modifier.PRIVATE)
                : MethodSpec.methodBuilder("saveParameters").addModifiers(Modifier.PUBLIC).addJavadoc(saveDoc(cx));
        m.addParameter(Path.class, "file").addException(IOException.class);
        var pBuf = com.palantir.javapoet.ParameterSpec.builder(ByteBuffer.class, "buf$").build();
        CodeBlock header = CodeBlock.of("$L.getBytes($T.UTF_8)", pieces(header(cx)), StandardCharsets.class);
        if (ckpt) {
            m.addParameter(TypeName.BOOLEAN, "checkpoint$");
            m.addStatement("byte[] header$$ = checkpoint$$ ? $L : $L", CheckpointCode.header(), header);
            m.addStatement("$T buf$$ = $T.allocate(8 + header$$.length + (checkpoint$$ ? $L : $L)).order($T.LITTLE_ENDIAN)",
                    ByteBuffer.class, ByteBuffer.class, bytes(cx, CheckpointCode.stored(cx)), bytes(cx, parameters(cx)), ByteOrder.class);
        } else {
            m.addStatement("byte[] header$$ = $L", header);
            m.addStatement("$T buf$$ = $T.allocate(8 + header$$.length + $L).order($T.LITTLE_ENDIAN)", ByteBuffer.class, ByteBuffer.class,
                    bytes(cx, parameters(cx)), ByteOrder.class);
        }
        m.addStatement("buf$$.putLong(header$$.length).put(header$$)");
        cx.addStatements(m, "saveParameters", puts(cx, parameters(cx)), pBuf);
        if (ckpt && !CheckpointCode.states(cx).isEmpty()) {
            m.beginControlFlow("if (checkpoint$$)");
            cx.addStatements(m, "saveCheckpoint", puts(cx, CheckpointCode.states(cx)), pBuf);
            m.endControlFlow();
        }
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

    /** {@code values$.add(read(…))} for each of {@code arrays}. */
    private static List<CodeBlock> reads(List<Stored> arrays) {
        List<CodeBlock> reads = new java.util.ArrayList<>();
        for (Stored a : arrays) {
            CodeBlock shape = CodeBlock.join(a.dims().stream().map(d -> CodeBlock.of("$L", d.size())).toList(), ", ");
            reads.add(CodeBlock.of("values$$.add(read(file, buf$$, entries$$, dataStart$$, $S, new long[] {$L}, $L))", a.tensor(), shape,
                    a.count()));
        }
        return reads;
    }

    /** Copies from {@code values$}, starting at index {@code from}, into {@code arrays}. */
    private static List<CodeBlock> copies(List<Stored> arrays, int from) {
        List<CodeBlock> copies = new java.util.ArrayList<>();
        int i = from;
        for (Stored a : arrays) copies.add(CodeBlock.of("System.arraycopy(values$$.get($L), 0, this.$N, 0, this.$N.length)", i++, a.field(), a.field()));
        return copies;
    }

    /**
     * {@code loadParameters}, or with checkpoints the private {@code load$(file, checkpoint$)}
     * behind it and {@code loadCheckpoint}.
     */
    private static MethodSpec load(ClassContext cx) {
        boolean ckpt = CheckpointCode.applies(cx);
        MethodSpec.Builder m = ckpt ? MethodSpec.methodBuilder("load$").addModifiers(Modifier.PRIVATE)
                : MethodSpec.methodBuilder("loadParameters").addModifiers(Modifier.PUBLIC).addJavadoc(loadDoc());
        m.addParameter(Path.class, "file").addException(IOException.class);
        if (ckpt) m.addParameter(TypeName.BOOLEAN, "checkpoint$");
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
                .addStatement("long dataStart$$ = 8 + n$$")
                .addStatement("$T<Object> values$$ = new $T<>()", List.class, java.util.ArrayList.class);
        var pFile = com.palantir.javapoet.ParameterSpec.builder(Path.class, "file").build();
        var pBuf = com.palantir.javapoet.ParameterSpec.builder(ByteBuffer.class, "buf$").build();
        var pEntries = com.palantir.javapoet.ParameterSpec.builder(ParameterizedTypeNames.mapOfLongArrays(), "entries$").build();
        var pStart = com.palantir.javapoet.ParameterSpec.builder(TypeName.LONG, "dataStart$").build();
        var pValues = com.palantir.javapoet.ParameterSpec.builder(
                com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(List.class), ClassName.get(Object.class)), "values$").build();
        // the split helpers must declare the IOException that read() throws
        addThrowing(cx, m, "loadParameters$read", reads(parameters(cx)), pFile, pBuf, pEntries, pStart, pValues);
        if (ckpt) {
            m.addCode(CheckpointCode.readMetadata(cx));
            if (!CheckpointCode.states(cx).isEmpty()) {
                m.beginControlFlow("if (checkpoint$$)");
                addThrowing(cx, m, "loadCheckpoint$read", reads(CheckpointCode.states(cx)), pFile, pBuf, pEntries, pStart, pValues);
                m.endControlFlow();
            }
        }
        cx.addStatements(m, "loadParameters$copy", copies(parameters(cx), 0), pValues);
        if (ckpt) {
            m.beginControlFlow("if (checkpoint$$)");
            cx.addStatements(m, "loadCheckpoint$copy", copies(CheckpointCode.states(cx), parameters(cx).size()), pValues);
            m.addCode(CheckpointCode.restore());
            m.endControlFlow();
        }
        cx.type.addMethod(read(cx));
        cx.type.addMethod(EncoderCheck.method(cx));
        return m.build();
    }

    /** {@link ClassContext#addStatements} for statements that throw IOException. */
    private static void addThrowing(ClassContext cx, MethodSpec.Builder method, String name, List<CodeBlock> statements,
                                    com.palantir.javapoet.ParameterSpec... params) {
        if (statements.size() <= ClassContext.STATEMENTS_PER_METHOD) {
            for (CodeBlock st : statements) method.addStatement(st);
            return;
        }
        CodeBlock args = CodeBlock.join(java.util.Arrays.stream(params).map(p -> CodeBlock.of("$N", p)).toList(), ", ");
        for (int i = 0, part = 0; i < statements.size(); i += ClassContext.STATEMENTS_PER_METHOD, part++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder(name + "$" + part).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addException(IOException.class);
            for (var p : params) m.addParameter(p);
            for (CodeBlock st : statements.subList(i, Math.min(statements.size(), i + ClassContext.STATEMENTS_PER_METHOD))) m.addStatement(st);
            cx.type.addMethod(m.build());
            method.addStatement("$N($L)", name + "$" + part, args);
        }
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
