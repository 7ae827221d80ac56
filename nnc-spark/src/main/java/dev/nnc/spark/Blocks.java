package dev.nnc.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/** Turns the rows of a {@code Dataset<Row>} into one {@link Block} per partition. */
final class Blocks {
    private Blocks() {}

    /**
     * The blocks of {@code data}: the values of {@code featureColumns} (numeric, or arrays of
     * numbers, flattened in order) as each row's features, those of {@code targetColumns} as its
     * target. Partitions stay as they are (one block each, possibly empty).
     *
     * <p>The blocks go through a shuffle into the same partitions. Every training step runs tasks
     * on them, and a task carries its RDD's lineage up to the last shuffle: without one, that is
     * the whole query that made {@code data} (and for a Dataset made from a local collection, its
     * rows themselves: 0.7–1 s per step instead of 30–50 ms for the house-price data on a loaded
     * 2-core machine). A shuffle keeps fault tolerance (lost blocks are recomputed from the
     * lineage), unlike a local checkpoint, and costs one write of the data per fit.
     *
     * @throws IllegalArgumentException if a column is missing or not numeric
     */
    static JavaRDD<Block> of(Dataset<Row> data, List<String> featureColumns, List<String> targetColumns, boolean f32, boolean classLabels) {
        StructType schema = data.schema();
        List<Column> cols = new ArrayList<>();
        for (String c : featureColumns) cols.add(column(schema, c, "feature"));
        for (String c : targetColumns) cols.add(column(schema, c, "target"));
        List<String> names = new ArrayList<>(featureColumns);
        names.addAll(targetColumns);
        int nf = featureColumns.size();
        JavaRDD<Block> converted = data.select(cols.toArray(Column[]::new)).javaRDD().mapPartitionsWithIndex(
                (index, rows) -> List.of(convert(index, rows, names, nf, f32, classLabels)).iterator(), true);
        return converted.mapToPair(b -> new Tuple2<>(b.partition, b)).partitionBy(new SamePartition(converted.getNumPartitions())).values();
    }

    /** Sends the block of partition i to partition i. */
    static final class SamePartition extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        SamePartition(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SamePartition p && p.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }

    private static Column column(StructType schema, String name, String role) {
        StructField f;
        try {
            f = schema.apply(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no column named '" + name + "' (a " + role + " column); the columns are "
                    + String.join(", ", schema.fieldNames()), e);
        }
        DataType t = f.dataType();
        boolean ok = t instanceof NumericType || (t instanceof ArrayType a && a.elementType() instanceof NumericType);
        if (!ok) {
            throw new IllegalArgumentException(role + " column '" + name + "' is " + t.simpleString()
                    + "; a model takes numbers (numeric columns or arrays of numbers): encode it first");
        }
        return functions.col(name);
    }

    private static Block convert(int partition, Iterator<Row> rows, List<String> names, int nf, boolean f32, boolean classLabels) {
        Growable x = new Growable(f32), y = new Growable(f32 && !classLabels);
        int n = 0, fw = -1, tw = -1;
        while (rows.hasNext()) {
            Row r = rows.next();
            int beforeX = x.size, beforeY = y.size;
            for (int i = 0; i < names.size(); i++) {
                Object v = r.get(i);
                Growable into = i < nf ? x : y;
                if (v == null) throw nullValue(names.get(i), partition, n);
                if (v instanceof Number num) {
                    into.add(num, names.get(i), classLabels && i >= nf);
                } else {
                    for (Object e : r.getList(i)) {
                        if (e == null) throw nullValue(names.get(i), partition, n);
                        into.add((Number) e, names.get(i), classLabels && i >= nf);
                    }
                }
            }
            int rowX = x.size - beforeX, rowY = y.size - beforeY;
            if (n == 0) {
                fw = rowX;
                tw = rowY;
            } else if (rowX != fw || rowY != tw) {
                throw new IllegalArgumentException("row " + n + " of partition " + partition + " has " + rowX + " feature and " + rowY
                        + " target values, but the partition's first row has " + fw + " and " + tw + " (arrays of different lengths?)");
            }
            n++;
        }
        return new Block(partition, n, fw, tw, x.toArray(), classLabels ? y.toInts() : y.toArray());
    }

    private static IllegalArgumentException nullValue(String column, int partition, int row) {
        return new IllegalArgumentException("column '" + column + "' is null in row " + row + " of partition " + partition
                + "; every feature and target needs a value (fill or drop missing values first)");
    }

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** A growable array of doubles (or floats), for one partition's values. */
    private static final class Growable {
        final boolean f32;
        double[] d = new double[1024];
        int size;

        Growable(boolean f32) {
            this.f32 = f32;
        }

        void add(Number v, String column, boolean classLabel) {
            double value = v.doubleValue();
            if (classLabel && (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("target column '" + column + "' holds " + v + ", but the model takes class labels (integers)");
            }
            if (size == d.length) {
                if (size == MAX_ARRAY) {
                    throw new IllegalArgumentException("a partition holds more than " + MAX_ARRAY + " values of column '" + column
                            + "' and the columns before it, more than a Java array holds: repartition the data into more partitions");
                }
                d = java.util.Arrays.copyOf(d, (int) Math.min(MAX_ARRAY, Math.max(1024L, d.length * 2L)));
            }
            d[size++] = value;
        }

        Object toArray() {
            if (!f32) return java.util.Arrays.copyOf(d, size);
            float[] f = new float[size];
            for (int i = 0; i < size; i++) f[i] = (float) d[i];
            return f;
        }

        int[] toInts() {
            int[] r = new int[size];
            for (int i = 0; i < size; i++) r[i] = (int) d[i];
            return r;
        }
    }
}
