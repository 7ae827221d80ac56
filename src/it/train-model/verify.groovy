// The build passed (invoker checks that); check what nnc:generate left and said.
def out = new File(basedir, 'target/generated-sources/nn')
assert new File(out, 'demo/SpamFilter.java').isFile() : 'package from the folder src/main/nn/demo'
assert new File(out, 'com/example/pricing/Price.java').isFile() : 'package from the package statement'
assert new File(basedir, 'target/classes/demo/SpamFilter.class').isFile() : 'compiled with the project'

def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('[INFO] nnc: wrote 2 Java files to target/generated-sources/nn (2 .nn files compiled, 0 up to date)')
assert log =~ /Tests run: 3, Failures: 0, Errors: 0, Skipped: 0/
true
