package dev.nnc.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the training metadata that {@code nnc predict} reads from a
 * parameters file ({@code dev.nnc.train.SavedMetadata}), as raw text bytes: the metadata or a
 * DataException naming the file, nothing else (see {@link FuzzTargets#savedMetadata}). Seeds:
 * what {@code nnc train --save} writes and hand-broken variants (made by {@code bench/fuzz seeds}),
 * in {@code src/test/resources/dev/nnc/fuzz/SavedMetadataFuzzTestInputs/bytes/}.
 */
class SavedMetadataFuzzTest {
    @FuzzTest(maxDuration = FuzzSettings.VERIFY_DURATION)
    // libFuzzer dictionary syntax: \" is a quote, \xAB a byte
    @DictionaryEntries({"\\\"preprocessing\\\"", "\\\"na_values\\\"", "\\\"na_indicator\\\"", "\\\"columns\\\"", "\\\"name\\\"",
        "\\\"kind\\\"", "\\\"numeric\\\"", "\\\"categorical\\\"", "\\\"categories\\\"", "\\\"mean\\\"", "\\\"std\\\"",
        "\\\"targets\\\"", "\\\"scale\\\"", "\\\"log\\\"", "\\\"class\\\"", "\\\"model\\\"", "\\\"output\\\"", "\\\"id\\\"",
        "[[[[[[[[", "1e309", "-0", "null", "true", "\\\\u0000"})
    void bytes(byte[] input) {
        FuzzSettings.bounded(() -> FuzzTargets.savedMetadata(input));
    }
}
