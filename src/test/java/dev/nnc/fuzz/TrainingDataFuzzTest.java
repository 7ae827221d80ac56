package dev.nnc.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the training data path of {@code nnc train} and {@code nnc predict}:
 * CSV bytes through column assignment, preprocessing (type inference, standardization, one-hot),
 * the target columns and the saved metadata, for four small models; tensors or a DataException
 * with a message, nothing else (see {@link FuzzTargets#trainingData}). The first two bytes of an
 * input choose the model and the options, the rest is the CSV file. Seeds in
 * {@code src/test/resources/dev/nnc/fuzz/TrainingDataFuzzTestInputs/bytes/}.
 */
class TrainingDataFuzzTest {
    // libFuzzer dictionary syntax: \" is a quote, \xAB a byte
    @FuzzTest(maxDuration = FuzzSettings.VERIFY_DURATION)
    @DictionaryEntries({
        "y", "z", "label", "id", "Id", "a", "b", "c", "NA", "None", "nan", "\\\"", ",", "\\x0d\\x0a", "1e308", "1e309", "-1e400",
        "1e-400", "2147483648", "-0", "0.5", "+1", " 1 ", "1e39", "3.4028236e38",
    })
    void bytes(byte[] input) {
        FuzzSettings.bounded(() -> FuzzTargets.trainingData(input));
    }
}
