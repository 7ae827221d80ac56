package dev.nnc.bench;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * The child JVM of {@link TierThreeTest}: calls every static method of each class named on the
 * command line once, with zeros, nulls and empty arrays. Under {@code -Xcomp} each call first
 * compiles the method, which is all the test wants; what the call then does (mostly nothing, or an
 * exception on the empty arrays) does not matter. Prints {@code called CLASS::METHOD} for each.
 */
public final class TierThreeChild {
    private TierThreeChild() {}

    public static void main(String[] args) throws Exception {
        for (String name : args) {
            Class<?> c = Class.forName(name);
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isStatic(m.getModifiers()) || m.isSynthetic()) continue;
                m.setAccessible(true);
                Class<?>[] p = m.getParameterTypes();
                Object[] values = new Object[p.length];
                for (int i = 0; i < p.length; i++) values[i] = zero(p[i]);
                try {
                    m.invoke(null, values);
                } catch (InvocationTargetException expected) {
                    // empty arrays and null vectors: the method was compiled before it ran
                }
                System.out.println("called " + name + "::" + m.getName());
            }
        }
    }

    private static Object zero(Class<?> t) {
        if (t == int.class) return 0;
        if (t == long.class) return 0L;
        if (t == float.class) return 0f;
        if (t == double.class) return 0.0;
        if (t == boolean.class) return false;
        return t.isArray() ? Array.newInstance(t.getComponentType(), 0) : null;
    }
}
