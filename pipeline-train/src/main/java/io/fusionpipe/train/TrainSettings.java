package io.fusionpipe.train;

import io.fusionpipe.config.ConfigProblem;
import io.fusionpipe.config.ConfigValidationException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.train.model.ModelSpec;
import io.fusionpipe.train.model.Variant;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Typed view of {@code fusionpipe.train.*}. */
public record TrainSettings(List<Variant> variants, int epochs, int batchSize, double learningRate, long seed, int embedding,
                            int hidden, double dropout, int patchSize, List<Integer> cnnChannels, double lateImageWeight,
                            String master, int port, String controllerAddress, String networkMask, int workersPerNode,
                            double threshold, int averagingFrequency) implements Serializable {

    public static TrainSettings of(FusionConfig config) {
        var c = config.config();
        String p = "fusionpipe.train.";
        List<Variant> variants = new ArrayList<>();
        for (String v : c.getStringList(p + "variants")) {
            try {
                variants.add(Variant.parse(v));
            } catch (IllegalArgumentException e) {
                throw new ConfigValidationException(List.of(new ConfigProblem(p + "variants", v, null, e.getMessage())));
            }
        }
        return new TrainSettings(variants, c.getInt(p + "epochs"), c.getInt(p + "batch-size"), c.getDouble(p + "learning-rate"),
                c.getLong(p + "seed"), c.getInt(p + "model.embedding"), c.getInt(p + "model.hidden"), c.getDouble(p + "model.dropout"),
                c.getInt(p + "model.patch-size"), c.getIntList(p + "model.cnn-channels"), c.getDouble(p + "model.late-image-weight"),
                c.getString(p + "master"), c.getInt(p + "shared.port"), c.getString(p + "shared.controller-address"),
                c.getString(p + "shared.network-mask"), c.getInt(p + "shared.workers-per-node"), c.getDouble(p + "shared.threshold"),
                c.getInt(p + "averaging-frequency"));
    }

    public TrainSettings withEpochs(int n) {
        return new TrainSettings(variants, n, batchSize, learningRate, seed, embedding, hidden, dropout, patchSize, cnnChannels,
                lateImageWeight, master, port, controllerAddress, networkMask, workersPerNode, threshold, averagingFrequency);
    }

    /** The model spec for a dataset's vocabulary, caption length and image size. */
    public ModelSpec modelSpec(int vocabSize, int maxTokens, int width, int height) {
        return new ModelSpec(vocabSize, maxTokens, width, height, embedding, hidden, dropout, patchSize, cnnChannels, lateImageWeight,
                learningRate, seed);
    }
}
