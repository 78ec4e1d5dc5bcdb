package io.fusionpipe.train;

import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.train.cluster.EpochSync;
import io.fusionpipe.train.data.TrainingData;
import io.fusionpipe.train.model.FusionModels;
import io.fusionpipe.train.model.LayerLearningRates;
import io.fusionpipe.train.model.Variant;
import org.apache.spark.SparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the driver changes between epochs reaches the model the workers train. On local[2] the
 * worker's replica is a copy deserialized from DL4J's broadcast, as on a cluster, so a change that
 * stays on the driver shows here too.
 */
class EpochSyncTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(TrainPipeline.SPARK_CONF,
            "train.model.embedding=16", "train.model.hidden=24", "train.model.patch-size=8", "train.model.cnn-channels=[4, 8]",
            "train.batch-size=8", "train.learning-rate=0.01", "train.model.dropout=0", "train.shared.port=40341");

    static DatasetVersion dataset;

    @BeforeAll
    static void publish() throws Exception {
        dataset = ColourCards.publish(SPARK, "colours");
    }

    @Test
    void everyWorkerStartsEachEpochFromTheDriversRatesAndParameters() {
        SparkContext sc = SPARK.session().sparkContext();
        TrainSettings s = TrainSettings.of(SPARK.config());
        ComputationGraph graph = FusionModels.build(Variant.INTERMEDIATE, s.modelSpec(dataset.vocabulary().size(), 12, 32, 48));
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, graph, TrainPipeline.trainingMaster(s, sc));
        EpochSync sync = new EpochSync(sc);
        var data = TrainingData.batches(SPARK.session(), dataset, "train", 8, 2);
        for (int epoch = 1; epoch <= 3; epoch++) {
            ComputationGraph net = sparkNet.getNetwork();
            double rate = 0.01 / epoch;
            // epoch 3 freezes the first convolution, as fine-tuning does
            Map<String, Double> layerRates = epoch == 3 ? Map.of("conv0", 0.0) : Map.of();
            LayerLearningRates.apply(net, rate, layerRates);
            // a driver-side change of parameters, as batch-norm re-estimation or restoring a frozen encoder makes
            net.getLayer("norm0").params().addi(0.25);
            EpochSync.State state = EpochSync.State.of("sync-test", epoch, rate, layerRates, net);
            sparkNet.setListeners(sync.listenerFor(state));
            sparkNet.fitMultiDataSet(data);
            List<String> problems = sync.verify(state);
            assertEquals(List.of(), problems, "epoch " + epoch);
            assertFalse(sync.reporters(state).isEmpty(), "a worker reported epoch " + epoch);
        }
        sync.release();
    }

    @Test
    void aWorkerThatTrainedFromOtherRatesOrParametersIsNamed() {
        SparkContext sc = SPARK.session().sparkContext();
        TrainSettings s = TrainSettings.of(SPARK.config());
        ComputationGraph net = FusionModels.build(Variant.EARLY, s.modelSpec(dataset.vocabulary().size(), 12, 32, 48));
        EpochSync.State expected = EpochSync.State.of("other", 2, 0.01, Map.of(), net);
        EpochSync sync = new EpochSync(sc);
        sync.listenerFor(expected);
        List<String> none = sync.verify(expected);
        assertTrue(none.size() == 1 && none.get(0).contains("no executor reported"), none.toString());
        sync.release();
        assertEquals("lr 1.00e-02 (conv0, norm0: 0.00e+00)", EpochSync.compact(new java.util.TreeMap<>(
                Map.of("conv0", 0.0, "norm0", 0.0, "lstm", 0.01, "out", 0.01, "embed", 0.01))));
    }
}
