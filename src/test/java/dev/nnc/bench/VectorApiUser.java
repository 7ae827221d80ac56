package dev.nnc.bench;

/**
 * Another user of the Vector API in the same JVM, as an application or library might be (for
 * {@code AppLoop --pollute}): first one operation on a 256-bit species, long enough for C2 to
 * compile the API's shared methods with one class in their type profiles; then every kind of
 * operation on 256- and 128-bit species. The API's shared methods then have polymorphic profiles
 * and class-check trap counts, the conditions under which generated code whose vectors lacked
 * an exact class (before the fix of issue 12) was allocated instead of kept in registers. The
 * code is compiled in memory, as generated classes are (the build compiles no incubator module).
 */
final class VectorApiUser {
    private VectorApiUser() {}

    static final String SOURCE = """
            package apploop;

            import java.util.List;
            import jdk.incubator.vector.FloatVector;
            import jdk.incubator.vector.IntVector;
            import jdk.incubator.vector.VectorOperators;
            import jdk.incubator.vector.VectorSpecies;

            public final class Polluter {
                public static float sink;

                public static void run() {
                    VectorSpecies<Float> s256 = FloatVector.SPECIES_256, s128 = FloatVector.SPECIES_128;
                    float[] a = new float[64];
                    for (int r = 0; r < 200_000; r++) {
                        FloatVector v = FloatVector.fromArray(s256, a, 0);
                        v.add(v).intoArray(a, 0);
                    }
                    for (int r = 0; r < 20_000; r++) {
                        for (VectorSpecies<Float> s : List.of(s256, s128)) {
                            FloatVector v = FloatVector.fromArray(s, a, 0), w = FloatVector.broadcast(s, 1f);
                            v = v.fma(w, v).mul(w).sub(w).div(w).max(w).min(w).neg().abs().sqrt();
                            v = v.blend(w, v.compare(VectorOperators.GT, w));
                            sink += v.reduceLanes(VectorOperators.ADD) + v.reduceLanes(VectorOperators.MAX);
                            v.intoArray(a, 0);
                        }
                        IntVector iv = IntVector.broadcast(IntVector.SPECIES_256, r);
                        sink += iv.lanewise(VectorOperators.XOR, iv.lanewise(VectorOperators.LSHR, 3)).reduceLanes(VectorOperators.ADD);
                    }
                }
            }
            """;

    static final String NAME = "apploop.Polluter";

    static void run() throws ReflectiveOperationException {
        ClassCache.compile(NAME, SOURCE).load("apploop.Polluter").getMethod("run").invoke(null);
    }
}
