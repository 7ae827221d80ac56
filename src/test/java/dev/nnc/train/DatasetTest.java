package dev.nnc.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.data.Csv;
import dev.nnc.data.DataException;
import dev.nnc.data.Preprocessing;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Target columns as the model takes them: real values and class labels, and their scaling. */
class DatasetTest {
    private static final Preprocessing NA = new Preprocessing(List.of(), Preprocessing.DEFAULT_NA, true);

    private static List<Object> targets(String csv, boolean isInt, int classes) {
        Csv.Table t = Csv.parse("t.csv", csv);
        ClassLabels labels = isInt ? ClassLabels.fit(t, 0, NA, classes) : null;
        return Dataset.readTargets(t, List.<int[]>of(new int[] {0}), java.util.Collections.singletonList(labels), List.of(classes), false, NA);
    }

    @Test
    void aRealTargetBeyondTheRangeOfADoubleIsAnError() {
        // fuzzing finding (TrainingDataFuzzTest): "31e3083" was read as Infinity and trained on
        String m = assertThrows(DataException.class, () -> targets("y\n1\n31e3083\n", false, 0)).getMessage();
        assertEquals("t.csv, row 2 (line 3), column 'y' (1): \"31e3083\" is out of range; numbers must be within ±1.7976931348623157E308", m);
        assertArrayEquals(new double[] {1, 1.7e308}, (double[]) targets("y\n1\n1.7e308\n", false, 0).get(0));
    }

    @Test
    void classLabelsAreAsciiDecimalIntegers() {
        assertArrayEquals(new int[] {0, 2, 1, 1}, (int[]) targets("l\n0\n2\n1.0\n+1\n", true, 3).get(0));
        String m = assertThrows(DataException.class, () -> targets("l\n0\n3\n", true, 3)).getMessage();
        assertEquals("t.csv, row 2 (line 3), column 'l' (1): class label 3 is outside 0..2 (the model has 3 classes)", m);
        // Integer.parseInt alone took other digits: "३" (Devanagari three) was label 3; now it is a text label, class 0
        Csv.Table t = Csv.parse("t.csv", "l\n\u0969\n");
        assertEquals(List.of("\u0969"), ClassLabels.fit(t, 0, NA, 4).names());
        assertArrayEquals(new int[] {0}, (int[]) targets("l\n\u0969\n", true, 4).get(0));
        // beyond the range of an int, or of a double: texts too
        assertEquals(List.of("1", "1e400"), ClassLabels.fit(Csv.parse("t.csv", "l\n1\n1e400\n"), 0, NA, 0).names());
        assertEquals(List.of("2147483648"), ClassLabels.fit(Csv.parse("t.csv", "l\n2147483648\n"), 0, NA, 0).names());
    }

    @Test
    void textClassLabelsAreNumberedInSortedOrder() {
        Csv.Table t = Csv.parse("t.csv", "l\nred\ngreen\nred\nblue\n");
        ClassLabels labels = ClassLabels.fit(t, 0, NA, 3);
        assertEquals(List.of("blue", "green", "red"), labels.names());
        assertArrayEquals(new int[] {2, 1, 2, 0}, (int[]) targets("l\nred\ngreen\nred\nblue\n", true, 3).get(0));
        assertEquals("green", labels.name(1));
        String m = assertThrows(DataException.class, () -> ClassLabels.fit(t, 0, NA, 2)).getMessage();
        assertEquals("t.csv, column 'l': 3 distinct class labels (blue, green, red), but the model has 2 classes;"
                + " give the output 3 columns", m);
        m = assertThrows(DataException.class, () -> labels.id(Csv.parse("u.csv", "l\npurple\n"), 0, 0, 3, NA)).getMessage();
        assertEquals("u.csv, row 1 (line 2), column 'l' (1): \"purple\" is not one of the classes the model was trained on"
                + " (blue, green, red)", m);
        m = assertThrows(DataException.class, () -> labels.id(Csv.parse("u.csv", "l\nNA\n"), 0, 0, 3, NA)).getMessage();
        assertEquals("u.csv, row 1 (line 2), column 'l' (1): the class label is missing; every labelled row needs one", m);
    }

    @Test
    void hugeTargetsScaleToFiniteValuesAndF32OverflowIsAnError() {
        double[] raw = {1e308, -1.7e308, 1.5e308};
        TargetScale s = TargetScale.fit(raw, 1, false, true);
        for (double v : raw) assertTrue(Double.isFinite(s.toModel(v, 0)), s::toString);
        Dataset d = new Dataset(3, 0, new float[0], List.of(raw));
        for (Object o : Trainer.modelTargets(d, List.of(s), true)) {
            for (float v : (float[]) o) assertTrue(Float.isFinite(v));
        }
        // unstandardized, 1e39 does not fit in an f32 model's targets
        Dataset big = new Dataset(2, 0, new float[0], List.of(new double[] {1, 1e39}));
        String m = assertThrows(DataException.class,
                () -> Trainer.modelTargets(big, List.of(TargetScale.fit(new double[] {1, 1e39}, 1, false, false)), true)).getMessage();
        assertEquals("target value 1.0E39 is beyond the range of f32 (±3.4028235E38), the model's element type;"
                + " standardize the targets (--standardize-target) or train in f64 (--precision f64)", m);
        assertEquals(1e39, ((double[]) Trainer.modelTargets(big, List.of(TargetScale.fit(new double[] {1, 1e39}, 1, false, false)),
                false).get(0))[1]);
    }
}
