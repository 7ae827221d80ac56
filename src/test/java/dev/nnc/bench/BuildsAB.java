package dev.nnc.bench;

import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An A/B of two builds of nnc on one workload, for a machine that other work shares: both builds
 * in one JVM (each in a class loader of its own, each compiling the workload's model with its
 * own compiler), warmed up together, then timed in alternating blocks (A B, then B A), each block's
 * figure the calling thread's CPU time per call. Time spent waiting for a core is left out, and
 * whatever else disturbs the machine disturbs both builds alike, so the ratio of each pair of blocks
 * is steadier than fresh JVMs run one after the other. It compares code, not what an application
 * sees: figures for the README come from {@code AppLoop} in fresh JVMs ({@code bench/compare}).
 *
 * <pre>
 * BuildsAB [--warm-s S] [--rounds N] WORKLOAD ENTRY DIR_A DIR_B
 *   WORKLOAD as AppLoop's (e.g. w1:64), vector backend, f32, one thread; ENTRY: trainStep, infer or gradients
 *   DIR_A, DIR_B: copies of a build's target/, each with classes/ and test-classes/
 * </pre>
 *
 * <p>Run it from the repository root (the workloads' models are read from {@code bench/models}),
 * with the dependencies of {@code target/bench.classpath} on the class path of neither build: it
 * reads that file and gives each build's loader its own copy.
 */
public final class BuildsAB {
    private BuildsAB() {}

    public static void main(String[] args) throws Throwable {
        Locale.setDefault(Locale.ROOT);
        int warmS = 30, rounds = 24;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warm-s" -> warmS = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> rest.add(args[i]);
            }
        }
        if (rest.size() != 4 || rounds < 2) {
            throw new IllegalArgumentException("usage: BuildsAB [--warm-s S] [--rounds N>=2] WORKLOAD ENTRY DIR_A DIR_B (see the class comment)");
        }
        String workload = rest.get(0), entry = rest.get(1);
        Path deps = Path.of("target", "bench.classpath");
        if (!Files.isRegularFile(deps)) throw new IllegalArgumentException(deps + " is missing: run mvn test-compile first");
        String[] jars = Files.readString(deps).trim().split(java.io.File.pathSeparator);
        Path[] dirs = {Path.of(rest.get(2)), Path.of(rest.get(3))};
        MethodHandle[] calls = new MethodHandle[2];
        for (int v = 0; v < 2; v++) calls[v] = load(dirs[v], jars, workload, entry);

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long end = System.nanoTime() + warmS * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (MethodHandle m : calls) {
                for (int i = 0; i < 20; i++) m.invoke();
            }
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) calls[0].invoke();
        int n = (int) Math.max(1, 150e6 / ((System.nanoTime() - t0) / 20.0));
        double[][] us = new double[2][rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                int v = r % 2 == 0 ? k : 1 - k;
                long c0 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i++) calls[v].invoke();
                us[v][r] = (threads.getCurrentThreadCpuTime() - c0) / 1e3 / n;
            }
            ratio[r] = us[0][r] / us[1][r];
        }
        for (int v = 0; v < 2; v++) {
            System.out.printf("%s %s %s: CPU %.1f us per call (median of %d blocks of %d calls; min %.1f)%n", v == 0 ? "A" : "B", dirs[v],
                    entry, AppLoop.quantile(us[v], 0.5), rounds, n, AppLoop.quantile(us[v], 0));
        }
        System.out.printf("A / B per round: median %.3f, quartiles %.3f-%.3f (above 1: B is faster)%n",
                AppLoop.quantile(ratio, 0.5), AppLoop.quantile(ratio, 0.25), AppLoop.quantile(ratio, 0.75));
    }

    /** The workload's call on build {@code dir}, its classes loaded apart from the other build's. */
    private static MethodHandle load(Path dir, String[] jars, String workload, String entry) throws Throwable {
        List<URL> urls = new ArrayList<>();
        for (String sub : new String[] {"test-classes", "classes"}) {
            Path p = dir.resolve(sub);
            if (!Files.isDirectory(p)) throw new IllegalArgumentException(dir + " has no " + sub + "/ (a copy of a build's target/ is expected)");
            urls.add(p.toUri().toURL());
        }
        for (String j : jars) urls.add(Path.of(j).toUri().toURL());
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        Class<?> w = loader.loadClass(Workload.class.getName());
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Enum> backend = (Class<Enum>) loader.loadClass("dev.nnc.codegen.JavaEmitter$Backend");
        Object instance = w.getMethod("create", String.class, backend, boolean.class, int.class)
                .invoke(null, workload, Enum.valueOf(backend, "VECTOR"), true, 1);
        MethodHandle call = switch (entry) {
            case "trainStep", "infer", "gradients" -> (MethodHandle) w.getField(entry).get(instance);
            default -> throw new IllegalArgumentException("entry " + entry + ": trainStep, infer or gradients");
        };
        if (call == null) throw new IllegalArgumentException("workload " + workload + " has no " + entry);
        return call;
    }
}
