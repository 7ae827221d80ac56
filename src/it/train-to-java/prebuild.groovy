// Before the build, as a user would: train with the nnc command line (the CLI jar of this nnc
// build, passed by the invoker as nncCliJar), save the parameters with their preprocessing into
// model/, and write nnc predict's predictions of the test rows for the Java test to compare.
def java = new File(System.getProperty('java.home'), 'bin/java').path
def log = new File(basedir, 'nnc.log')
log.text = ''
new File(basedir, 'model').mkdirs()
def nnc = { List<String> args ->
    def p = new ProcessBuilder([java, '-jar', nncCliJar] + args).directory(basedir).redirectErrorStream(true).start()
    def out = p.inputStream.getText('UTF-8')
    p.waitFor()
    log << '$ nnc ' + args.join(' ') + '\n' + out
    if (p.exitValue() != 0) throw new IllegalStateException('nnc ' + args.join(' ') + ' failed:\n' + out)
}
nnc(['train', 'src/main/nn/shop/buyer.nn', '--data', 'data/train.csv', '--target', 'bought', '--epochs', '40', '--batch', '32',
     '--progress', 'none', '--save', 'model/buyer.safetensors'])
nnc(['predict', 'src/main/nn/shop/buyer.nn', '--params', 'model/buyer.safetensors', '--data', 'data/test.csv',
     '--out', 'model/predictions.csv'])
true
