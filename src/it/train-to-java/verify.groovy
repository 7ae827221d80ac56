// The build passed (invoker checks that); check what nnc train said and what nnc:generate made.
def nnc = new File(basedir, 'nnc.log').getText('UTF-8')
assert nnc.contains('target bought -> input bought int[batch] (class labels book=0, none=1, phone=2)')
assert nnc.contains('2 numeric columns + 1 categorical column (3 categories + 1 missing-value indicator) = 6 features')
assert nnc =~ /accuracy \d+\.\d+% on 150 labelled rows \(bought\)/ : 'nnc predict scores labelled rows'

def out = new File(basedir, 'target/generated-sources/nn/shop')
assert new File(out, 'Buyer.java').isFile()
assert new File(out, 'BuyerEncoder.java').isFile() : 'the encoder beside the model (<preprocessing>)'
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('[INFO] nnc: wrote 2 Java files to target/generated-sources/nn (1 .nn file compiled, 0 up to date)')
assert log =~ /Tests run: 3, Failures: 0, Errors: 0, Skipped: 0/
true
