package dev.nnc.maven;

import dev.nnc.build.Generator;
import dev.nnc.build.SourceSet;
import dev.nnc.ir.Model;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Compiles the project's {@code .nn} models to Java sources and adds them to the compile
 * source roots: a thin adapter over {@link Generator}, the code path of {@code nnc compile}.
 *
 * <p>Incremental: a {@code .nn} file is compiled again only when it (or the configuration, or
 * the plugin) changed or one of its Java files is missing; Java files of deleted {@code .nn}
 * files are removed. On errors every diagnostic is logged as {@code file:line:col: error[E…]:
 * message} with the source line and a caret, all files are checked, nothing is written, and
 * the build fails once with the count.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractMojo {
    /** The folder holding the {@code .nn} files; its subfolders are packages. */
    @Parameter(property = "nnc.sourceDirectory", defaultValue = "${project.basedir}/src/main/nn")
    private File sourceDirectory;

    /** Where the Java sources go; added as a compile source root. */
    @Parameter(property = "nnc.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/nn")
    private File outputDirectory;

    /** Ant-style patterns, relative to {@code sourceDirectory}, of the files to compile. Default: {@code **}{@code /*.nn}. */
    @Parameter
    private Set<String> includes;

    /** Ant-style patterns of files to leave out. */
    @Parameter
    private Set<String> excludes;

    /**
     * {@code f32} or {@code f64}: the element type of every generated class. Unset: each model's
     * {@code precision} statement, else {@code f32}.
     */
    @Parameter(property = "nnc.precision")
    private String precision;

    /**
     * The code generation backend: {@code scalar} (plain Java loops, the default) or {@code vector}
     * (the Vector API; the project must then compile and test with
     * {@code --add-modules jdk.incubator.vector}). Any other value fails the build.
     */
    @Parameter(property = "nnc.backend", defaultValue = "scalar")
    private String backend;

    /**
     * The Java package of every generated class. Unset: each file's {@code package} statement,
     * else its folder under {@code sourceDirectory} ({@code src/main/nn/com/acme/x.nn} →
     * {@code com.acme}).
     */
    @Parameter(property = "nnc.packageName")
    private String packageName;

    /**
     * Parameters files written by {@code nnc train --save}: for each, an encoder class
     * ({@code MODELEncoder}) is generated beside its model's class, turning raw values into the
     * model's input as training did, and the model's output back. Relative to the project folder.
     */
    @Parameter(property = "nnc.preprocessing")
    private List<File> preprocessing;

    /** Skips the goal: nothing is compiled, and no source root is added. */
    @Parameter(property = "nnc.skip", defaultValue = "false")
    private boolean skip;

    /** Where the incremental state lives (one file per source/output folder pair). */
    @Parameter(defaultValue = "${project.build.directory}/maven-status/nnc", readonly = true, required = true)
    private File statusDirectory;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Log log = getLog();
        if (skip) {
            log.info("nnc: skipped");
            return;
        }
        Generator.Options options = options();
        Path src = sourceDirectory.toPath().toAbsolutePath().normalize();
        Path out = outputDirectory.toPath().toAbsolutePath().normalize();
        Path state = statusDirectory.toPath().resolve("generate-" + pairId(src, out) + ".state");
        List<Generator.Source> sources;
        Generator.Report report;
        try {
            sources = SourceSet.scan(src, includes, excludes);
            if (sources.isEmpty() && !state.toFile().exists()) {
                log.info("nnc: no .nn files in " + rel(src));
                return;
            }
            report = Generator.run(sources, out, options, state);
        } catch (IOException e) {
            throw new MojoExecutionException("nnc: " + e.getMessage(), e);
        }
        if (!report.ok()) {
            for (Generator.Failure f : report.failures()) {
                for (String d : f.rendered()) log.error(d.stripTrailing());
            }
            int n = report.errorCount();
            int files = report.failures().size();
            throw new MojoFailureException(String.format(Locale.ROOT, "nnc: %d error%s in %d of %d .nn file%s; nothing was generated",
                    n, n == 1 ? "" : "s", files, sources.size(), sources.size() == 1 ? "" : "s"));
        }
        for (Path p : report.removed()) log.info("nnc: removed " + rel(p) + " (its .nn file or model is gone)");
        if (report.compiled().isEmpty()) {
            log.info(String.format(Locale.ROOT, "nnc: %d .nn file%s up to date in %s", report.upToDate().size(),
                    report.upToDate().size() == 1 ? "" : "s", rel(src)));
        } else {
            for (Path p : report.compiled()) log.info("nnc: compiled " + rel(p));
            log.info(String.format(Locale.ROOT, "nnc: wrote %d Java file%s to %s (%d .nn file%s compiled, %d up to date)",
                    report.written().size(), report.written().size() == 1 ? "" : "s", rel(out),
                    report.compiled().size(), report.compiled().size() == 1 ? "" : "s", report.upToDate().size()));
        }
        for (Path p : report.written()) log.debug("nnc: wrote " + p);
        project.addCompileSourceRoot(out.toString());
    }

    private Generator.Options options() throws MojoExecutionException {
        dev.nnc.codegen.JavaEmitter.Backend be;
        switch (backend == null ? "scalar" : backend.trim().toLowerCase(Locale.ROOT)) {
            case "scalar" -> be = dev.nnc.codegen.JavaEmitter.Backend.SCALAR;
            case "vector" -> be = dev.nnc.codegen.JavaEmitter.Backend.VECTOR;
            default -> throw new MojoExecutionException("nnc: <backend>" + backend + "</backend> is not a backend: use scalar or vector");
        }
        Model.Precision p = null;
        if (precision != null && !precision.isBlank()) {
            switch (precision.trim().toLowerCase(Locale.ROOT)) {
                case "f32" -> p = Model.Precision.F32;
                case "f64" -> p = Model.Precision.F64;
                default -> throw new MojoExecutionException("nnc: <precision>" + precision + "</precision> is not a precision: use f32 or f64");
            }
        }
        String pkg = packageName == null || packageName.isBlank() ? null : packageName.trim();
        try {
            List<Path> prep = preprocessing == null ? List.of() : preprocessing.stream().map(File::toPath).toList();
            return new Generator.Options(pkg, p, be, prep);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException("nnc: <packageName>: " + e.getMessage());
        }
    }

    /** A path relative to the project folder when it is inside it, for short log lines. */
    private String rel(Path p) {
        Path base = project.getBasedir() == null ? null : project.getBasedir().toPath().toAbsolutePath().normalize();
        Path a = p.toAbsolutePath().normalize();
        return base != null && a.startsWith(base) && !a.equals(base) ? base.relativize(a).toString() : a.toString();
    }

    /** Names the state file of a source/output folder pair, so that two executions never share one. */
    private static String pairId(Path src, Path out) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((src + "\n" + out).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
