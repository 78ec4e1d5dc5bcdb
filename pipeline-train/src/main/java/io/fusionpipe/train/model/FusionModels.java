package io.fusionpipe.train.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.AttentionVertex;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.rnn.DuplicateToTimeSeriesVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three fusion variants as DL4J ComputationGraphs with the same inputs and output:
 * inputs {@code image} [mb, 3, H, W] (normalised pixels) and {@code tokens} [mb, 1, T] (token ids of
 * the caption shifted right, starting with {@code <bos>}), output {@code out} [mb, V, T] (softmax over
 * the next token), masks [mb, T] on tokens and labels.
 */
public final class FusionModels {

    public static final String IMAGE = "image";
    public static final String TOKENS = "tokens";
    public static final String OUT = "out";
    /** Input of the decoder-only graph: the image encoder's output. */
    public static final String FEATURES = "image_features";
    /** Standard deviation of the token embeddings' initial rows. */
    static final double EMBEDDING_STD = 0.5;

    private FusionModels() {
    }

    public static ComputationGraph build(Variant variant, ModelSpec spec) {
        ComputationGraph g = new ComputationGraph(configuration(variant, spec));
        g.init();
        return g;
    }

    public static ComputationGraphConfiguration configuration(Variant variant, ModelSpec s) {
        return configuration(variant, s, false);
    }

    /**
     * The graph without its image encoder: input {@link #FEATURES} takes the encoder's output (see
     * {@link #encoderPath}) in place of the image, so decoding computes the encoder once per image,
     * not once per generated token. Same vertex names and parameter shapes as the full graph.
     */
    public static ComputationGraphConfiguration decoderConfiguration(Variant variant, ModelSpec s) {
        return configuration(variant, s, true);
    }

    /** The image encoder's layers in order, image to {@link #FEATURES} (a chain: each feeds the next). */
    public static List<String> encoderPath(Variant variant, ModelSpec s) {
        if (variant == Variant.EARLY) {
            return List.of("patches", "patch_norm", "patch_pool", "pool_norm");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.cnnChannels().size(); i++) {
            out.add("conv" + i);
            out.add("norm" + i);
            out.add("pool" + i);
        }
        return out;
    }

    private static ComputationGraphConfiguration configuration(Variant variant, ModelSpec s, boolean decoderOnly) {
        NeuralNetConfiguration.Builder nn = new NeuralNetConfiguration.Builder()
                .seed(s.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(s.learningRate()))
                .weightInit(WeightInit.XAVIER);
        if (s.gradientClip() > 0) {
            nn.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(s.gradientClip());
        }
        ComputationGraphConfiguration.GraphBuilder g = nn
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs(decoderOnly ? FEATURES : IMAGE, TOKENS)
                // Token ids come as [mb, 1, T]; declaring the vocabulary as the input size keeps the
                // embedding's nIn (DL4J M2.1 would otherwise overwrite it with 1).
                .setInputTypes(decoderOnly ? featureType(variant, s) : InputType.convolutional(s.imageHeight(), s.imageWidth(), 3),
                        InputType.recurrent(s.vocabSize(), s.maxTokens()))
                // N(0, 0.5) rows instead of Xavier: with tiny embeddings the LSTMs barely see the text
                // at first (docs/training.md, "Why the models are built this way")
                .addLayer("embed", new EmbeddingSequenceLayer.Builder().nIn(s.vocabSize()).nOut(s.embedding())
                        .weightInit(new NormalDistribution(0, EMBEDDING_STD)).build(), TOKENS);
        switch (variant) {
            case EARLY -> early(g, s, decoderOnly ? FEATURES : patches(g, s));
            case INTERMEDIATE -> intermediate(g, s, decoderOnly ? FEATURES : cnn(g, s));
            case LATE -> late(g, s, decoderOnly ? FEATURES : cnn(g, s));
            default -> throw new IllegalStateException(variant.name());
        }
        return g.setOutputs(OUT).build();
    }

    private static InputType featureType(Variant variant, ModelSpec s) {
        if (variant == Variant.EARLY) {
            return InputType.feedForward(s.patchChannels());
        }
        int down = s.cnnStemStride() << s.cnnChannels().size();
        return InputType.convolutional(s.imageHeight() / down, s.imageWidth() / down, s.gridChannels());
    }

    private static String patches(ComputationGraphConfiguration.GraphBuilder g, ModelSpec s) {
        g.addLayer("patches", new ConvolutionLayer.Builder(s.patchSize(), s.patchSize()).stride(s.patchSize(), s.patchSize())
                        .nOut(s.patchChannels()).activation(Activation.IDENTITY).build(), IMAGE)
                .addLayer("patch_norm", new BatchNormalization.Builder().activation(Activation.RELU).build(), "patches")
                .addLayer("patch_pool", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "patch_norm")
                .addLayer("pool_norm", new BatchNormalization.Builder().build(), "patch_pool");
        return "pool_norm";
    }

    /**
     * Patches, linearly projected (to {@code patch-channels} channels), batch-normalised and rectified,
     * max-pooled over the card (does any patch show this feature), the pooled vector batch-normalised,
     * squashed (tanh) to the embedding's width, broadcast over time and joined with the token
     * embeddings at the input of one 2-layer LSTM (scaled by {@code image-scale}) and of the decoder's
     * residual path (unscaled).
     * <p>The pooled vector has its own normalisation because the maxima otherwise saturate the tanh;
     * the image is scaled only where it enters the LSTM (measurements: docs/training.md).
     */
    private static void early(ComputationGraphConfiguration.GraphBuilder g, ModelSpec s, String pooled) {
        g.addLayer("image_vec", new DenseLayer.Builder().nOut(s.embedding()).activation(Activation.TANH).build(), pooled)
                .addVertex("image_quiet", new ScaleVertex(s.imageScale()), "image_vec")
                .addVertex("image_seq", new DuplicateToTimeSeriesVertex(TOKENS), "image_quiet")
                .addVertex("joined", new MergeVertex(), "embed", "image_seq")
                .addLayer("lstm1", lstm(s.hidden()), "joined")
                .addLayer("lstm2", lstm(s.hidden(), s.dropout()), "lstm1")
                .addVertex("image_seq_direct", new DuplicateToTimeSeriesVertex(TOKENS), "image_vec")
                .addVertex("direct_in", new MergeVertex(), "embed", "image_seq_direct");
        decoderScores(g, s, "lstm2", "direct_in", "scores");
        g.addLayer(OUT, softmaxLoss(), "scores");
    }

    /**
     * A CNN feature grid; the first decoder LSTM's states attend over it (AttentionVertex); the
     * attention output, squashed (tanh), joins those states, scaled by {@code attention-scale}, as the
     * second LSTM's input, and reaches the residual path unscaled (measurements: docs/training.md).
     */
    private static void intermediate(ComputationGraphConfiguration.GraphBuilder g, ModelSpec s, String grid) {
        g.addVertex("grid_seq", new ReshapeVertex('c', new int[]{-1, s.gridChannels(), s.gridPositions()}, null), grid)
                .addLayer("lstm1", lstm(s.hidden()), "embed")
                .addVertex("attend", new AttentionVertex.Builder().nInQueries(s.hidden()).nInKeys(s.gridChannels())
                        .nInValues(s.gridChannels()).nOut(s.hidden()).nHeads(1).headSize(s.hidden()).projectInput(true).build(),
                        "lstm1", "grid_seq", "grid_seq")
                // squashed like early fusion's image vector: the unbounded grid's attention output reaches
                // the scores directly through the residual path (unsquashed it diverged)
                .addLayer("attend_tanh", new ActivationLayer.Builder().activation(Activation.TANH).build(), "attend")
                .addVertex("attend_quiet", new ScaleVertex(s.attentionScale()), "attend_tanh")
                .addVertex("fused", new MergeVertex(), "lstm1", "attend_quiet")
                .addLayer("lstm2", lstm(s.hidden(), s.dropout()), "fused")
                .addVertex("direct_in", new MergeVertex(), "embed", "attend_tanh");
        decoderScores(g, s, "lstm2", "direct_in", "scores");
        g.addLayer(OUT, softmaxLoss(), "scores");
    }

    /**
     * An image-only branch (CNN, averaged over the grid, vocabulary scores) and a text-only language
     * model, combined at the output: softmax(text_scores + w * image_scores), the renormalised weighted
     * sum of the two branches' log-probabilities (the log-normalisers are constant per position). The
     * image branch scores the same at every position (which words this card calls for); the text
     * branch says where each word goes. With w = 0 it is exactly the text-only model, the baseline every
     * variant is measured against.
     */
    private static void late(ComputationGraphConfiguration.GraphBuilder g, ModelSpec s, String grid) {
        g.addLayer("grid_mean", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), grid)
                .addLayer("image_vec", new DenseLayer.Builder().nOut(s.embedding()).activation(Activation.TANH).build(), "grid_mean")
                .addLayer("image_scores", new DenseLayer.Builder().nOut(s.vocabSize()).activation(Activation.IDENTITY).build(), "image_vec")
                .addVertex("image_weighted", new ScaleVertex(s.lateImageWeight()), "image_scores")
                .addVertex("image_seq", new DuplicateToTimeSeriesVertex(TOKENS), "image_weighted")
                .addLayer("lstm1", lstm(s.hidden()), "embed")
                .addLayer("lstm2", lstm(s.hidden(), s.dropout()), "lstm1");
        decoderScores(g, s, "lstm2", "embed", "text_scores");
        g.addVertex("combined", new ElementWiseVertex(ElementWiseVertex.Op.Add), "image_seq", "text_scores")
                .addLayer(OUT, softmaxLoss(), "combined");
    }

    /**
     * conv 3x3, batch normalisation + ReLU, 2x2 max-pool per stage, the first conv with the stem stride;
     * returns the last vertex's name. Without the batch normalisation the stack does not train here
     * (docs/training.md).
     */
    private static String cnn(ComputationGraphConfiguration.GraphBuilder g, ModelSpec s) {
        String prev = IMAGE;
        for (int i = 0; i < s.cnnChannels().size(); i++) {
            int stride = i == 0 ? s.cnnStemStride() : 1;
            g.addLayer("conv" + i, new ConvolutionLayer.Builder(3, 3).stride(stride, stride).nOut(s.cnnChannels().get(i))
                            .activation(Activation.IDENTITY).build(), prev)
                    .addLayer("norm" + i, new BatchNormalization.Builder().activation(Activation.RELU).build(), "conv" + i)
                    .addLayer("pool" + i, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                            "norm" + i);
            prev = "pool" + i;
        }
        return prev;
    }

    private static LSTM lstm(int units) {
        return lstm(units, 0);
    }

    /**
     * The decoder's vocabulary scores, {@code name}: those of the last LSTM's states plus those of
     * the decoder's input at the same step (token embedding, and the image where it joins), a residual
     * path as in transformer decoders that reaches the output without passing through the LSTMs, so
     * the image's signal reaches the scores in one layer (measurements: docs/training.md).
     */
    private static void decoderScores(ComputationGraphConfiguration.GraphBuilder g, ModelSpec s, String states, String input, String name) {
        g.addLayer(name + "_states", scores(s), states)
                .addLayer(name + "_direct", scores(s), input)
                .addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), name + "_states", name + "_direct");
    }

    /** Vocabulary scores per position: a kernel-1 1-D convolution (a dense layer applied at every step, masks kept). */
    private static Convolution1DLayer scores(ModelSpec s) {
        return new Convolution1DLayer.Builder().kernelSize(1).stride(1).nOut(s.vocabSize()).activation(Activation.IDENTITY)
                .rnnDataFormat(RNNFormat.NCW).build();
    }

    /**
     * An LSTM, with dropout on its input when {@code dropout > 0}. (A separate DropoutLayer on masked
     * sequences fails in DL4J M2.1: "Mismatched shapes ... column vector shape".)
     */
    private static LSTM lstm(int units, double dropout) {
        LSTM.Builder b = new LSTM.Builder().nOut(units).activation(Activation.TANH);
        if (dropout > 0) {
            b.dropOut(1 - dropout);
        }
        return b.build();
    }

    /**
     * Softmax and cross-entropy over the vocabulary scores of every step. (Scores come from a kernel-1
     * Convolution1D, as in late fusion, so the three variants share one output head.)
     */
    private static RnnLossLayer softmaxLoss() {
        return new RnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build();
    }

    /** Parameters per layer or vertex (attention has its own), in topological order, and the total under "total". */
    public static Map<String, Long> parameterCounts(ComputationGraph g) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i : g.topologicalSortOrder()) {
            var v = g.getVertices()[i];
            long n = v.numParams();
            if (n > 0) {
                out.put(v.getVertexName(), n);
            }
        }
        out.put("total", g.numParams());
        return out;
    }
}
