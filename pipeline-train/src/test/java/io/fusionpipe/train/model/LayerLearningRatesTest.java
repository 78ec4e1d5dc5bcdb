package io.fusionpipe.train.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerLearningRatesTest {

    @Test
    void aZeroRateStopsOneLayerKeepsEveryParametersOptimiserStateAndCanBeLifted() {
        for (Variant v : Variant.values()) {
            ComputationGraph g = FusionModels.build(v, FusionModelsTest.small());
            MultiDataSet data = FusionModelsTest.batch(8, 3);
            g.fit(data);
            int blocksBefore = g.getUpdater().getUpdaterBlocks().size();
            Map<String, List<INDArray>> stateBefore = LayerLearningRates.statePerParameter(g.getUpdater());
            List<String> encoder = FusionModels.encoderPath(v, FusionModelsTest.small());
            Map<String, Double> frozen = new HashMap<>();
            encoder.forEach(l -> frozen.put(l, 0.0));
            // DL4J's own ComputationGraph.setLearningRate(layer, 0) throws a NullPointerException on these graphs
            LayerLearningRates.apply(g, 0.01, frozen);

            // read through the new blocks' layout (split where the rates differ now)
            assertTrue(g.getUpdater().getUpdaterBlocks().size() > blocksBefore, v.name());
            Map<String, List<INDArray>> stateAfter = LayerLearningRates.statePerParameter(g.getUpdater());
            assertEquals(stateBefore.keySet(), stateAfter.keySet(), v.name());
            stateBefore.forEach((p, st) -> assertEquals(st, stateAfter.get(p), v + " " + p + "'s optimiser state is carried over"));

            String conv = encoder.get(0);
            INDArray convBefore = g.getLayer(conv).params().dup();
            INDArray embedBefore = g.getLayer("embed").params().dup();
            g.fit(data);
            assertEquals(convBefore, g.getLayer(conv).params(), v + ": " + conv + " at rate 0 does not move");
            assertNotEquals(embedBefore, g.getLayer("embed").params(), v + ": the other layers train");

            LayerLearningRates.apply(g, 0.01, Map.of());
            g.fit(data);
            assertNotEquals(convBefore, g.getLayer(conv).params(), v + ": " + conv + " trains again");
        }
    }

    @Test
    void anUnknownLayerIsNamed() {
        ComputationGraph g = FusionModels.build(Variant.LATE, FusionModelsTest.small());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerLearningRates.apply(g, 0.01, Map.of("no_such_layer", 0.0)));
        assertTrue(e.getMessage().contains("no_such_layer"), e.getMessage());
    }
}
