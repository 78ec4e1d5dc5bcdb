package io.fusionpipe.train.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.AttentionVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Floating-point operations of a fusion model per example, counted from its layers: every weight is
 * one multiply-add (2 FLOPs) at each position it is applied to (each output pixel of a convolution,
 * each time step of a recurrent layer, once for a dense layer), plus attention's score and mixing
 * products. Biases, activations and pooling are left out (they are small next to the products).
 * Training is counted as 3x the forward pass (forward, and backward for inputs and weights).
 */
public final class ModelFlops {

    private ModelFlops() {
    }

    /** Forward FLOPs per example, per vertex with weights, and the total under "total". */
    public static Map<String, Long> forward(ComputationGraph g, ModelSpec s) {
        ComputationGraphConfiguration conf = g.getConfiguration();
        InputType image = InputType.convolutional(s.imageHeight(), s.imageWidth(), 3);
        InputType tokens = InputType.recurrent(s.vocabSize(), s.maxTokens() - 1);
        Map<String, InputType> types = conf.getLayerActivationTypes(image, tokens);
        types.put(FusionModels.IMAGE, image);
        types.put(FusionModels.TOKENS, tokens);
        long steps = s.maxTokens() - 1; // DL4J's recurrent activation types do not carry the length
        Map<String, Long> out = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            String name = e.getKey();
            long params = g.getVertex(name).numParams();
            if (params == 0) {
                continue;
            }
            long flops;
            if (e.getValue() instanceof AttentionVertex att) {
                List<String> in = conf.getVertexInputs().get(name);
                long queries = positions(types.get(in.get(0)), steps);
                long keys = positions(types.get(in.get(1)), steps);
                // projections of queries (per query) and of keys/values (per key), then scores and mixing
                flops = 2 * params * Math.max(queries, keys) + 4 * queries * keys * att.getHeadSize() * att.getNHeads();
            } else if (e.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof EmbeddingSequenceLayer) {
                flops = 0; // a table lookup
            } else if (e.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization) {
                // gamma, beta, mean, variance per channel: one multiply-add per element
                flops = 2 * (params / 4) * positions(types.get(name), steps);
            } else {
                flops = 2 * params * positions(types.get(name), steps);
            }
            out.put(name, flops);
            total += flops;
        }
        out.put("total", total);
        return out;
    }

    /** Training FLOPs per example: 3 x forward. */
    public static long training(ComputationGraph g, ModelSpec s) {
        return 3 * forward(g, s).get("total");
    }

    /** Spatial or temporal positions of an activation (1 for feed-forward). */
    static long positions(InputType t, long steps) {
        return switch (t.getType()) {
            case CNN -> t.getShape(false)[1] * t.getShape(false)[2];
            case RNN -> steps;
            default -> 1;
        };
    }

    /** GFLOP/s of ND4J's float GEMM on n x n matrices here (warm-up, then about {@code seconds} of repeats). */
    public static double gemmGflops(int n, double seconds) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.zeros(DataType.FLOAT, n, n);
        for (int i = 0; i < 3; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        long reps = 0;
        long t0 = System.nanoTime();
        long limit = (long) (seconds * 1e9);
        while (System.nanoTime() - t0 < limit) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            reps++;
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return 2.0 * n * n * (double) n * reps / elapsed / 1e9;
    }
}
