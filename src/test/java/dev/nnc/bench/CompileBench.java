package dev.nnc.bench;

import dev.nnc.Compiler;
import dev.nnc.codegen.InMemoryJavac;
import dev.nnc.codegen.JavaEmitter;
import dev.nnc.passes.Compiled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Compile time, warm: .nn text → Java source (parse, check, differentiate, optimize, emit), and
 * on through in-memory javac, for the examples and for synthetic deep models ({@code deepN}: a
 * chain of N tanh layers; see {@link #deepModel}) to show how compile time grows with graph size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xss64m")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CompileBench {
    @Param({"house_prices", "mnist_mlp", "gradient_penalty", "deep200", "deep2000"})
    String model;

    String source;

    /** A chain of {@code layers} layers {@code h = tanh(h @ wI + bI)} with an MSE loss and SGD. */
    public static String deepModel(int layers) {
        StringBuilder sb = new StringBuilder("model Deep {\n    dim batch\n    input x : [batch, 8]\n    input y : [batch, 8]\n");
        for (int i = 0; i < layers; i++) sb.append("    param w").append(i).append(" : [8, 8] init xavier_uniform\n    param b").append(i).append(" : [8]\n");
        sb.append("    h = x\n");
        for (int i = 0; i < layers; i++) sb.append("    h = tanh(h @ w").append(i).append(" + b").append(i).append(")\n");
        sb.append("    output out = h\n    loss = mse(h, y)\n    optimizer sgd(lr = 0.01)\n}\n");
        return sb.toString();
    }

    @Setup
    public void setup() throws Exception {
        source = model.startsWith("deep") ? deepModel(Integer.parseInt(model.substring(4)))
                : Files.readString(Path.of("generated-examples", model + ".nn"));
    }

    private JavaEmitter.Output emit() {
        Compiler.Result r = Compiler.compile(model + ".nn", source);
        if (!r.ok()) throw new IllegalStateException(r.render());
        Compiled c = r.compiled().get(0);
        return JavaEmitter.emit(c, new JavaEmitter.Options(null, true, model + ".nn", source));
    }

    /** .nn text to Java source. */
    @Benchmark
    public String toJavaSource() {
        return emit().source();
    }

    /** .nn text to loaded bytecode, through javac in memory. */
    @Benchmark
    public Object toBytecode() {
        JavaEmitter.Output o = emit();
        return InMemoryJavac.compile(o.qualifiedName(), o.source()).bytecode();
    }
}
