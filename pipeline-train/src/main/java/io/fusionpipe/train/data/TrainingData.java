package io.fusionpipe.train.data;

import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersion;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * A split of a dataset version as an RDD of MultiDataSets of {@code batchSize} examples, built on
 * the executors from the Parquet rows (image bytes and token ids); the driver never holds the data.
 * Not cached: DL4J's Direct training approach refuses cached RDDs (notes, pitfall 8).
 */
public final class TrainingData {

    private TrainingData() {
    }

    public static JavaRDD<MultiDataSet> batches(SparkSession spark, DatasetVersion ds, String split, int batchSize, int partitions) {
        int vocab = ds.vocabulary().size();
        int maxTokens = ds.maxTokens();
        int w = ds.width();
        int h = ds.height();
        JavaRDD<Row> rows = spark.read().parquet(ds.split(split).toString())
                .select(col(DatasetSchema.IMAGE + ".bytes"), col(DatasetSchema.TOKENS)).toJavaRDD();
        if (partitions > 0) {
            rows = rows.repartition(partitions);
        }
        return rows.mapPartitions(it -> {
            List<MultiDataSet> out = new ArrayList<>();
            List<CaptionBatches.Example> batch = new ArrayList<>(batchSize);
            while (it.hasNext()) {
                Row r = it.next();
                List<Integer> t = r.getList(1);
                int[] ids = new int[t.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = t.get(i);
                }
                batch.add(new CaptionBatches.Example((byte[]) r.get(0), ids));
                if (batch.size() == batchSize) {
                    out.add(CaptionBatches.toMultiDataSet(batch, vocab, maxTokens, w, h));
                    batch = new ArrayList<>(batchSize);
                }
            }
            if (!batch.isEmpty()) {
                out.add(CaptionBatches.toMultiDataSet(batch, vocab, maxTokens, w, h));
            }
            return out.iterator();
        });
    }
}
