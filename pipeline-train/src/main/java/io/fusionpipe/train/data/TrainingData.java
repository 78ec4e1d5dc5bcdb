package io.fusionpipe.train.data;

import io.fusionpipe.train.backend.Nd4jThreads;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersion;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;

/**
 * A split of a dataset version as an RDD of MultiDataSets of {@code batchSize} examples, built on
 * the executors from the Parquet rows (image bytes and token ids); the driver never holds the data.
 * Not cached: DL4J's Direct training approach refuses cached RDDs (notes, pitfall 8).
 */
public final class TrainingData {

    private TrainingData() {
    }

    public static JavaRDD<MultiDataSet> batches(SparkSession spark, DatasetVersion ds, String split, int batchSize, int partitions) {
        return batches(spark, ds, split, batchSize, partitions, CaptionBatches.Blanking.NONE, 0, -1);
    }

    /**
     * As above with modality dropout, drawn per partition from {@code seed} (reproducible for a given
     * partitioning), and ND4J's threads per op set on each executor before its first batch
     * ({@link Nd4jThreads#apply}; -1 leaves them to whoever consumes the batches).
     */
    public static JavaRDD<MultiDataSet> batches(SparkSession spark, DatasetVersion ds, String split, int batchSize, int partitions,
                                                CaptionBatches.Blanking blanking, long seed, int nd4jThreads) {
        Dataset<Row> df = rows(spark, ds, split);
        if (partitions > 0) {
            // a seeded shuffle: another order each epoch (seed), the same order for the same seed
            df = df.withColumn("_order", rand(seed)).repartition(partitions, col("_order")).sortWithinPartitions("_order");
        }
        return toBatches(df.toJavaRDD(), ds, batchSize, blanking, seed, nd4jThreads);
    }

    /**
     * About {@code fraction} of a split's rows (seeded), in batches: the rows are drawn before any image
     * is decoded, so a sample costs its own size, not the split's.
     */
    public static JavaRDD<MultiDataSet> sample(SparkSession spark, DatasetVersion ds, String split, int batchSize, int partitions,
                                               double fraction, long seed) {
        JavaRDD<Row> sampled = rows(spark, ds, split).sample(false, fraction, seed).toJavaRDD();
        return toBatches(partitions > 0 ? sampled.repartition(partitions) : sampled, ds, batchSize,
                CaptionBatches.Blanking.NONE, seed, -1);
    }

    /** A split's encoded images and tokens: what a batch is built from. */
    private static Dataset<Row> rows(SparkSession spark, DatasetVersion ds, String split) {
        return spark.read().parquet(ds.split(split).toString())
                .select(col(DatasetSchema.IMAGE + ".bytes"), col(DatasetSchema.TOKENS));
    }

    private static JavaRDD<MultiDataSet> toBatches(JavaRDD<Row> rows, DatasetVersion ds, int batchSize,
                                                   CaptionBatches.Blanking blanking, long seed, int nd4jThreads) {
        int vocab = ds.vocabulary().size();
        int maxTokens = ds.maxTokens();
        int w = ds.width();
        int h = ds.height();
        return rows.mapPartitionsWithIndex((index, it) -> {
            Nd4jThreads.apply(nd4jThreads);
            Random random = new Random(seed * 1_000_003L + index);
            // Lazy: one batch is built when the trainer asks for it, so a partition never sits in memory whole.
            return new Iterator<MultiDataSet>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public MultiDataSet next() {
                    List<CaptionBatches.Example> batch = new ArrayList<>(batchSize);
                    while (it.hasNext() && batch.size() < batchSize) {
                        Row r = it.next();
                        List<Integer> t = r.getList(1);
                        int[] ids = new int[t.size()];
                        for (int i = 0; i < ids.length; i++) {
                            ids[i] = t.get(i);
                        }
                        batch.add(new CaptionBatches.Example((byte[]) r.get(0), ids));
                    }
                    if (batch.isEmpty()) {
                        throw new NoSuchElementException();
                    }
                    return CaptionBatches.toMultiDataSet(batch, vocab, maxTokens, w, h, blanking, random);
                }
            };
        }, false);
    }
}
