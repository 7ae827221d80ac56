package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code nnc check --verbose}: the statistics of {@code nnc graph} as text. */
class CheckVerboseTest {
    @Test
    void housePricesAtBatch64() {
        Cli.Run r = Cli.run("check", "--verbose", "--dim", "batch=64", "generated-examples/house_prices.nn");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("generated-examples/house_prices.nn: model HousePrices\n"), out);
        assertTrue(out.contains("    parsed     forward 10, backward 16"), out);
        assertTrue(out.contains("    infer         FLOPs 170,497·batch = 10,911,808\n"), out);
        assertTrue(out.contains("    trainStep     FLOPs 342,279·batch + 2 + 511,494 for the sgd update = 22,417,352\n"), out);
        assertTrue(out.contains("    trainingPass  FLOPs 511,752·batch + 2 = 32,752,130\n"), out);
        assertTrue(out.contains("  parameters: 85,249 (340,996 bytes as f32)\n"), out);
        assertTrue(out.contains("  work buffers after memory planning at batch=64: 7, "), out);
    }

    @Test
    void plainCheckIsUnchanged() {
        Cli.Run r = Cli.run("check", "generated-examples/house_prices.nn");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("FLOPs"), r.out());
    }

    @Test
    void dimsMustExistAndNeedVerbose() {
        Cli.Run r = Cli.run("check", "--verbose", "--dim", "seq=2", "generated-examples/house_prices.nn");
        assertEquals(Main.USER_ERROR, r.code());
        assertEquals("nnc: --dim seq: no model declares a dim named seq\n", r.err());
        r = Cli.run("check", "--dim", "batch=2", "generated-examples/house_prices.nn");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--dim needs --verbose"), r.err());
    }

    @Test
    void modelWithoutDimsOrLoss() {
        Cli.Run r = Cli.run("check", "-v", "generated-examples/rosenbrock.nn");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  per generated method:\n"), r.out());
        assertTrue(r.out().contains("for the adam update"), r.out());
    }
}
