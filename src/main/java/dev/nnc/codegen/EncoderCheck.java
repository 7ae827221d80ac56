package dev.nnc.codegen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * What {@code loadParameters} (and {@code loadCheckpoint}) do with a file that {@code nnc train
 * --save} wrote, whose parameters expect preprocessed inputs (its metadata has
 * {@code nnc.training}): a class generated without an encoder refuses it with an
 * {@link IOException} that says how to generate the encoder, since raw values would give wrong
 * predictions silently; a class generated with one ({@code --preprocessing}) accepts it when
 * the file's encoding ({@code nnc.encoding}) is the encoder's, and refuses parameters trained
 * with another preprocessing (files of older versions, without {@code nnc.encoding}, pass). Files without {@code nnc.training} (checkpoints,
 * {@code saveParameters}) are read as they are.
 */
final class EncoderCheck {
    private EncoderCheck() {}

    static MethodSpec method(ClassContext cx) {
        String name = cx.type.build().name();
        MethodSpec.Builder m = MethodSpec.methodBuilder("checkEncoding").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Refuses parameters trained by {@code nnc train} on preprocessed inputs unless this class's encoder\n"
                        + "has their encoding.\n")
                .addParameter(Path.class, "file")
                .addParameter(ParameterizedTypeName.get(Map.class, String.class, String.class), "meta")
                .addException(IOException.class)
                .beginControlFlow("if (!meta.containsKey($S))", "nnc.training")
                .addStatement("return")
                .endControlFlow();
        JavaEmitter.Encoder enc = cx.encoder;
        if (enc == null) {
            m.addStatement("throw new $T(file + $S + file + $S)", IOException.class,
                    ": these parameters were trained by 'nnc train' on preprocessed columns (standardized numbers, one-hot text)"
                            + " and need the same preprocessing of raw values, which " + name + " was generated without: generate "
                            + name + "Encoder beside it with 'nnc compile --preprocessing ",
                    "' (Maven: <preprocessing>), and encode rows with it");
        } else {
            m.addStatement("String encoding = meta.get($S)", "nnc.encoding")
                    .beginControlFlow("if (encoding != null && !encoding.equals($S))", enc.fingerprint())
                    .addStatement("throw new $T(file + $S + encoding + $S)", IOException.class,
                            ": these parameters were trained with another preprocessing (encoding ", ") than " + enc.className()
                                    + ", generated from " + enc.origin() + " (encoding " + enc.fingerprint()
                                    + "): generate the encoder again, from this file (nnc compile --preprocessing)")
                    .endControlFlow();
        }
        return m.build();
    }
}
