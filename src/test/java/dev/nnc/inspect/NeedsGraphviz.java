package dev.nnc.inspect;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The policy of tests that run Graphviz's {@code dot}: when it is missing they are skipped,
 * unless the environment variable {@code NNC_REQUIRE_GRAPHVIZ} is set (CI's {@code .ci/run}
 * sets it after installing Graphviz), in which case they fail.
 */
public final class NeedsGraphviz {
    private NeedsGraphviz() {}

    private static Boolean available;

    public static synchronized void check() {
        if (available == null) available = Graphviz.available();
        if (available) return;
        String msg = "Graphviz's dot is not on the PATH (apt-get install graphviz)";
        if (System.getenv("NNC_REQUIRE_GRAPHVIZ") != null) fail(msg + ", and NNC_REQUIRE_GRAPHVIZ is set");
        Assumptions.abort(msg + ": skipped; set NNC_REQUIRE_GRAPHVIZ=1 to make this a failure");
    }
}
