package io.fusionpipe.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * Mean loss per example of a model over an RDD of batches, computed on the executors from the
 * serialised model. (DL4J's own Spark scoring rebuilds the graph from JSON and fails on graphs
 * with an AttentionVertex: "Network did not have same number of parameters as the broadcast set
 * parameters".)
 */
final class SparkScores {

    private SparkScores() {
    }

    static double meanLoss(JavaSparkContext jsc, ComputationGraph model, JavaRDD<MultiDataSet> batches) throws IOException {
        Broadcast<byte[]> bytes = jsc.broadcast(TrainPipeline.serialize(model));
        double[] total = batches.mapPartitions(it -> {
            if (!it.hasNext()) {
                return List.<double[]>of().iterator();
            }
            ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.value()), false);
            double sum = 0;
            double n = 0;
            while (it.hasNext()) {
                MultiDataSet mds = it.next();
                long k = mds.getFeatures(0).size(0);
                sum += g.score(mds, false) * k;
                n += k;
            }
            return List.of(new double[]{sum, n}).iterator();
        }).fold(new double[]{0, 0}, (a, b) -> new double[]{a[0] + b[0], a[1] + b[1]});
        bytes.destroy();
        return total[1] == 0 ? Double.NaN : total[0] / total[1];
    }
}
