package dev.nnc.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the CSV reader ({@code dev.nnc.data.Csv}) with raw file bytes: a
 * table or a DataException with a message, nothing else (see {@link FuzzTargets#csv}). Seeds:
 * short hand-made files and the first lines of the digits and iris data, in
 * {@code src/test/resources/dev/nnc/fuzz/CsvFuzzTestInputs/bytes/}.
 */
class CsvFuzzTest {
    @FuzzTest(maxDuration = FuzzSettings.VERIFY_DURATION)
    // libFuzzer dictionary syntax: \" is a quote, \xAB a byte
    @DictionaryEntries({"\\\"", "\\\"\\\"", ",", "\\x0d\\x0a", "\\x0d", "\\x0a", "\\xef\\xbb\\xbf", "\\\"a,b\\\"",
        "\\\"\\x0a\\\"", "NA"})
    void bytes(byte[] input) {
        FuzzSettings.bounded(() -> FuzzTargets.csv(input));
    }
}
