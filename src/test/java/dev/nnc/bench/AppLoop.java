package dev.nnc.bench;

import dev.nnc.codegen.JavaEmitter;
import java.lang.invoke.MethodHandle;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Generated classes called as an application calls them, in the JVM this runs in (a fresh one per
 * run): a plain loop over the calls, warmed up until the JIT is quiet, then either timed blocks or
 * checks. {@code bench/compare} runs it once per figure and fresh JVM for the application-loop
 * columns; {@code VectorJitTest} runs it in check mode.
 *
 * <pre>
 * AppLoop [--time BLOCKS] [--instances N] [--classes N] [--watch SECONDS] [--check] [--pollute] [--min-calls N] [--quiet-ms MS] [--max-warm-s S] [--block-ms MS] SPEC...
 *   SPEC: workload,engine,precision,entry[,threads]   e.g. w1:64,vector,f32,trainStep (entry: trainStep, infer, gradients)
 * </pre>
 *
 * <p>Warm-up: every call of every spec in turn until each has run {@code --min-calls} times (C2
 * compiles a method without loops after 5,000 calls) and no compilation has finished for
 * {@code --quiet-ms} (the JVM's total compilation time stops growing), or {@code --max-warm-s}
 * passed. {@code --time}: that many blocks of about {@code --block-ms} each, µs per call of each;
 * the last line is one JSON object with the blocks, their median, the bytes allocated per
 * call and the host's floating-point rate beside the blocks ({@link HostSpeed}). {@code --instances N}
 * (with {@code --time}): then N - 1 more instances of the first spec's class ({@link Workload#another}:
 * the same class, arrays of their own), warmed up together with the first until the JIT is
 * quiet, then each timed the same way; the JSON's {@code instances_us} holds the median of each,
 * the first's included. They run the same compiled code, so a spread across them comes from where
 * their arrays lie, or from the host meanwhile ({@code --watch} shows the host's drift). {@code --classes N} (after the instances, if both): the same with N - 1
 * copies of the class instead, each loaded on its own (so compiled on its own, into code of its own), in {@code classes_us}:
 * a spread across them that instances do not show comes from the compiled code (where it lies,
 * or what C2 made of it: {@code -XX:+LogCompilation} tells these apart). {@code --watch}:
 * blocks for that many seconds, each followed by the host's floating-point rate and clock
 * ({@link HostSpeed}), a line each ("seconds µs/call GFLOP/s ns"): whether a JVM's slow
 * period is the host's. {@code --check}: warm-up also goes on while some method with Vector API code has no C2
 * code yet; then the bytes the calling thread allocates per call (and, with threads, the
 * instance's pool threads), and the JIT compilations of every method of the generated classes
 * ({@link JitWatch}: JFR events streamed from the start, no JVM flag needed), with whether the
 * method has Vector API code and whether C2 compiled it, and every class-check deoptimization
 * in a method of the Vector API itself once the generated classes exist: "apitrap" if some
 * compilation of a generated method inlined that API method, "fallbacktrap" if none did. {@code --pollute}: first, another user of the Vector
 * API (other species, every operation kind, introduced after the JDK has compiled its shared
 * helpers), as an application might have.
 */
public final class AppLoop {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    record Spec(String text, Workload workload, MethodHandle call, int threads) {}

    public static void main(String[] args) throws Throwable {
        Locale.setDefault(Locale.ROOT);
        long jvmMs = ManagementFactory.getRuntimeMXBean().getUptime();
        int blocks = 0, instances = 1, classes = 1, watchS = 0, minCalls = 8000, quietMs = 2000, maxWarmS = 120, blockMs = 500;
        boolean check = false, pollute = false;
        List<String> specs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--time" -> blocks = Integer.parseInt(args[++i]);
                case "--instances" -> instances = Integer.parseInt(args[++i]);
                case "--classes" -> classes = Integer.parseInt(args[++i]);
                case "--watch" -> watchS = Integer.parseInt(args[++i]);
                case "--check" -> check = true;
                case "--pollute" -> pollute = true;
                case "--min-calls" -> minCalls = Integer.parseInt(args[++i]);
                case "--quiet-ms" -> quietMs = Integer.parseInt(args[++i]);
                case "--max-warm-s" -> maxWarmS = Integer.parseInt(args[++i]);
                case "--block-ms" -> blockMs = Integer.parseInt(args[++i]);
                default -> specs.add(args[i]);
            }
        }
        if (specs.isEmpty() || (blocks == 0 && watchS == 0 && !check)) {
            throw new IllegalArgumentException("usage: AppLoop [--time BLOCKS] [--instances N] [--classes N] [--watch SECONDS] [--check] [--pollute] SPEC... (see the class comment)");
        }
        if (instances < 1 || classes < 1 || ((instances > 1 || classes > 1) && blocks == 0)) {
            throw new IllegalArgumentException("--instances N, --classes N: N at least 1, with --time");
        }
        JitWatch jit = check ? new JitWatch() : null;
        long t0 = System.nanoTime();
        if (pollute) VectorApiUser.run();
        long t1 = System.nanoTime();
        List<Spec> calls = new ArrayList<>();
        for (String s : specs) calls.add(spec(s));
        Map<String, Set<String>> vectorMethods = new TreeMap<>();
        for (Spec s : calls) {
            for (Map.Entry<String, byte[]> c : s.workload.bytecode.entrySet()) vectorMethods.put(c.getKey(), vectorCode(c.getValue()));
        }
        if (check) jit.watch(vectorMethods.keySet());

        // the host's reference loops are compiled first, so that the JIT is quiet when the blocks start
        if (blocks > 0 || watchS > 0) HostSpeed.warmUp();
        long start = System.nanoTime(), deadline = start + maxWarmS * 1_000_000_000L;
        // with --check, warm-up goes on while a method with vector code compiled by C1 has no C2 code (yet)
        long warmNs = warmUp(calls, minCalls, quietMs, deadline, check ? jit : null, vectorMethods);
        System.out.printf("warm %.1f s%n", warmNs / 1e9);
        if (blocks > 0) {
            StringBuilder json = time(calls.get(0), blocks, blockMs, warmNs);
            long until = System.nanoTime() + maxWarmS * 1_000_000_000L;
            if (instances > 1) json.append(", \"instances_us\": ").append(Arrays.toString(copies(calls.get(0), instances, false, blocks, blockMs, minCalls, quietMs, until)));
            if (classes > 1) json.append(", \"classes_us\": ").append(Arrays.toString(copies(calls.get(0), classes, true, blocks, blockMs, minCalls, quietMs, until)));
            System.out.println(json.append('}'));
        }
        if (watchS > 0) watch(calls.get(0), watchS, blockMs);
        if (check) {
            // an application's calls allocate nothing once every method they run is compiled: while
            // some do (methods without vector code may still be C1's), warm up more, within the limit
            for (Spec s : calls) {
                while (true) {
                    long caller = perCall(s, false), pool = s.threads > 1 ? perCall(s, true) : 0;
                    if ((caller <= 0 && pool <= 0) || System.nanoTime() > deadline) {
                        System.out.printf("alloc %s caller=%d pool=%d%n", s.text, caller, pool);
                        break;
                    }
                    warmNs += warmUp(calls, minCalls / 10, quietMs, deadline, null, vectorMethods);
                }
            }
            for (Map.Entry<String, List<String>> e : jit.levels().entrySet()) {
                System.out.printf("compiled %s vector=%s levels=%s c2=%s%n", e.getKey(), isVector(vectorMethods, e.getKey()),
                        String.join(",", e.getValue()), JitWatch.inC2(e.getValue()));
            }
            for (String t : jit.apiTraps(true)) System.out.println("apitrap " + t);
            for (String t : jit.apiTraps(false)) System.out.println("fallbacktrap " + t);
            jit.close();
            System.out.printf("seconds: jvm start %.1f, pollute %.1f, classes %.1f, warm-up %.1f, total %.1f%n", jvmMs / 1e3,
                    (t1 - t0) / 1e9, (start - t1) / 1e9, warmNs / 1e9, (System.nanoTime() - t0) / 1e9 + jvmMs / 1e3);
        }
    }

    /** Whether some method with vector code that {@code jit} saw compiled has no C2 code yet. */
    private static boolean pendingC2(JitWatch jit, Map<String, Set<String>> vectorMethods) {
        for (Map.Entry<String, List<String>> e : jit.levels().entrySet()) {
            if (isVector(vectorMethods, e.getKey()) && !JitWatch.inC2(e.getValue())) return true;
        }
        return false;
    }

    /** Whether {@code method} ("class name+descriptor") has vector code. */
    private static boolean isVector(Map<String, Set<String>> vectorMethods, String method) {
        int sp = method.indexOf(' ');
        return vectorMethods.get(method.substring(0, sp)).contains(method.substring(sp + 1));
    }

    private static Spec spec(String text) throws Throwable {
        String[] f = text.split(",");
        if (f.length < 4) throw new IllegalArgumentException("spec " + text + ": workload,engine,precision,entry[,threads]");
        JavaEmitter.Backend backend = JavaEmitter.Backend.valueOf(f[1].toUpperCase(Locale.ROOT));
        int threads = f.length > 4 ? Integer.parseInt(f[4]) : 1;
        return spec(text, Workload.create(f[0], backend, f[2].equals("f32"), threads), threads);
    }

    /** Spec {@code text} on workload {@code w}, made from it with {@code threads}. */
    private static Spec spec(String text, Workload w, int threads) {
        String[] f = text.split(",");
        MethodHandle h = switch (f[3]) {
            case "trainStep" -> w.trainStep;
            case "infer" -> w.infer;
            case "gradients" -> w.gradients;
            default -> throw new IllegalArgumentException("spec " + text + ": entry trainStep, infer or gradients");
        };
        if (h == null) throw new IllegalArgumentException("spec " + text + ": workload " + f[0] + " has no " + f[3]);
        return new Spec(text, w, h, threads);
    }

    /**
     * Calls every spec in turn until each ran {@code minCalls} times and the JIT was quiet for
     * {@code quietMs} (and, with {@code jit}, until its stream has delivered the events of that
     * quiet time and no method with vector code lacks C2 code), or {@code deadline} passed; the time taken.
     */
    private static long warmUp(List<Spec> calls, int minCalls, int quietMs, long deadline, JitWatch jit,
                               Map<String, Set<String>> vectorMethods) throws Throwable {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime(), quietSince = start, lastJit = -1, flushesAtQuiet = jit == null ? 0 : jit.flushes();
        for (long n = 0; ; n++) {
            for (Spec s : calls) {
                s.call.invokeExact();
            }
            long now = System.nanoTime();
            long t = compiler.getTotalCompilationTime();
            if (t != lastJit) {
                lastJit = t;
                quietSince = now;
                if (jit != null) flushesAtQuiet = jit.flushes();
            }
            boolean done = n >= minCalls && now - quietSince >= quietMs * 1_000_000L;
            // two deliveries after the last compilation: the second holds every event of before the first
            if (done && jit != null) done = jit.flushes() >= flushesAtQuiet + 2 && !pendingC2(jit, vectorMethods);
            if (done || now > deadline) return now - start;
        }
    }

    /** Blocks of about {@code blockMs} for {@code seconds}, each printed with the host's rate and clock right after it. */
    private static void watch(Spec s, int seconds, int blockMs) throws Throwable {
        int n = callsPerBlock(s, blockMs);
        long t0 = System.nanoTime(), end = t0 + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s.call.invokeExact();
            }
            long stop = System.nanoTime();
            System.out.printf("%.1f %.3f %.2f %.3f%n", (stop - t0) / 1e9, (stop - start) / 1e3 / n, HostSpeed.fmaGflops(), HostSpeed.clockNs());
        }
    }

    /** The calls that take about {@code blockMs}, from the time of 200. */
    private static int callsPerBlock(Spec s, int blockMs) throws Throwable {
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            s.call.invokeExact();
        }
        double estimate = (System.nanoTime() - t0) / 200.0;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, blockMs * 1e6 / estimate));
    }

    /**
     * {@code blocks} timed blocks of about {@code blockMs}; prints each and, last, a JSON summary:
     * {@code median_us}, the median of the blocks; {@code cpu_median_us}, the median of the calling
     * thread's CPU time per call (the pool threads' not counted: on a shared machine it leaves out
     * the time the thread waited for a core, so an A/B under load compares it rather than the wall
     * time); {@code others_cpu} ({@link #machineBusyNs}); {@code host_gflops}, the median of the
     * host's floating-point rate measured right after each block ({@link HostSpeed}).
     */
    private static StringBuilder time(Spec s, int blocks, int blockMs, long warmNs) throws Throwable {
        int n = callsPerBlock(s, blockMs);
        double[] us = new double[blocks], cpu = new double[blocks], host = new double[blocks];
        long allocated = 0;
        long machine0 = machineBusyNs(), process0 = PROCESS.getProcessCpuTime(), wall0 = System.nanoTime();
        for (int b = 0; b < blocks; b++) {
            long a = THREADS.getCurrentThreadAllocatedBytes(), start = System.nanoTime(), cpu0 = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                s.call.invokeExact();
            }
            us[b] = (System.nanoTime() - start) / 1e3 / n;
            cpu[b] = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
            allocated += THREADS.getCurrentThreadAllocatedBytes() - a;
            host[b] = HostSpeed.fmaGflops();
            System.out.printf("block %d: %.3f us/call, host %.2f GFLOP/s%n", b, us[b], host[b]);
        }
        long machine1 = machineBusyNs(), process1 = PROCESS.getProcessCpuTime(), wall1 = System.nanoTime();
        // cores' worth of CPU time that other processes used while the blocks ran (null where /proc/stat is missing)
        String others = machine0 < 0 || machine1 < 0 ? "null"
                : String.format("%.3f", Math.max(0, (machine1 - machine0) - (process1 - process0)) / (double) (wall1 - wall0));
        double median = median(us);
        StringBuilder json = new StringBuilder("{\"spec\": \"" + s.text + "\", \"median_us\": " + median + ", \"blocks_us\": [");
        for (int b = 0; b < blocks; b++) json.append(b == 0 ? "" : ", ").append(us[b]);
        json.append("], \"calls_per_block\": ").append(n).append(", \"bytes_per_call\": ").append(allocated / ((long) n * blocks))
                .append(", \"cpu_median_us\": ").append(median(cpu)).append(", \"others_cpu\": ").append(others)
                .append(", \"host_gflops\": ").append(median(host))
                .append(", \"warm_s\": ").append(warmNs / 1e9).append(", \"java\": \"").append(System.getProperty("java.version")).append('"');
        return json;
    }

    /**
     * The median µs per call of {@code s} and of {@code count - 1} more instances of its class
     * ({@link Workload#another}), or of copies of its class each loaded on its own ({@code classes}),
     * each timed in {@code blocks} blocks once all exist and the JIT is quiet again. (The first
     * call of a new instance grows its buffers, a branch C2 had left out of the compiled entry,
     * so the entry is compiled once more, and then every instance runs that code.)
     */
    private static double[] copies(Spec s, int count, boolean classes, int blocks, int blockMs, int minCalls, int quietMs, long deadline)
            throws Throwable {
        List<Spec> all = new ArrayList<>(List.of(s));
        for (int k = 1; k < count; k++) all.add(classes ? spec(s.text) : spec(s.text, s.workload.another(), s.threads));
        warmUp(all, minCalls, quietMs, deadline, null, Map.of());
        double[] out = new double[count];
        for (int k = 0; k < count; k++) {
            Spec t = all.get(k);
            int n = callsPerBlock(t, blockMs);
            double[] us = new double[blocks];
            for (int b = 0; b < blocks; b++) {
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) t.call.invokeExact();
                us[b] = (System.nanoTime() - start) / 1e3 / n;
            }
            out[k] = median(us);
            System.out.printf("%s %d: %.3f us/call%n", classes ? "class" : "instance", k, out[k]);
        }
        return out;
    }


    /**
     * The CPU time every process of the machine used so far (user, nice, system, irq and softirq
     * of /proc/stat's first line, in its 100 Hz ticks), or -1 where there is no /proc/stat. With
     * the process's own CPU time it gives {@code others_cpu}: the cores' worth of CPU that other
     * processes used while the blocks ran. On this project's shared 2-core machine, W4's inference
     * switched between two speeds 1.4 to 1.5 times apart within one JVM, for seconds at a time,
     * with no compilation, allocation or garbage collection in between: the slow mode comes from
     * the machine, not the JIT. {@code others_cpu} tells whether other processes were busy then.
     */
    private static long machineBusyNs() {
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) ticks += Long.parseLong(f[i]);
            return ticks * 10_000_000L;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double median(double[] blocks) {
        return quantile(blocks, 0.5);
    }

    /**
     * Quantile {@code f} (0 to 1) of {@code x}, interpolated linearly between the two nearest
     * values: 0 is the minimum, 0.5 the median (the mean of the two middle values of an even count).
     */
    static double quantile(double[] x, double f) {
        double[] s = x.clone();
        Arrays.sort(s);
        double at = f * (s.length - 1);
        int lo = (int) Math.floor(at), hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (at - lo) * (s[hi] - s[lo]);
    }

    /**
     * Bytes allocated per call after warm-up, by the calling thread (or the instance's pool
     * threads): the difference between 100 calls and 10, so that whatever measuring costs cancels.
     */
    private static long perCall(Spec s, boolean pool) throws Throwable {
        long ten = allocated(s, 10, pool), hundred = allocated(s, 100, pool);
        return (hundred - ten) / 90;
    }

    private static long allocated(Spec s, int times, boolean pool) throws Throwable {
        long before = pool ? poolBytes(s) : THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < times; i++) {
            s.call.invokeExact();
        }
        return (pool ? poolBytes(s) : THREADS.getCurrentThreadAllocatedBytes()) - before;
    }

    /** Bytes allocated so far by the threads of this workload's pool ({@code setThreads} names them nnc-ClassName). */
    private static long poolBytes(Spec s) {
        String name = "nnc-" + s.workload.type.getSimpleName();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) sum += THREADS.getThreadAllocatedBytes(t.getId());
        }
        return sum;
    }

    /**
     * The methods (name and descriptor) of a class whose code calls methods of the Vector API's
     * vectors or masks (not only of species or shapes, as {@code SPECIES.length()}).
     */
    static Set<String> vectorCode(byte[] classFile) {
        Set<String> out = new TreeSet<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                        if (owner.startsWith("jdk/incubator/vector/") && (owner.endsWith("Vector") || owner.endsWith("Mask"))) {
                            out.add(name + descriptor);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG);
        return out;
    }
}
