package dev.nnc.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.nnc.codegen.JavaEmitter;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Workload#another}, which {@link AppLoop}'s {@code --instances} times: a second instance
 * of the same generated class (so the same compiled code), with state and arrays of its own, and
 * the same work (same seed, same input values).
 */
class WorkloadTest {
    @Test
    void anotherIsAnInstanceOfTheSameClassWithItsOwnStateAndTheSameWork() throws Throwable {
        Workload w = Workload.create("w3:1", JavaEmitter.Backend.SCALAR, true, 1);
        Workload a = w.another();
        assertSame(w.type, a.type, "the same class, so the same compiled code");
        assertNotSame(w.instance, a.instance);

        w.trainStep.invokeExact();
        a.trainStep.invokeExact();
        Method steps = w.type.getMethod("steps"), parameter = w.type.getMethod("parameter", String.class);
        assertEquals(1L, steps.invoke(w.instance));
        assertEquals(1L, steps.invoke(a.instance));
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) w.type.getField("PARAMETER_NAMES").get(null);
        for (String p : names) {
            assertArrayEquals((float[]) parameter.invoke(w.instance, p), (float[]) parameter.invoke(a.instance, p),
                    "one step from the same start on the same inputs: " + p);
        }

        // the handles are bound to their own instance
        w.trainStep.invokeExact();
        assertEquals(2L, steps.invoke(w.instance));
        assertEquals(1L, steps.invoke(a.instance));
        // and another of another is still the same class
        assertSame(w.type, a.another().type);
    }

    @Test
    void anotherOfANamedWorkloadIsTheSameClassToo() throws Throwable {
        Workload w = Workload.create("tab:4", JavaEmitter.Backend.SCALAR, true, 1);
        Workload a = w.another();
        assertSame(w.type, a.type);
        assertNotSame(w.instance, a.instance);
        assertEquals(w.batch, a.batch);
    }
}
