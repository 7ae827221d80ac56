package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.codegen.InMemoryJavac;
import dev.nnc.data.Csv;
import dev.nnc.io.SafeTensors;
import dev.nnc.train.SavedMetadata;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * From {@code nnc train} to Java: {@code nnc compile --preprocessing} generates an encoder beside
 * the model; raw rows encoded by it equal {@code nnc predict}'s preprocessing bit for bit
 * (hostile values included), the model's predictions through the encoder equal
 * {@code nnc predict}'s output, and {@code loadParameters} refuses parameters trained on
 * preprocessed columns when no encoder was generated, or when the encoder is another training's.
 */
class EncoderEndToEndTest {
    @TempDir
    Path dir;

    static final String MODEL = """
            package shop
            model Buyer {
                dim batch
                input x : [batch, 6]
                input bought : int[batch]
                param w1 : [6, 16] init he_uniform
                param b1 : [16]
                param w2 : [16, 3] init xavier_uniform
                param b2 : [3]
                logits = relu(x @ w1 + b1) @ w2 + b2
                output probs = softmax(logits)
                loss = cross_entropy(logits, bought)
                optimizer adam(lr = 0.02)
            }
            """;

    /** Customers: age, income (some missing), city (some missing, some unseen in training), what they bought. */
    static String rows(Random r, int from, int n, boolean odd) {
        StringBuilder sb = new StringBuilder("id,age,income,city,bought\n");
        String[] cities = odd ? new String[] {"Lyon", "Paris", "Nice", "", "Rome", "NA"} : new String[] {"Lyon", "Paris", "Nice", ""};
        for (int i = from; i < from + n; i++) {
            int age = 18 + r.nextInt(52);
            double income = 50000 + 15000 * r.nextGaussian();
            String city = cities[r.nextInt(cities.length)];
            double score = (age - 40) / 10.0 + (income - 50000) / 15000 + (city.equals("Paris") ? 1 : 0);
            String label = score < -0.5 ? "none" : score < 0.8 ? "book" : "phone";
            String ageText = odd && i % 7 == 0 ? " " + age + " " : odd && i % 11 == 0 ? "+" + age + ".0" : Integer.toString(age);
            String incomeText = i % 13 == 0 ? "NA" : odd && i % 5 == 0 ? String.format(Locale.ROOT, "%.3e", income)
                    : String.format(Locale.ROOT, "%.2f", income);
            sb.append(i).append(',').append(ageText).append(',').append(incomeText).append(',').append(city).append(',').append(label)
                    .append('\n');
        }
        return sb.toString();
    }

    Path write(String name, String text) throws IOException {
        return Cli.write(dir, name, text);
    }

    /** Compiles the generated sources under {@code out}; returns the classes by simple name. */
    static Map<String, Class<?>> compile(Path out) throws IOException {
        Map<String, String> sources = new HashMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = out.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", "");
                sources.put(name, Files.readString(p));
            }
        }
        InMemoryJavac.Classes classes = InMemoryJavac.compile(sources);
        Map<String, Class<?>> loaded = new HashMap<>();
        for (String name : sources.keySet()) loaded.put(name.substring(name.lastIndexOf('.') + 1), classes.load(name));
        return loaded;
    }

    static Object call(Class<?> c, Object target, String name, Class<?>[] types, Object... args) throws Throwable {
        try {
            return c.getMethod(name, types).invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    static Throwable thrown(Executable e) {
        try {
            e.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("nothing was thrown");
    }

    interface Executable {
        void run() throws Throwable;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"f32", "f64"})
    void javaPredictionsThroughTheEncoderEqualNncPredict(String precision) throws Throwable {
        boolean f32 = precision.equals("f32");
        Class<?> array = f32 ? float[].class : double[].class;
        Path model = write("shop.nn", MODEL);
        Path train = write("train.csv", rows(new Random(1), 0, 300, false));
        Path test = write("test.csv", rows(new Random(2), 1000, 80, true));
        Path params = dir.resolve("buyer.safetensors");
        Cli.Run r = Cli.run("train", model.toString(), "--data", train.toString(), "--epochs", "30", "--precision", precision,
                "--progress", "none", "--save", params.toString());
        assertEquals(0, r.code(), r.all());
        Path predictions = dir.resolve("predictions.csv");
        r = Cli.run("predict", model.toString(), "--params", params.toString(), "--data", test.toString(), "--out",
                predictions.toString(), "--precision", precision);
        assertEquals(0, r.code(), r.all());
        Path out = dir.resolve("out");
        r = Cli.run("compile", model.toString(), "--preprocessing", params.toString(), "--precision", precision, "-d", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("BuyerEncoder.java"), r.out());
        Map<String, Class<?>> classes = compile(out);
        Class<?> buyer = classes.get("Buyer"), encoder = classes.get("BuyerEncoder");

        // the features: the encoder's equal nnc predict's preprocessing, bit for bit
        Csv.Table t = Csv.read(test);
        int features = (Integer) encoder.getField("FEATURES").get(null);
        @SuppressWarnings("unchecked")
        int[] positions = (int[]) call(encoder, null, "positions", new Class<?>[] {List.class}, t.header());
        Object x = java.lang.reflect.Array.newInstance(array.getComponentType(), t.rowCount() * features);
        for (int row = 0; row < t.rowCount(); row++) {
            String[] fields = new String[t.columnCount()];
            for (int c = 0; c < fields.length; c++) fields[c] = t.get(row, c);
            call(encoder, null, "encode", new Class<?>[] {String[].class, int[].class, array, int.class}, fields, positions, x, row * features);
        }
        SavedMetadata meta = SavedMetadata.read(SafeTensors.read(params).metadata().get(SavedMetadata.KEY), "p");
        float[] expected = meta.preprocessing().transform(t);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], ((Number) java.lang.reflect.Array.get(x, i)).floatValue(), "feature " + i % features + " of row " + i / features);
        }

        // the predictions: the model's output decoded by the encoder, as nnc predict wrote them
        Object m = buyer.getConstructor().newInstance();
        call(buyer, m, "loadParameters", new Class<?>[] {Path.class}, params);
        int outputs = (Integer) encoder.getField("OUTPUTS").get(null);
        Object probs = java.lang.reflect.Array.newInstance(array.getComponentType(), t.rowCount() * outputs);
        call(buyer, m, "infer", new Class<?>[] {int.class, array, array}, t.rowCount(), x, probs);
        List<String> java = new ArrayList<>(List.of("id,bought"));
        for (int row = 0; row < t.rowCount(); row++) {
            java.add(t.get(row, 0) + "," + call(encoder, null, "label", new Class<?>[] {array, int.class}, probs, row * outputs));
        }
        assertEquals(Files.readAllLines(predictions), java);

        // a class without the encoder refuses parameters trained on preprocessed columns
        Path bare = dir.resolve("bare");
        r = Cli.run("compile", model.toString(), "--precision", precision, "-d", bare.toString());
        assertEquals(0, r.code(), r.all());
        Class<?> plain = compile(bare).get("Buyer");
        Object pm = plain.getConstructor().newInstance();
        IOException e = assertInstanceOf(IOException.class,
                thrown(() -> call(plain, pm, "loadParameters", new Class<?>[] {Path.class}, params)));
        assertEquals(params + ": these parameters were trained by 'nnc train' on preprocessed columns (standardized numbers, one-hot"
                + " text) and need the same preprocessing of raw values, which Buyer was generated without: generate BuyerEncoder"
                + " beside it with 'nnc compile --preprocessing " + params + "' (Maven: <preprocessing>), and encode rows with it",
                e.getMessage());

        // parameters of another training (other statistics) do not fit this encoder
        Path other = dir.resolve("other.safetensors");
        r = Cli.run("train", model.toString(), "--data", write("train2.csv", rows(new Random(3), 0, 120, false)).toString(),
                "--epochs", "2", "--precision", precision, "--progress", "none", "--save", other.toString());
        assertEquals(0, r.code(), r.all());
        e = assertInstanceOf(IOException.class, thrown(() -> call(buyer, m, "loadParameters", new Class<?>[] {Path.class}, other)));
        assertTrue(e.getMessage().startsWith(other + ": these parameters were trained with another preprocessing (encoding "), e.getMessage());
        assertTrue(e.getMessage().endsWith("than BuyerEncoder, generated from buyer.safetensors (encoding "
                + encoder.getField("FINGERPRINT").get(null) + "): generate the encoder again, from this file (nnc compile --preprocessing)"),
                e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void badRowsAreRefusedNamingTheColumn() throws Throwable {
        Path model = write("shop.nn", MODEL);
        Path params = dir.resolve("buyer.safetensors");
        Cli.Run r = Cli.run("train", model.toString(), "--data", write("train.csv", rows(new Random(1), 0, 100, false)).toString(),
                "--epochs", "1", "--progress", "none", "--save", params.toString());
        assertEquals(0, r.code(), r.all());
        Path out = dir.resolve("out");
        assertEquals(0, Cli.run("compile", model.toString(), "--preprocessing", params.toString(), "-d", out.toString()).code());
        Class<?> encoder = compile(out).get("BuyerEncoder");
        float[] row = new float[6];
        Class<?>[] byOrder = {String[].class, float[].class, int.class}, byName = {Map.class, float[].class, int.class};
        Throwable e = thrown(() -> call(encoder, null, "encode", byOrder, new String[] {"forty", "1", "Lyon"}, row, 0));
        assertEquals("column 'age': \"forty\" is not a number, but the column is numeric (it was numeric in the training data);"
                + " fix the value or mark it missing", assertInstanceOf(IllegalArgumentException.class, e).getMessage());
        e = thrown(() -> call(encoder, null, "encode", byName, Map.of("age", "40", "incme", "1", "city", "Lyon"), row, 0));
        assertEquals("row: no value for column 'income' (null marks a missing value); the columns are [age, income, city]",
                assertInstanceOf(IllegalArgumentException.class, e).getMessage());
        e = thrown(() -> call(encoder, null, "encode", byOrder, new String[] {"40", "1", "Lyon"}, row, 1));
        assertEquals("needs 6 values from offset 1, got an array of 6", assertInstanceOf(IllegalArgumentException.class, e).getMessage());
        // by name and by order agree; a reused array is overwritten everywhere
        float[] a = new float[6], b = new float[6];
        java.util.Arrays.fill(b, 9);
        Map<String, String> named = new HashMap<>(Map.of("age", "40", "income", "52000", "extra", "ignored"));
        named.put("city", null);
        call(encoder, null, "encode", byOrder, new String[] {"40", "52000", null}, a, 0);
        call(encoder, null, "encode", byName, named, b, 0);
        assertArrayEquals(a, b);
        assertEquals(1f, a[5], "the missing-value indicator of city");
    }
}
