package io.fusionpipe.train.model;

import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets a learning rate per layer of a graph and keeps the optimiser's state (Adam's moments) of every
 * parameter. Needed because DL4J 1.0.0-M2.1's own per-layer setter ({@code ComputationGraph.setLearningRate(layer, lr)})
 * throws a NullPointerException in {@code NetworkUtils.rebuildUpdaterStateArray} on any graph with batch
 * normalisation: giving one layer its own rate splits the updater's blocks (parameters that share an
 * updater configuration), and its rearrangement of the state skips blocks without state (the running
 * mean and variance, updated without an optimiser) and then looks them up.
 *
 * <p>Here the state is collected per parameter from the old blocks, the updater is rebuilt from the new
 * rates, and each new block's state is assembled from the same parameters' slices; blocks without state
 * are skipped on both sides.
 */
public final class LayerLearningRates {

    private LayerLearningRates() {
    }

    /** Every layer with an optimiser at {@code rate}, those named in {@code overrides} at theirs. */
    public static void apply(ComputationGraph net, double rate, Map<String, Double> overrides) {
        for (String name : overrides.keySet()) {
            if (!net.getConfiguration().getVertices().containsKey(name)) {
                throw new IllegalArgumentException("no layer " + name + " in the graph");
            }
        }
        ComputationGraphUpdater old = net.getUpdater(true);
        // no optimiser state yet: nothing to carry over
        Map<String, List<INDArray>> state = old.getStateViewArray() == null ? null : statePerParameter(old);
        for (var layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base) {
                double lr = overrides.getOrDefault(layer.conf().getLayer().getLayerName(), rate);
                setRate(base.getIUpdater(), lr);
                setRate(base.getBiasUpdater(), lr);
            }
        }
        net.setUpdater(null);
        ComputationGraphUpdater rebuilt = net.getUpdater(true);
        if (state == null) {
            return;
        }
        List<INDArray> parts = new ArrayList<>();
        for (UpdaterBlock block : rebuilt.getUpdaterBlocks()) {
            int k = multiplier(block);
            for (int sub = 0; sub < k; sub++) {
                for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                    parts.add(state.get(key(p)).get(sub));
                }
            }
        }
        if (!parts.isEmpty()) {
            INDArray joined = Nd4j.hstack(parts.stream().map(a -> a.reshape(1, a.length())).toList());
            if (joined.length() != old.getStateViewArray().length()) {
                throw new IllegalStateException("updater state length changed: " + old.getStateViewArray().length() + " -> " + joined.length());
            }
            rebuilt.getStateViewArray().assign(joined.reshape(rebuilt.getStateViewArray().shape()));
        }
    }

    private static void setRate(IUpdater u, double lr) {
        if (u != null && u.hasLearningRate()) {
            u.setLrAndSchedule(lr, null);
        }
    }

    /** Copies of each parameter's state slices (one per state component, e.g. Adam's m and v), by layer and parameter. */
    static Map<String, List<INDArray>> statePerParameter(ComputationGraphUpdater updater) {
        Map<String, List<INDArray>> out = new HashMap<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            int k = multiplier(block);
            long blockParams = block.getParamOffsetEnd() - block.getParamOffsetStart();
            INDArray view = block.getUpdaterView();
            for (int sub = 0; sub < k; sub++) {
                long offset = sub * blockParams;
                for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                    long n = p.getParamView().length();
                    out.computeIfAbsent(key(p), x -> new ArrayList<>())
                            .add(view.reshape(view.length()).get(NDArrayIndex.interval(offset, offset + n)).dup());
                    offset += n;
                }
            }
        }
        return out;
    }

    /** State elements per parameter in a block: 0 (no optimiser state), 1 or 2 (Adam). */
    private static int multiplier(UpdaterBlock block) {
        int params = block.getParamOffsetEnd() - block.getParamOffsetStart();
        int state = block.getUpdaterViewOffsetEnd() - block.getUpdaterViewOffsetStart();
        return params == 0 ? 0 : state / params;
    }

    private static String key(UpdaterBlock.ParamState p) {
        Trainable t = p.getLayer();
        return t.getConfig().getLayerName() + "/" + p.getParamName();
    }
}
