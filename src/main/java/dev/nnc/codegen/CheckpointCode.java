package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * {@code saveCheckpoint}/{@code loadCheckpoint}: everything training needs to resume exactly as
 * if it had never stopped. A checkpoint is a safetensors file with every parameter and buffer
 * (named as in the .nn file: what {@code saveParameters} writes), the optimizer state
 * ({@code optimizer.momentum.<param>} for SGD with momentum, {@code optimizer.m.<param>} and
 * {@code optimizer.v.<param>} for Adam), and in the metadata {@code nnc.checkpoint} (the
 * optimizer), {@code nnc.step} (the step count, which also drives Adam's bias correction, SGD's
 * first momentum step and the dropout masks), {@code nnc.seed} (the seed of the dropout
 * masks) and {@code nnc.learning_rate} (the rate the next update uses: {@code setLearningRate}
 * is part of a training run's state, as the learning rate is in PyTorch's optimizer
 * {@code state_dict}, so a schedule resumes where it was). {@code loadParameters} reads a
 * checkpoint's parameters and buffers and leaves the rest. The save and load code is
 * {@link SafetensorsCode}'s, with a flag.
 */
final class CheckpointCode {
    private CheckpointCode() {}

    /** Whether the class gets checkpoints: it has a train step. */
    static boolean applies(ClassContext cx) {
        return cx.compiled.eval().loss() != null && cx.model.optimizer() != null && !cx.params().isEmpty();
    }

    /** The optimizer state arrays, in the order a checkpoint stores them (after the parameters). */
    static List<TensorTable.Stored> states(ClassContext cx) {
        List<TensorTable.Stored> out = new ArrayList<>();
        for (String s : ParamCode.stateNames(cx.model.optimizer())) {
            for (Model.Param p : cx.params()) {
                out.add(new TensorTable.Stored("optimizer." + s + "." + p.name(), s + "$" + p.name(), p.node().shape().dims(),
                        p.node().shape().staticProduct()));
            }
        }
        return out;
    }

    /** The four public methods over {@code save$}/{@code load$}, or none when the class has no train step. */
    static List<MethodSpec> publicMethods(ClassContext cx) {
        if (!applies(cx)) return List.of();
        String kind = cx.model.optimizer().kind();
        String state = ParamCode.stateNames(cx.model.optimizer()).isEmpty() ? "" : " and the " + kind + " state ("
                + String.join(", ", ParamCode.stateNames(cx.model.optimizer()).stream().map(s -> "{@code optimizer." + s + ".<param>}").toList())
                + ")";
        cx.type.addMethod(metadata(kind));
        cx.type.addMethod(metaLong());
        return List.of(
                delegate("saveParameters", "save$", false, SafetensorsCode.saveDoc(cx)),
                delegate("loadParameters", "load$", false, SafetensorsCode.loadDoc()),
                delegate("saveCheckpoint", "save$", true, CodeBlock.of(
                        "Writes a checkpoint to {@code file}: every parameter and buffer$L,\n"
                                + "with the step count, the seed and the learning rate in the metadata, so that\n"
                                + "{@link #loadCheckpoint} resumes training exactly: the following steps give the same values, bit\n"
                                + "for bit, as if training had not stopped (dropout masks included). Safetensors, written beside its\n"
                                + "destination and moved into place.\n\n"
                                + "@throws IOException if the file cannot be written\n", state)),
                delegate("loadCheckpoint", "load$", true, CodeBlock.of(
                        "Reads a checkpoint written by {@link #saveCheckpoint}: the parameters and buffers, the optimizer\n"
                                + "state, the step count, the seed (which replaces this instance's) and the learning rate. Nothing\n"
                                + "changes unless all of it is read. The finiteness check's state ({@link #lastStepSkipped},\n"
                                + "{@link #skippedSteps}) is not part of it.\n\n"
                                + "@throws IOException if the file cannot be read, is not a checkpoint of this model's optimizer ($L),\n"
                                + "        or lacks a tensor\n",
                        kind)));
    }

    private static MethodSpec delegate(String name, String impl, boolean checkpoint, CodeBlock doc) {
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).addJavadoc(doc)
                .addParameter(Path.class, "file").addException(IOException.class)
                .addStatement("$N(file, $L)", impl, checkpoint).build();
    }

    /** The metadata of a checkpoint, which holds the step count and the seed: made when saving. */
    static CodeBlock metadata() {
        return CodeBlock.of("checkpointMetadata$$()");
    }

    private static MethodSpec metadata(String kind) {
        return MethodSpec.methodBuilder("checkpointMetadata$").addModifiers(Modifier.PRIVATE).returns(String.class)
                .addJavadoc("The metadata of a checkpoint of this instance, as members of the header's {@code __metadata__}.\n")
                // Double.toString gives the shortest text that parses back to the same double
                .addStatement("return $S + this.seed + $S + this.step + $S + Double.toString(this.$N) + '\"'",
                        ",\"nnc.checkpoint\":\"" + kind + "\",\"nnc.seed\":\"", "\",\"nnc.step\":\"", "\",\"nnc.learning_rate\":\"",
                        ParamCode.LEARNING_RATE)
                .build();
    }

    /**
     * In {@code load$}: with {@code checkpoint$}, checks that the file is a checkpoint of this
     * optimizer and reads the step count, the seed and the learning rate into {@code step$},
     * {@code seed$} and {@code rate$}.
     */
    static CodeBlock readMetadata(ClassContext cx) {
        String kind = cx.model.optimizer().kind();
        return CodeBlock.builder()
                .addStatement("long step$$ = this.step, seed$$ = this.seed")
                .addStatement("double rate$$ = this.$N", ParamCode.LEARNING_RATE)
                .beginControlFlow("if (checkpoint$$)")
                .addStatement("String kind$$ = meta$$.get($S)", "nnc.checkpoint")
                .beginControlFlow("if (kind$$ == null)")
                .addStatement("throw fail(file, $S)", "not a checkpoint (no 'nnc.checkpoint' metadata): saveCheckpoint writes them;"
                        + " loadParameters reads the parameters alone")
                .endControlFlow()
                .beginControlFlow("if (!kind$$.equals($S))", kind)
                .addStatement("throw fail(file, \"a checkpoint of the optimizer \" + kind$$ + $S)", ", but " + cx.model.name()
                        + " trains with " + kind)
                .endControlFlow()
                .addStatement("step$$ = metaLong(file, meta$$, $S)", "nnc.step")
                .addStatement("seed$$ = metaLong(file, meta$$, $S)", "nnc.seed")
                .beginControlFlow("if (step$$ < 0)")
                .addStatement("throw fail(file, \"a negative step count, \" + step$$)")
                .endControlFlow()
                .addStatement("String rateText$$ = meta$$.get($S)", "nnc.learning_rate")
                .beginControlFlow("if (rateText$$ == null)")
                .addStatement("throw fail(file, $S)", "no 'nnc.learning_rate' metadata")
                .endControlFlow()
                .beginControlFlow("try")
                .addStatement("rate$$ = Double.parseDouble(rateText$$)")
                .nextControlFlow("catch ($T e)", NumberFormatException.class)
                .addStatement("rate$$ = Double.NaN")
                .endControlFlow()
                .beginControlFlow("if (!(rate$$ >= 0) || Double.isInfinite(rate$$))")
                .addStatement("throw fail(file, \"metadata 'nnc.learning_rate' is \" + rateText$$ + \", not a finite rate of at least 0\")")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** In {@code load$}, once everything is read: the step count, the seed and the learning rate. */
    static CodeBlock restore() {
        return CodeBlock.builder().addStatement("this.step = step$$").addStatement("this.seed = seed$$")
                .addStatement("this.$N = rate$$", ParamCode.LEARNING_RATE).build();
    }

    private static MethodSpec metaLong() {
        return MethodSpec.methodBuilder("metaLong").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(TypeName.LONG)
                .addParameter(Path.class, "file")
                .addParameter(ParameterizedTypeName.get(Map.class, String.class, String.class), "meta")
                .addParameter(String.class, "key").addException(IOException.class)
                .addStatement("String v = meta.get(key)")
                .beginControlFlow("if (v == null)")
                .addStatement("throw fail(file, \"no '\" + key + \"' metadata\")")
                .endControlFlow()
                .beginControlFlow("try")
                .addStatement("return Long.parseLong(v)")
                .nextControlFlow("catch ($T e)", NumberFormatException.class)
                .addStatement("throw fail(file, \"metadata '\" + key + \"' is \" + v + \", not an integer\")")
                .endControlFlow()
                .build();
    }
}
