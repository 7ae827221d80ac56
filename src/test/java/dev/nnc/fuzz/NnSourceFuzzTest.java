package dev.nnc.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the whole {@code .nn} front end with raw bytes (decoded as UTF-8,
 * as {@code Compiler.compile(Path)} does): lexer, parser, checker, passes, and for inputs that
 * check, code generation and javac (see {@link FuzzTargets#nnSource}). Seeds: the examples,
 * the conformance models and the diagnostics cases, in
 * {@code src/test/resources/dev/nnc/fuzz/NnSourceFuzzTestInputs/source/}; findings are kept
 * there too. {@code mvn verify} replays them and fuzzes briefly; {@code bench/fuzz} fuzzes for
 * longer (docs/fuzzing.md).
 */
class NnSourceFuzzTest {
    @FuzzTest(maxDuration = FuzzSettings.VERIFY_DURATION)
    @DictionaryEntries({
        "model", "package", "fn", "dim", "const", "input", "param", "init", "output", "optimizer", "precision",
        "int", "true", "false", "loss", ".T", "f32", "f64", "sgd", "adam", "lr", "momentum", "nesterov",
        "weight_decay", "beta1", "beta2", "eps", "zeros", "ones", "uniform", "normal", "xavier_uniform",
        "xavier_normal", "he_uniform", "he_normal", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh",
        "sigmoid", "relu", "softplus", "square", "gelu", "leaky_relu", "slope", "elu", "alpha", "maximum",
        "minimum", "clamp", "sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax", "axis",
        "keepdims", "reshape", "shape", "transpose", "concat", "one_hot", "mse", "cross_entropy",
        "bce_with_logits", "huber", "delta", "dropout", "stop_gradient", "grad", "batch", "pi",
        "1e300", "2147483648", "65536", "100000", "-1", "0.5", "/*", "*/", "//",
    })
    void source(byte[] input) {
        FuzzSettings.bounded(() -> FuzzTargets.nnSource(new String(input, StandardCharsets.UTF_8)));
    }
}
