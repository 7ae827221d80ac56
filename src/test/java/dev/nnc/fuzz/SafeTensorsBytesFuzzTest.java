package dev.nnc.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the safetensors reader with raw file bytes: a TensorFile or a
 * SafeTensorsException, nothing else (see {@link FuzzTargets#safetensors}). Seeds: small
 * conformance files, in {@code src/test/resources/dev/nnc/fuzz/SafeTensorsBytesFuzzTestInputs/bytes/}.
 */
class SafeTensorsBytesFuzzTest {
    @FuzzTest(maxDuration = FuzzSettings.VERIFY_DURATION)
    @DictionaryEntries({
        "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F64\"", "\"I32\"",
        "\"I64\"", "\"BF16\"", "\\u0000", "\\ud800", "18446744073709551615", "9223372036854775807",
        "2147483648", "1e400", "null", "true",
    })
    void bytes(byte[] input) {
        FuzzSettings.bounded(() -> FuzzTargets.safetensors(input));
    }
}
