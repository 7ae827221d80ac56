// Incremental builds, as a user runs them: after the first build (run by invoker), this script
// runs Maven again with the same settings and local repository, changing files in between, and
// checks which Java files were rewritten (their timestamps) and what nnc logged.
import java.nio.file.Files

def out = new File(basedir, 'target/generated-sources/nn/models')
def java = [alpha: new File(out, 'Alpha.java'), beta: new File(out, 'Beta.java'), gamma: new File(out, 'sub/Gamma.java')]
def nn = new File(basedir, 'src/main/nn/models')
// src/it/settings.xml as invoker filled it in for its own builds (it deletes the file after the run)
def settings = new File(basedir.parentFile, 'interpolated-settings.xml')
assert settings.isFile()
int builds = 1
String lastLog = null
long lastEnd = new File(basedir, 'build.log').lastModified()

def times = { java.collectEntries { k, f -> [k, f.exists() ? Files.getLastModifiedTime(f.toPath()) : null] } }
def run = { boolean pass, List<String> goals ->
    // a second between builds, so that a rewritten file shows a new timestamp on any file system
    sleep Math.max(0L, lastEnd + 1100 - System.currentTimeMillis())
    def exe = new File(System.getProperty('maven.home'), System.getProperty('os.name').startsWith('Windows') ? 'bin/mvn.cmd' : 'bin/mvn')
    def cmd = [exe.path, '-B', '-ntp', '-s', settings.path, "-Dmaven.repo.local=${localRepositoryPath}".toString()] + goals
    def pb = new ProcessBuilder(cmd).directory(basedir).redirectErrorStream(true)
    pb.environment().put('MAVEN_OPTS', '-XX:TieredStopAtLevel=1') // short builds: start fast rather than peak
    def p = pb.start()
    def log = p.inputStream.getText('UTF-8')
    def rc = p.waitFor()
    new File(basedir, "build-${++builds}.log").setText(log, 'UTF-8')
    lastLog = log
    lastEnd = System.currentTimeMillis()
    assert (rc == 0) == pass : "mvn ${goals.join(' ')} exited with ${rc}:\n${log}"
    log.readLines().findAll { it.startsWith('[INFO] nnc: ') }.collect { it.substring('[INFO] '.length()) } + log.readLines().findAll { it.startsWith('[ERROR] Failed to execute goal') }
}
def mvn = { String... goals -> run(true, goals.toList()) }

// 1. The first build wrote all three.
def first = new File(basedir, 'build.log').readLines('UTF-8').findAll { it.startsWith('[INFO] nnc: ') }
assert first.contains('[INFO] nnc: wrote 3 Java files to target/generated-sources/nn (3 .nn files compiled, 0 up to date)')
def t1 = times()
assert t1.values().every { it != null }

// 2. Nothing changed (and run through the prefix, as a user types it): nothing regenerated.
def log2 = mvn('nnc:generate')
assert log2 == ['nnc: 3 .nn files up to date in src/main/nn'] : log2
assert times() == t1

// 3. Touch one file: only it is compiled and only its class rewritten.
new File(nn, 'alpha.nn').setLastModified(System.currentTimeMillis())
def log3 = mvn('generate-sources')
assert log3 == ['nnc: compiled src/main/nn/models/alpha.nn',
                'nnc: wrote 1 Java file to target/generated-sources/nn (1 .nn file compiled, 2 up to date)'] : log3
def t3 = times()
assert t3.alpha != t1.alpha
assert t3.beta == t1.beta && t3.gamma == t1.gamma

// 4. Delete one file and edit another; compile the project too.
new File(nn, 'beta.nn').delete()
def gamma = new File(nn, 'sub/gamma.nn')
gamma.setText(gamma.getText('UTF-8').replace('sum(x * w)', 'sum(x * w) + 1'), 'UTF-8')
def log4 = mvn('compile')
assert log4 == ['nnc: removed target/generated-sources/nn/models/Beta.java (its .nn file or model is gone)',
                'nnc: compiled src/main/nn/models/sub/gamma.nn',
                'nnc: wrote 1 Java file to target/generated-sources/nn (1 .nn file compiled, 1 up to date)'] : log4
def t4 = times()
assert t4.beta == null
assert t4.alpha == t3.alpha
assert t4.gamma != t3.gamma && java.gamma.getText('UTF-8').contains('+ 1')
assert new File(basedir, 'target/classes/models/sub/Gamma.class').isFile()

// 5. Compile again: nnc rewrites nothing, so javac has nothing to do either.
assert mvn('compile') == ['nnc: 2 .nn files up to date in src/main/nn']
assert lastLog.contains('[INFO] Nothing to compile - all classes are up to date')
assert times() == t4

// 6. Parameters from the command line: skip, and a backend that does not exist.
assert mvn('-Dnnc.skip', 'generate-sources') == ['nnc: skipped']
assert times() == t4
def log6 = run(false, ['-Dnnc.backend=gpu', 'generate-sources'])
assert log6.size() == 1 && log6[0].contains("nnc: <backend>gpu</backend> is not a backend: use scalar or vector")
assert times() == t4
true
