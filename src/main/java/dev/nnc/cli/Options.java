package dev.nnc.cli;

import dev.nnc.Compiler;
import dev.nnc.ir.Model;
import dev.nnc.passes.Compiled;
import dev.nnc.train.Progress;
import picocli.CommandLine.Option;

/** The options several commands share, as picocli mixins: one definition and one help text each. */
final class Options {
    private Options() {}

    /** {@code --model NAME} (eval, graph, train, predict). */
    static final class ModelName {
        @Option(names = "--model", paramLabel = "NAME", description = "the model to use, when the file has several")
        String name;

        /** The model of {@code r} to work on ({@link Compiler.Result#select}); a {@link UserError} if none fits. */
        Compiled select(Compiler.Result r) {
            try {
                return r.select(name, null);
            } catch (Compiler.NoSuchModelException e) {
                throw new UserError(e.getMessage());
            }
        }
    }

    /**
     * {@code --precision f32|f64} (compile, train, predict), absent meaning the model's own.
     * {@code nnc eval} has its own option: the eval contract computes in f64 unless told otherwise.
     */
    static final class Precision {
        enum Value { f32, f64 }

        @Option(names = "--precision", paramLabel = "f32|f64",
                description = "the element type of the generated code (default: the model's precision statement, else f32)")
        Value value;

        /** True for f32, false for f64, null for the model's own. */
        Boolean f32() {
            return value == null ? null : value == Value.f32;
        }

        /** The precision chosen, or null for the model's own. */
        Model.Precision precision() {
            return value == null ? null : value == Value.f32 ? Model.Precision.F32 : Model.Precision.F64;
        }
    }

    /** {@code --seed N} (eval, train, demo). */
    static final class Seed {
        @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
                description = "the seed of every random choice: initialization, dropout, shuffling, held-out rows (default: ${DEFAULT-VALUE})")
        long seed;
    }

    /** {@code --progress auto|bar|lines|none} (train, demo). */
    static final class ProgressDisplay {
        @Option(names = "--progress", paramLabel = "auto|bar|lines|none", defaultValue = "auto",
                description = "progress display: a bar on a terminal, a line per epoch otherwise (default: ${DEFAULT-VALUE})")
        String progress;

        /** auto: a bar when the console is a terminal, else a line per epoch. */
        Progress.Mode mode() {
            switch (progress) {
                case "bar": return Progress.Mode.BAR;
                case "lines": return Progress.Mode.LINES;
                case "none": return Progress.Mode.NONE;
                case "auto": return System.console() != null ? Progress.Mode.BAR : Progress.Mode.LINES;
                default: throw new UserError("--progress must be auto, bar, lines or none, not '" + progress + "'");
            }
        }
    }
}
