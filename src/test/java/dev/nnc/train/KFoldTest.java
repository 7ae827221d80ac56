package dev.nnc.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** d2l's get_k_fold_data: contiguous folds of n / k rows; the remainder belongs to no fold. */
class KFoldTest {
    static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    @Test
    void contiguousFoldsAndTheRestInOrder() {
        int[][] s = TrainJob.kfoldSplit(10, 5, 0);
        assertArrayEquals(range(0, 2), s[1]);
        assertArrayEquals(range(2, 10), s[0]);
        s = TrainJob.kfoldSplit(10, 5, 2);
        assertArrayEquals(new int[] {4, 5}, s[1]);
        assertArrayEquals(new int[] {0, 1, 2, 3, 6, 7, 8, 9}, s[0]);
        s = TrainJob.kfoldSplit(10, 5, 4);
        assertArrayEquals(new int[] {8, 9}, s[1]);
    }

    @Test
    void theRemainderRowsAreInNoFold() {
        // 11 rows, 3 folds: folds of 3 rows; rows 9 and 10 are never used (as in d2l)
        assertArrayEquals(range(0, 3), TrainJob.kfoldSplit(11, 3, 0)[1]);
        assertArrayEquals(range(3, 9), TrainJob.kfoldSplit(11, 3, 0)[0]);
        assertArrayEquals(range(6, 9), TrainJob.kfoldSplit(11, 3, 2)[1]);
        assertArrayEquals(range(0, 6), TrainJob.kfoldSplit(11, 3, 2)[0]);
    }

    @Test
    void housePricesFolds() {
        for (int i = 0; i < 5; i++) {
            int[][] s = TrainJob.kfoldSplit(1460, 5, i);
            assertEquals(292, s[1].length);
            assertEquals(1168, s[0].length);
            assertEquals(292 * i, s[1][0]);
            assertEquals(292 * i + 291, s[1][291]);
        }
    }
}
