package io.fusionpipe.train.model;

import java.io.Serializable;
import java.util.List;

/**
 * Sizes of a caption model: vocabulary and caption length (from the dataset), image size, and the
 * widths every variant shares, so that the three variants are built to comparable budgets.
 */
public record ModelSpec(int vocabSize, int maxTokens, int imageWidth, int imageHeight, int embedding, int hidden,
                        double dropout, int patchSize, int patchChannels, List<Integer> cnnChannels, int cnnStemStride, double imageScale, double attentionScale,
                        double lateImageWeight,
                        double learningRate, double gradientClip, long seed)
        implements Serializable {

    public ModelSpec {
        if (vocabSize < 5 || maxTokens < 3) {
            throw new IllegalArgumentException("vocabulary of " + vocabSize + " and " + maxTokens + " tokens per caption are too small");
        }
        if (imageWidth % patchSize != 0 || imageHeight % patchSize != 0) {
            throw new IllegalArgumentException("image " + imageWidth + "x" + imageHeight + " is not a whole number of "
                    + patchSize + "-pixel patches");
        }
        int down = cnnStemStride << cnnChannels.size();
        if (imageWidth % down != 0 || imageHeight % down != 0) {
            throw new IllegalArgumentException("image " + imageWidth + "x" + imageHeight + " is not a multiple of " + down
                    + " (CNN stem stride " + cnnStemStride + ", then one 2x2 pooling per each of " + cnnChannels.size() + " stages)");
        }
        cnnChannels = List.copyOf(cnnChannels);
    }

    /** Spatial positions of the CNN feature grid. */
    int gridPositions() {
        int down = cnnStemStride << cnnChannels.size();
        return (imageWidth / down) * (imageHeight / down);
    }

    public int gridChannels() {
        return cnnChannels.get(cnnChannels.size() - 1);
    }
}
