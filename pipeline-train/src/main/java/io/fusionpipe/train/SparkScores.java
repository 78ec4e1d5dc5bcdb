package io.fusionpipe.train;

import io.fusionpipe.train.backend.Nd4jThreads;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * Teacher-forced scores of a model over an RDD of batches, computed on the executors from the
 * serialised model in one forward pass per batch. (DL4J's own Spark scoring rebuilds the graph from
 * JSON and fails on graphs with an AttentionVertex: "Network did not have same number of
 * parameters as the broadcast set parameters".)
 */
final class SparkScores {

    /** Loss per caption (summed cross-entropy of its tokens, nats), next-token accuracy and perplexity per token. */
    record Score(double lossPerCaption, double tokenAccuracy, double perplexity, long captions, long tokens) {
        static final Score EMPTY = new Score(Double.NaN, Double.NaN, Double.NaN, 0, 0);
    }

    private SparkScores() {
    }

    /** Scores {@code batches}; each task restores its own copy of the model and runs it with {@code threads} per ND4J op. */
    static Score score(JavaSparkContext jsc, ComputationGraph model, JavaRDD<MultiDataSet> batches, int threads) throws IOException {
        Broadcast<byte[]> bytes = jsc.broadcast(TrainPipeline.serialize(model));
        // [loss sum, correct tokens, tokens, captions]
        double[] total = batches.mapPartitions(it -> {
            Nd4jThreads.apply(threads);
            if (!it.hasNext()) {
                return List.<double[]>of().iterator();
            }
            ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.value()), false);
            double[] sum = new double[4];
            while (it.hasNext()) {
                add(sum, batchTotals(g, it.next()));
            }
            return List.of(sum).iterator();
        }).fold(new double[4], (a, b) -> {
            double[] c = a.clone();
            add(c, b);
            return c;
        });
        bytes.destroy();
        if (total[3] == 0 || total[2] == 0) {
            return Score.EMPTY;
        }
        return new Score(total[0] / total[3], total[1] / total[2], Math.exp(total[0] / total[2]), (long) total[3], (long) total[2]);
    }

    /** Summed loss, correct next tokens, tokens and captions of one batch (labels one-hot [mb, V, T], mask [mb, T]). */
    static double[] batchTotals(ComputationGraph g, MultiDataSet mds) {
        INDArray out = g.output(false, mds.getFeatures(), mds.getFeaturesMaskArrays(), mds.getLabelsMaskArrays())[0];
        INDArray labels = mds.getLabels(0);
        INDArray mask = mds.getLabelsMaskArray(0).castTo(DataType.FLOAT);
        INDArray pLabel = out.mul(labels).sum(1);
        double loss = -Transforms.log(Transforms.max(pLabel, 1e-10, false), false).muli(mask).sumNumber().doubleValue();
        double correct = out.argMax(1).eq(labels.argMax(1)).castTo(DataType.FLOAT).muli(mask).sumNumber().doubleValue();
        return new double[]{loss, correct, mask.sumNumber().doubleValue(), labels.size(0)};
    }

    private static void add(double[] into, double[] b) {
        for (int i = 0; i < into.length; i++) {
            into[i] += b[i];
        }
    }
}
