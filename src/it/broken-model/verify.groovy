// The build failed (invoker checks that). Check that the user saw every error, with file:line:col,
// the source line and a caret, then one failure with the count; and that nothing was written.
def nn = new File(basedir, 'src/main/nn/shop').absolutePath
def lines = new File(basedir, 'build.log').readLines('UTF-8')

def expectBlock = { List<String> block ->
    int i = lines.indexOf(block[0])
    assert i >= 0 : "missing in build.log: ${block[0]}"
    assert lines.subList(i, i + block.size()) == block
}
expectBlock([
    "[ERROR] ${nn}/nested/typo.nn:4:20: error[E200]: unknown name 'wieght'".toString(),
    '        output y = x * wieght',
    '                       ^',
    "  hint: did you mean 'weight'?",
])
expectBlock([
    "[ERROR] ${nn}/shapes.nn:7:26: error[E400]: cannot add [batch, 8] and [3]: dimension 1 is 8 vs 3".toString(),
    '        output score = x @ w + b',
    '                             ^',
])
assert lines.any { it.startsWith('[ERROR] Failed to execute goal dev.nnc:nnc:') &&
        it.contains(':generate (default) on project broken-model: nnc: 2 errors in 2 of 3 .nn files; nothing was generated') }
assert !lines.any { it.contains('maven-compiler-plugin') } : 'the build stops at generate-sources'

def out = new File(basedir, 'target/generated-sources/nn')
assert !out.exists() || out.listFiles().length == 0 : "nothing half-written: ${out.list()}"
true
