package dev.nnc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@link Size#compareTo}: a total order on the terms, consistent with equals. */
class SizeTest {
    /** Sizes of every kind: zero, constants, monomials of degree 1 and 2, polynomials, negative coefficients. */
    static List<Size> samples() {
        Random r = new Random(3);
        List<String> dims = List.of("a", "b", "batch");
        List<Size> out = new ArrayList<>(List.of(Size.ZERO, Size.ONE, Size.constant(-1), Size.constant(10), Size.constant(9)));
        for (int i = 0; i < 300; i++) {
            Size s = Size.ZERO;
            int terms = r.nextInt(4);
            for (int t = 0; t < terms; t++) {
                List<String> m = new ArrayList<>();
                for (int d = r.nextInt(3); d > 0; d--) m.add(dims.get(r.nextInt(dims.size())));
                s = s.plus(Size.monomial(r.nextInt(7) - 3, m));
            }
            out.add(s);
        }
        return out;
    }

    @Test
    void theOrderIsTotalAndConsistentWithEquals() {
        List<Size> all = samples();
        for (Size x : all) {
            for (Size y : all) {
                int c = x.compareTo(y);
                assertEquals(x.equals(y), c == 0, () -> x + " against " + y);
                assertEquals(Integer.signum(c), -Integer.signum(y.compareTo(x)), () -> x + " against " + y);
            }
        }
        // transitive: in sorted order every earlier size is below every later one
        List<Size> sorted = new ArrayList<>(new TreeSet<>(all));
        assertTrue(sorted.size() > 100, "the samples are diverse");
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                Size x = sorted.get(i), y = sorted.get(j);
                assertTrue(x.compareTo(y) < 0, () -> x + " before " + y);
            }
        }
    }

    @Test
    void termsCompareHighestDegreeFirstThenByDimsThenByCoefficient() {
        Size batch = Size.dim("batch"), a = Size.dim("a");
        List<Size> want = List.of(
                Size.ZERO,                                      // no terms: before any
                batch.times(batch),                             // degree 2 first
                a.times(3),                                     // then dims by name: a before batch
                a.times(3).plus(Size.constant(1)),              // a longer polynomial after its first terms
                batch.times(-2),                                // coefficients in numeric order
                batch,
                batch.times(2),
                Size.constant(-5),                              // constants (degree 0) last
                Size.constant(9),
                Size.constant(10));                             // numerically, not as text ("10" < "9")
        List<Size> shuffled = new ArrayList<>(want);
        java.util.Collections.shuffle(shuffled, new Random(1));
        shuffled.sort(null);
        assertEquals(want, shuffled);
    }
}
