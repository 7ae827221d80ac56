package dev.nnc.codegen;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Compiles generated sources in memory with {@code javax.tools} and loads the classes. */
public final class InMemoryJavac {
    private InMemoryJavac() {}

    /** A failure to compile generated code: a bug in nnc, reported with javac's messages. */
    public static final class CompileException extends RuntimeException {
        public CompileException(String message) {
            super(message);
        }
    }

    /** The compiled classes of one compilation: bytecode by binary class name. */
    public record Classes(Map<String, byte[]> bytecode) {
        /** Loads {@code name} (and its nested classes) in a fresh class loader. */
        public Class<?> load(String name) {
            // Child-first: a class of the same name elsewhere on the classpath must not win.
            ClassLoader loader = new ClassLoader(InMemoryJavac.class.getClassLoader()) {
                @Override
                protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                    synchronized (getClassLoadingLock(n)) {
                        Class<?> c = findLoadedClass(n);
                        if (c == null) {
                            byte[] b = bytecode.get(n);
                            c = b != null ? defineClass(n, b, 0, b.length) : super.loadClass(n, false);
                        }
                        if (resolve) resolveClass(c);
                        return c;
                    }
                }
            };
            try {
                return loader.loadClass(name);
            } catch (ClassNotFoundException e) {
                throw new CompileException("compiled classes lack " + name);
            }
        }
    }

    /** Compiles one source file (for Java 17) and returns its classes. */
    public static Classes compile(String qualifiedName, String source) {
        return compile(Map.of(qualifiedName, source));
    }

    /**
     * Compiles several source files (for Java 17, each given by the qualified name of its class)
     * in one javac run, which costs much less per class than one run each, and returns all their
     * classes.
     */
    public static Classes compile(Map<String, String> sources) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new CompileException("no Java compiler available: run nnc on a JDK, not a JRE");
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> out = new HashMap<>();
        StandardJavaFileManager std = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8);
        JavaFileManager fm = new ForwardingJavaFileManager<>(std) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        out.put(className, b);
                        return b;
                    }
                };
            }
        };
        List<JavaFileObject> units = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(sources).entrySet()) {
            String source = e.getValue();
            units.add(new SimpleJavaFileObject(
                    URI.create("string:///" + e.getKey().replace('.', '/') + JavaFileObject.Kind.SOURCE.extension),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            });
        }
        StringWriter log = new StringWriter();
        List<String> options = new ArrayList<>(List.of("--release", "17", "-proc:none", "-g:none", "-nowarn"));
        if (sources.values().stream().anyMatch(s -> s.contains("jdk.incubator.vector"))) {
            // --release forbids --add-modules for incubator modules; compile against the running JDK instead
            options = new ArrayList<>(List.of("-proc:none", "-g:none", "-nowarn", "-XDsuppressNotes",
                    "--add-modules", "jdk.incubator.vector"));
        }
        boolean ok = javac.getTask(log, fm, diags, options, null, units).call();
        if (!ok) {
            StringBuilder sb = new StringBuilder("generated code for " + String.join(", ", new TreeMap<>(sources).keySet())
                    + " does not compile (a bug in nnc):\n");
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                sb.append("  ");
                if (sources.size() > 1 && d.getSource() != null) sb.append(d.getSource().getName()).append(' ');
                sb.append("line ").append(d.getLineNumber()).append(": ").append(d.getMessage(Locale.ROOT)).append('\n');
            }
            throw new CompileException(sb.toString());
        }
        Map<String, byte[]> bytes = new HashMap<>();
        out.forEach((k, v) -> bytes.put(k, v.toByteArray()));
        return new Classes(bytes);
    }
}
