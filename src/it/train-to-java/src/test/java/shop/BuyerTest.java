package shop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hand-over from nnc train to Java, as the README shows it: the parameters that nnc train
 * saved, the encoder nnc:generate made from them, raw rows of a CSV file in, class names out;
 * the predictions equal those nnc predict wrote (prebuild.groovy).
 */
class BuyerTest {
    static final Path PARAMS = Path.of("model/buyer.safetensors");

    /** The rows of a CSV file without quoted fields: the header, then the fields of each row. */
    static List<String[]> read(Path csv) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) rows.add(line.split(",", -1));
        return rows;
    }

    @Test
    void rawRowsPredictAsNncPredictDoes() throws IOException {
        List<String[]> rows = read(Path.of("data/test.csv"));
        List<String> header = List.of(rows.get(0));
        List<String[]> data = rows.subList(1, rows.size());
        int n = data.size();

        // every row encoded into one array, row r at r * FEATURES
        float[] x = new float[n * BuyerEncoder.FEATURES];
        int[] positions = BuyerEncoder.positions(header);
        for (int r = 0; r < n; r++) BuyerEncoder.encode(data.get(r), positions, x, r * BuyerEncoder.FEATURES);

        Buyer model = new Buyer();
        model.loadParameters(PARAMS);
        // batches of 32 cut from the arrays in place: offsets instead of copies, named arguments
        float[] probs = new float[n * BuyerEncoder.OUTPUTS];
        Buyer.Args batch = new Buyer.Args();
        for (int start = 0; start < n; start += 32) {
            int b = Math.min(32, n - start);
            model.infer(batch.batch(b).x(x, start * BuyerEncoder.FEATURES).probs(probs, start * BuyerEncoder.OUTPUTS));
        }
        List<String> predictions = new ArrayList<>(List.of("id,bought"));
        for (int r = 0; r < n; r++) predictions.add(data.get(r)[0] + "," + BuyerEncoder.label(probs, r * BuyerEncoder.OUTPUTS));
        assertEquals(Files.readAllLines(Path.of("model/predictions.csv"), StandardCharsets.UTF_8), predictions);

        // the same batch all at once, with exact arrays
        float[] all = new float[n * BuyerEncoder.OUTPUTS];
        model.infer(n, x, all);
        assertArrayEquals(all, probs);
    }

    @Test
    void aRowByColumnNameEncodesAsInFileOrder() {
        float[] byName = new float[BuyerEncoder.FEATURES], byOrder = new float[BuyerEncoder.FEATURES];
        Map<String, String> row = new HashMap<>(Map.of("age", "41", "income", "NA", "city", "Paris", "bought", "ignored"));
        BuyerEncoder.encode(row, byName, 0);
        BuyerEncoder.encode(new String[] {"41", "NA", "Paris"}, byOrder, 0);
        assertArrayEquals(byOrder, byName);
        assertEquals(List.of("age", "income", "city"), BuyerEncoder.COLUMNS);
        assertEquals(0f, byName[1], "a missing number is the mean");
        row.remove("city");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BuyerEncoder.encode(row, byName, 0));
        assertTrue(e.getMessage().startsWith("row: no value for column 'city'"), e.getMessage());
    }

    @Test
    void checkpointsResumeTrainingExactly() throws IOException {
        List<String[]> rows = read(Path.of("data/test.csv"));
        int n = rows.size() - 1;
        float[] x = new float[n * BuyerEncoder.FEATURES];
        int[] bought = new int[n];
        int[] positions = BuyerEncoder.positions(List.of(rows.get(0)));
        for (int r = 0; r < n; r++) {
            BuyerEncoder.encode(rows.get(r + 1), positions, x, r * BuyerEncoder.FEATURES);
            bought[r] = BuyerEncoder.CLASSES.indexOf(rows.get(r + 1)[4]);
        }
        Buyer straight = new Buyer(), resumed = new Buyer();
        straight.loadParameters(PARAMS);
        resumed.loadParameters(PARAMS);
        Buyer.Args a = new Buyer.Args().batch(50);
        for (int step = 0; step < 3; step++) {
            straight.trainStep(a.x(x, step * 50 * BuyerEncoder.FEATURES).bought(bought, step * 50));
            resumed.trainStep(a);
        }
        Path ckpt = Files.createTempFile("buyer", ".safetensors");
        resumed.saveCheckpoint(ckpt);
        resumed = new Buyer(99);
        resumed.loadCheckpoint(ckpt);
        for (int step = 0; step < 3; step++) {
            a.x(x, step * 50 * BuyerEncoder.FEATURES).bought(bought, step * 50);
            assertEquals(straight.trainStep(a), resumed.trainStep(a));
        }
        for (String p : Buyer.PARAMETER_NAMES) assertTrue(Arrays.equals(straight.parameter(p), resumed.parameter(p)), p);
        Files.delete(ckpt);
    }
}
