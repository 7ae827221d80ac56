// The documented vector-backend project: generated with the Vector API, compiled with release 17
// and --add-modules, tested, and run.
def java = new File(basedir, 'target/generated-sources/nn/demo/SpamFilter.java').getText('UTF-8')
assert java.contains('jdk.incubator.vector') : 'the vector backend'
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log =~ /Compiling \d+ source files? with javac \[debug release 17\]/ : 'maven.compiler.release=17 with the incubator module'
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/
def run = log =~ /loss (\d+\.\d+) -> (\d+\.\d+) after 100 steps/
assert run.find() : 'exec:exec ran demo.Main'
assert Double.parseDouble(run.group(2)) < Double.parseDouble(run.group(1)) / 2
true
