// The documented project built and its test passed (invoker checks the build succeeded).
assert new File(basedir, 'target/generated-sources/nn/demo/SpamFilter.java').isFile()
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('[INFO] nnc: wrote 1 Java file to target/generated-sources/nn (1 .nn file compiled, 0 up to date)')
assert log =~ /Compiling \d+ source files? with javac \[debug release 17\]/ : 'maven.compiler.release=17 reached javac'
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/
true
