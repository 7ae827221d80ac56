package dev.nnc.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Structure-aware fuzzing of the {@code .nn} compiler: the fuzzer's bytes choose how
 * {@link ModelAssembler} puts a file together from the language's pieces, so far more inputs
 * than with raw text get past the parser into the checker, the passes and code generation. The
 * same checks as {@link NnSourceFuzzTest} apply ({@link FuzzTargets#nnSource}).
 *
 * <p>A failure names the source it was built from. Keep that text as a finding of
 * {@link NnSourceFuzzTest} too: it stays meaningful when the assembler changes, and the bytes
 * do not. {@code -Dnnc.fuzz.print=true} prints the source of every input replayed.
 */
class NnModelFuzzTest {
    private static final boolean PRINT = Boolean.getBoolean("nnc.fuzz.print");

    @FuzzTest(maxDuration = FuzzSettings.VERIFY_DURATION)
    void model(FuzzedDataProvider data) {
        String source = ModelAssembler.assemble(data);
        if (PRINT) System.out.println("---- assembled source\n" + source);
        try {
            FuzzSettings.bounded(() -> FuzzTargets.nnSource(source));
        } catch (Throwable t) {
            throw new AssertionError("fails on this source:\n" + source, t);
        }
    }
}
