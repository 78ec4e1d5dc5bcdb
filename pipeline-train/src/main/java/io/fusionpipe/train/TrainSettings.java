package io.fusionpipe.train;

import io.fusionpipe.config.ConfigProblem;
import io.fusionpipe.config.ConfigValidationException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.train.data.CaptionBatches;
import io.fusionpipe.train.model.ModelSpec;
import io.fusionpipe.train.model.Variant;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Typed view of {@code fusionpipe.train.*}, in the groups of its reference.conf. */
public record TrainSettings(List<Variant> variants, int epochs, int batchSize, long seed, int seeds, Optimiser optimiser, Model model,
                            EarlyStopping earlyStopping, FineTune fineTune, CaptionBatches.Blanking modalityDropout,
                            Distributed distributed, long progressMillis, long stallMillis) implements Serializable {

    /** Learning rate, its per-epoch schedule and gradient clipping. */
    public record Optimiser(double learningRate, String schedule, double minFactor, int stepEpochs, double stepFactor,
                            double gradientClip) implements Serializable {

        /** The learning rate of epoch {@code epoch} (1-based) of {@code epochs}. */
        public double rate(int epoch, int epochs) {
            return switch (schedule) {
                case "constant" -> learningRate;
                case "cosine" -> {
                    double progress = epochs <= 1 ? 0 : (epoch - 1) / (double) (epochs - 1);
                    yield learningRate * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
                }
                case "step" -> learningRate * Math.pow(stepFactor, (epoch - 1) / stepEpochs);
                default -> throw new IllegalStateException("schedule " + schedule);
            };
        }
    }

    /** Model sizes shared by the variants (see ModelSpec). */
    public record Model(int embedding, int hidden, double dropout, int patchSize, int patchChannels, List<Integer> cnnChannels, int cnnStemStride,
                        double imageScale, double attentionScale, double lateImageWeight) implements Serializable {
    }

    /** Stop when the val loss has not improved by more than {@code minDelta} for {@code patience} epochs (0 = never). */
    public record EarlyStopping(int patience, double minDelta) implements Serializable {
    }

    /** --init-from: image encoder frozen for the first {@code freezeImageEpochs}, then trained at {@code lrFactor} x the rate. */
    public record FineTune(int freezeImageEpochs, double lrFactor) implements Serializable {
    }

    /** The Spark training master and its transport. */
    public record Distributed(String master, int port, int portSpan, String controllerAddress, String networkMask,
                              String thresholdAlgorithm, double threshold, double minSparsity, double maxSparsity,
                              int averagingFrequency, int prefetchBatches, long pollSlackNanos) implements Serializable {
    }

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
        CaptionBatches.Blanking blanking;
        try {
            blanking = new CaptionBatches.Blanking(c.getDouble(p + "modality-dropout.image"), c.getDouble(p + "modality-dropout.text"));
        } catch (IllegalArgumentException e) {
            throw new ConfigValidationException(List.of(new ConfigProblem(p + "modality-dropout",
                    c.getDouble(p + "modality-dropout.image") + " + " + c.getDouble(p + "modality-dropout.text"), null, e.getMessage())));
        }
        return new TrainSettings(variants, c.getInt(p + "epochs"), c.getInt(p + "batch-size"), c.getLong(p + "seed"), c.getInt(p + "seeds"),
                new Optimiser(c.getDouble(p + "learning-rate"), c.getString(p + "schedule.type"), c.getDouble(p + "schedule.min-factor"),
                        c.getInt(p + "schedule.step-epochs"), c.getDouble(p + "schedule.step-factor"), c.getDouble(p + "gradient-clip")),
                new Model(c.getInt(p + "model.embedding"), c.getInt(p + "model.hidden"), c.getDouble(p + "model.dropout"),
                        c.getInt(p + "model.patch-size"), c.getInt(p + "model.patch-channels"), c.getIntList(p + "model.cnn-channels"), c.getInt(p + "model.cnn-stem-stride"),
                        c.getDouble(p + "model.image-scale"), c.getDouble(p + "model.attention-scale"), c.getDouble(p + "model.late-image-weight")),
                new EarlyStopping(c.getInt(p + "early-stopping.patience"), c.getDouble(p + "early-stopping.min-delta")),
                new FineTune(c.getInt(p + "fine-tune.freeze-image-epochs"), c.getDouble(p + "fine-tune.lr-factor")),
                blanking,
                new Distributed(c.getString(p + "master"), c.getInt(p + "shared.port"), c.getInt(p + "shared.port-span"),
                        c.getString(p + "shared.controller-address"), c.getString(p + "shared.network-mask"),
                        c.getString(p + "shared.threshold-algorithm"), c.getDouble(p + "shared.threshold"),
                        c.getDouble(p + "shared.min-sparsity"), c.getDouble(p + "shared.max-sparsity"), c.getInt(p + "averaging-frequency"),
                        c.getInt(p + "prefetch-batches"), c.getDuration(p + "shared.poll-slack").toNanos()),
                c.getDuration(p + "progress-interval").toMillis(), c.getDuration(p + "stall-timeout").toMillis());
    }

    public TrainSettings withEpochs(int n) {
        return new TrainSettings(variants, n, batchSize, seed, seeds, optimiser, model, earlyStopping, fineTune, modalityDropout, distributed,
                progressMillis, stallMillis);
    }

    /** The same settings under another seed (a run resumed under the seed it started with). */
    public TrainSettings withSeed(long other) {
        return new TrainSettings(variants, epochs, batchSize, other, seeds, optimiser, model, earlyStopping, fineTune, modalityDropout, distributed,
                progressMillis, stallMillis);
    }

    /**
     * The model spec for a dataset's vocabulary, caption length and image size; sizes that do not fit
     * the dataset are a config error naming fusionpipe.train.model.
     */
    public ModelSpec modelSpec(int vocabSize, int maxTokens, int width, int height) {
        try {
            return spec(vocabSize, maxTokens, width, height);
        } catch (IllegalArgumentException e) {
            throw new ConfigValidationException(List.of(new ConfigProblem("fusionpipe.train.model", model.toString(), null,
                    e.getMessage() + " (the dataset has " + width + "x" + height + " images, " + vocabSize + " tokens, captions of "
                            + maxTokens + ")")));
        }
    }

    private ModelSpec spec(int vocabSize, int maxTokens, int width, int height) {
        return new ModelSpec(vocabSize, maxTokens, width, height, model.embedding(), model.hidden(), model.dropout(), model.patchSize(), model.patchChannels(),
                model.cnnChannels(), model.cnnStemStride(), model.imageScale(), model.attentionScale(), model.lateImageWeight(), optimiser.learningRate(), optimiser.gradientClip(), seed);
    }
}
