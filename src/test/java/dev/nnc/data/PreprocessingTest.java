package dev.nnc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.io.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** d2l's tabular preprocessing: standardization, missing numbers, one-hot with a missing-value indicator. */
class PreprocessingTest {
    static Csv.Table csv(String name, String text) {
        return Csv.parse(name, text);
    }

    static Preprocessing fit(List<String> cols, Csv.Table... t) {
        return Preprocessing.fit(cols, List.of(t), Preprocessing.Options.defaults());
    }

    @Test
    void numericColumnsAreStandardizedWithTheSampleStdAndMissingBecomesZero() {
        Csv.Table t = csv("t.csv", "x,k\n1,5\n2,5\n3,5\nNA,5\n");
        Preprocessing p = fit(List.of("x", "k"), t);
        Preprocessing.Column x = p.columns().get(0);
        assertEquals(Preprocessing.Kind.NUMERIC, x.kind());
        assertEquals(2.0, x.mean());
        assertEquals(1.0, x.std(), 1e-12); // sample std of 1, 2, 3
        float[] f = p.transform(t);
        // x: -1, 0, 1, missing -> 0; k is constant -> 0
        assertArrayEquals(new float[] {-1, 0, 0, 0, 1, 0, 0, 0}, f);
    }

    @Test
    void categoriesAreSortedOneHotWithAMissingValueIndicatorAndNoneIsACategory() {
        Csv.Table t = csv("t.csv", "n,zone\n1,RL\n2,None\n3,\n4,C\n5,RL\n");
        Preprocessing p = fit(List.of("zone", "n"), t);
        // pandas order: numeric first, then the one-hot block; categories C, None, RL + NA
        assertEquals(1 + 4, p.width());
        assertEquals(List.of("C", "None", "RL"), p.columns().get(1).categories());
        assertEquals("1 numeric column + 1 categorical column (3 categories + 1 missing-value indicator) = 5 features", p.explain());
        float[] f = p.transform(t);
        float[][] rows = new float[5][];
        for (int r = 0; r < 5; r++) rows[r] = java.util.Arrays.copyOfRange(f, r * 5 + 1, r * 5 + 5);
        assertArrayEquals(new float[] {0, 0, 1, 0}, rows[0]);
        assertArrayEquals(new float[] {0, 1, 0, 0}, rows[1]);
        assertArrayEquals(new float[] {0, 0, 0, 1}, rows[2]);
        assertArrayEquals(new float[] {1, 0, 0, 0}, rows[3]);
        // a category never seen in fitting encodes as zeros
        float[] g = p.transform(csv("new.csv", "n,zone\n3,FV\n"));
        assertArrayEquals(new float[] {0, 0, 0, 0, 0}, g);
    }

    @Test
    void statisticsCanIncludeMoreRowsAsD2lDoesWithTheTestSet() {
        Csv.Table train = csv("train.csv", "x,c\n0,a\n2,a\n");
        Csv.Table test = csv("test.csv", "x,c\n4,b\n");
        Preprocessing p = fit(List.of("x", "c"), train, test);
        assertEquals(2.0, p.columns().get(0).mean());
        assertEquals(List.of("a", "b"), p.columns().get(1).categories());
        assertEquals(4, p.width());
    }

    @Test
    void aStrayTextInAMostlyNumericColumnIsAnErrorWithFileRowAndColumn() {
        StringBuilder sb = new StringBuilder("id,area\n");
        for (int i = 1; i <= 30; i++) sb.append(i).append(',').append(i == 17 ? "12O" : String.valueOf(100 + i)).append('\n');
        Csv.Table t = csv("houses.csv", sb.toString());
        String m = assertThrows(DataException.class, () -> fit(List.of("area"), t)).getMessage();
        assertTrue(m.startsWith("houses.csv, row 17 (line 18), column 'area' (2): \"12O\" is not a number, but the column looks numeric: 29 of its 30 values are numbers."), m);
        assertTrue(m.contains("--categorical area"), m);
        // asked to, it becomes a categorical column
        Preprocessing p = Preprocessing.fit(List.of("area"), List.of(t),
                new Preprocessing.Options(Preprocessing.DEFAULT_NA, true, true, Set.of(), Set.of("area")));
        assertEquals(Preprocessing.Kind.CATEGORICAL, p.columns().get(0).kind());
        assertEquals(31, p.width());
    }

    @Test
    void numericOverrideRejectsAnyText() {
        Csv.Table t = csv("t.csv", "x\n1\nabc\n");
        String m = assertThrows(DataException.class, () -> Preprocessing.fit(List.of("x"), List.of(t),
                new Preprocessing.Options(Preprocessing.DEFAULT_NA, true, true, Set.of("x"), Set.of()))).getMessage();
        assertTrue(m.startsWith("t.csv, row 2 (line 3), column 'x' (1): \"abc\" is not a number, but the column is numeric (--numeric x)"), m);
    }

    @Test
    void newDataWithTextInANumericColumnIsAnErrorWithFileRowAndColumn() {
        Preprocessing p = fit(List.of("x"), csv("train.csv", "x\n1\n2\n"));
        String m = assertThrows(DataException.class, () -> p.transform(csv("test.csv", "id,x\n7,3\n8,three\n"))).getMessage();
        assertTrue(m.startsWith("test.csv, row 2 (line 3), column 'x' (2): \"three\" is not a number, but the column is numeric"), m);
        String m2 = assertThrows(DataException.class, () -> p.transform(csv("test.csv", "id,y\n7,3\n"))).getMessage();
        assertTrue(m2.startsWith("test.csv: no column named 'x' (a feature the model was trained with)"), m2);
    }

    @Test
    void numbersAsPandasReadsThem() {
        for (String s : List.of("1", "-2", "+3.5", ".5", "5.", "1e5", "2.5E-3", " 7 ")) assertTrue(Preprocessing.isNumber(s), s);
        for (String s : List.of("", "-", ".", "e5", "1e", "0x10", "1,000", "NaN", "Infinity", "1d", "12O")) {
            assertTrue(!Preprocessing.isNumber(s), s);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void survivesTheJsonRoundTripOfTheSavedMetadata() throws Json.SyntaxException {
        Csv.Table t = csv("t.csv", "x,c\n1.5,\"a,\"\"b\"\"\"\n2.25,NA\n");
        Preprocessing p = fit(List.of("x", "c"), t);
        Preprocessing q = Preprocessing.fromJson((Map<String, Object>) Json.parse(Json.write(p.toJson())));
        assertEquals(p.columns(), q.columns());
        assertArrayEquals(p.transform(t), q.transform(t));
    }

    @Test
    void aNumberBeyondTheRangeOfADoubleIsAnErrorNotInfinity() {
        // fuzzing finding: 1e400 is a decimal number, but parsed it is Infinity; the mean became
        // Infinity and every feature of the column NaN (and --save failed: JSON cannot hold it)
        Csv.Table t = csv("t.csv", "x\n1\n1e400\n");
        String m = assertThrows(DataException.class, () -> fit(List.of("x"), t)).getMessage();
        assertEquals("t.csv, row 2 (line 3), column 'x' (1): \"1e400\" is out of range; numbers must be within ±1.7976931348623157E308", m);
        // the same at prediction time, with statistics fitted elsewhere
        Preprocessing p = fit(List.of("x"), csv("train.csv", "x\n1\n2\n"));
        m = assertThrows(DataException.class, () -> p.transform(csv("new.csv", "x\n-1e400\n"))).getMessage();
        assertTrue(m.startsWith("new.csv, row 1 (line 2), column 'x' (1): \"-1e400\" is out of range"), m);
    }

    @Test
    void hugeNumbersStandardizeToFiniteFeatures() {
        // fuzzing finding: the sum of 1e308 and 1e308 overflowed, so the mean was Infinity and the features NaN
        Csv.Table t = csv("t.csv", "x\n1e308\n1.5e308\n-1.7e308\n1e308\n");
        Preprocessing p = fit(List.of("x"), t);
        assertTrue(Double.isFinite(p.columns().get(0).mean()) && Double.isFinite(p.columns().get(0).std()), p.columns()::toString);
        float[] f = p.transform(t);
        for (float v : f) assertTrue(Float.isFinite(v) && Math.abs(v) < 2, () -> java.util.Arrays.toString(f));
        // ordinary values give exactly what the plain formula gives
        double[] ms = Preprocessing.meanAndStd(new double[] {1, 2, 3, 4.5});
        assertEquals(2.625, ms[0]);
        assertEquals(Math.sqrt(((1 - 2.625) * (1 - 2.625) + (2 - 2.625) * (2 - 2.625) + (3 - 2.625) * (3 - 2.625)
                + (4.5 - 2.625) * (4.5 - 2.625)) / 3), ms[1]);
    }

    @Test
    void aFeatureBeyondTheRangeOfFloatIsAnError() {
        // fuzzing finding: without standardization, 1e39 became an infinite float feature
        Csv.Table t = csv("t.csv", "x\n1\n1e39\n");
        Preprocessing p = Preprocessing.fit(List.of("x"), List.of(t),
                new Preprocessing.Options(Preprocessing.DEFAULT_NA, false, true, Set.of(), Set.of()));
        String m = assertThrows(DataException.class, () -> p.transform(t)).getMessage();
        assertEquals("t.csv, row 2 (line 3), column 'x' (1): \"1e39\" is too large for a feature: it is beyond the range of the"
                + " 32-bit floats that hold the features (±3.4028235E38); scale the column down, or standardize it (without"
                + " --no-standardize)", m);
    }

    @Test
    void moreFeatureValuesThanAnArrayHoldsIsAnError() {
        // found reviewing the training data path: Math.multiplyExact threw an ArithmeticException
        // (70,000 rows of 40,000 features); the rows here are one row repeated, nothing is allocated
        String[] row = {"1"};
        List<String[]> rows = new java.util.AbstractList<>() {
            @Override
            public String[] get(int i) {
                return row;
            }

            @Override
            public int size() {
                return 70_000;
            }
        };
        Csv.Table t = new Csv.Table("big.csv", List.of("x"), rows, new int[70_000]);
        List<Preprocessing.Column> cols = java.util.Collections.nCopies(40_000,
                new Preprocessing.Column("x", Preprocessing.Kind.NUMERIC, 0, 1, null));
        Preprocessing p = new Preprocessing(cols, Preprocessing.DEFAULT_NA, true);
        String m = assertThrows(DataException.class, () -> p.transform(t)).getMessage();
        assertEquals("big.csv: 70000 rows of 40000 features are 2800000000 values, more than one array holds (2147483647);"
                + " use fewer rows, or fewer features (--features, --ignore, or columns with fewer categories)", m);
    }
}
