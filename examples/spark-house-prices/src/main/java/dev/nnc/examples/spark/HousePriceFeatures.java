package dev.nnc.examples.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * d2l's preprocessing of the Kaggle house prices ("Predicting House Prices on Kaggle"), in Spark
 * SQL: numeric columns standardized with the statistics of the training and test features
 * together, missing numbers 0; text columns one-hot, one feature per category (sorted) plus a
 * missing-value indicator; the target is the standardized log price. The result has a column
 * {@code features} (an array of doubles) and {@code y} (the target), plus {@code Id} and
 * {@code SalePrice}.
 *
 * @param data        the training rows, preprocessed
 * @param width       the number of features
 * @param logMean     mean of the training rows' log price
 * @param logStd      sample standard deviation of the training rows' log price
 * @param numeric     numeric columns
 * @param categorical text columns
 */
public record HousePriceFeatures(Dataset<Row> data, int width, double logMean, double logStd, List<String> numeric, List<String> categorical) {
    static final String ID = "Id", TARGET = "SalePrice";

    /** Reads a CSV file as pandas does for this data: a header, "NA" missing, types inferred. */
    static Dataset<Row> read(SparkSession spark, String path) {
        return spark.read().option("header", "true").option("inferSchema", "true").option("nullValue", "NA").csv(path);
    }

    /**
     * Preprocesses {@code trainPath}; the feature statistics also use {@code testPath}'s rows
     * when it is given (d2l fits them on both files).
     */
    public static HousePriceFeatures of(SparkSession spark, String trainPath, String testPath) {
        Dataset<Row> train = read(spark, trainPath);
        Dataset<Row> test = testPath == null ? null : read(spark, testPath);
        List<String> numeric = new ArrayList<>(), categorical = new ArrayList<>();
        for (StructField f : train.schema().fields()) {
            if (f.name().equals(ID) || f.name().equals(TARGET)) continue;
            boolean isNumber = f.dataType() instanceof NumericType
                    && (test == null || test.schema().apply(f.name()).dataType() instanceof NumericType);
            (isNumber ? numeric : categorical).add(f.name());
        }
        Dataset<Row> all = features(train, numeric, categorical);
        if (test != null) all = all.unionByName(features(test, numeric, categorical));

        // one pass for every statistic: mean and sample std of each numeric column, the categories of each text column
        List<Column> aggs = new ArrayList<>();
        for (String c : numeric) {
            aggs.add(avg(c));
            aggs.add(stddev_samp(c));
        }
        for (String c : categorical) aggs.add(collect_set(c));
        Row stats = all.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();

        List<Column> encoded = new ArrayList<>();
        int i = 0;
        for (String c : numeric) {
            Double mean = (Double) stats.get(i++), std = (Double) stats.get(i++);
            boolean constant = mean == null || std == null || std == 0;
            encoded.add(constant ? lit(0.0) : coalesce(col(c).cast("double").minus(mean).divide(std), lit(0.0)));
        }
        for (String c : categorical) {
            Set<String> categories = new TreeSet<>(stats.getList(i++));
            for (String v : categories) encoded.add(when(col(c).equalTo(v), 1.0).otherwise(0.0));
            encoded.add(when(col(c).isNull(), 1.0).otherwise(0.0));
        }
        Row target = train.agg(avg(log(col(TARGET))), stddev_samp(log(col(TARGET)))).first();
        double logMean = target.getDouble(0), logStd = target.getDouble(1);
        Dataset<Row> data = train.select(col(ID), col(TARGET).cast(DataTypes.DoubleType).as(TARGET),
                array(encoded.toArray(Column[]::new)).as("features"),
                log(col(TARGET)).minus(logMean).divide(logStd).as("y"));
        return new HousePriceFeatures(data, encoded.size(), logMean, logStd, numeric, categorical);
    }

    /** The feature columns of a file, numeric ones as doubles (so that train and test rows union whatever was inferred). */
    private static Dataset<Row> features(Dataset<Row> d, List<String> numeric, List<String> categorical) {
        List<Column> cols = new ArrayList<>();
        for (String c : numeric) cols.add(col(c).cast(DataTypes.DoubleType).as(c));
        for (String c : categorical) cols.add(col(c).cast(DataTypes.StringType).as(c));
        return d.select(cols.toArray(Column[]::new));
    }

    /** The column lists, for a message. */
    String describe() {
        return numeric.size() + " numeric columns + " + categorical.size() + " text columns = " + width + " features";
    }
}
