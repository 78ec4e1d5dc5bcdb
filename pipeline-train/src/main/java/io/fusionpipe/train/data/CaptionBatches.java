package io.fusionpipe.train.data;

import io.fusionpipe.text.Vocabulary;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Turns dataset rows (stored image bytes + token ids) into one MultiDataSet for teacher forcing:
 * features {@code image} [mb, 3, H, W] in [0, 1] and {@code tokens} [mb, 1, T] (ids without the last),
 * labels [mb, V, T] one-hot (ids without {@code <bos>}), masks [mb, T] marking real positions.
 * T = max tokens - 1. Runs on executors: no Spark or driver state.
 */
public final class CaptionBatches {

    /** One training example: the stored image and its token ids ({@code <bos>} ... {@code <eos>}). */
    public record Example(byte[] image, int[] tokens) {
    }

    private CaptionBatches() {
    }

    public static MultiDataSet toMultiDataSet(List<Example> examples, int vocabSize, int maxTokens, int width, int height) {
        int mb = examples.size();
        int t = maxTokens - 1;
        float[] pixels = new float[mb * 3 * height * width];
        float[] inputs = new float[mb * t];
        float[] labels = new float[mb * vocabSize * t];
        float[] mask = new float[mb * t];
        for (int b = 0; b < mb; b++) {
            Example e = examples.get(b);
            BufferedImage img = decode(e.image());
            if (img.getWidth() != width || img.getHeight() != height) {
                throw new IllegalArgumentException("image of example " + b + " is " + img.getWidth() + "x" + img.getHeight()
                        + ", the model expects " + width + "x" + height + " (the dataset's image size)");
            }
            int plane = height * width;
            int base = b * 3 * plane;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int p = img.getRGB(x, y);
                    int at = y * width + x;
                    pixels[base + at] = ((p >> 16) & 255) / 255f;
                    pixels[base + plane + at] = ((p >> 8) & 255) / 255f;
                    pixels[base + 2 * plane + at] = (p & 255) / 255f;
                }
            }
            int[] ids = e.tokens();
            int n = Math.min(ids.length - 1, t);
            for (int i = 0; i < t; i++) {
                inputs[b * t + i] = i < n ? ids[i] : Vocabulary.PAD_ID;
            }
            for (int i = 0; i < n; i++) {
                int next = ids[i + 1];
                if (next < 0 || next >= vocabSize) {
                    throw new IllegalArgumentException("token id " + next + " of example " + b + " is outside the vocabulary of " + vocabSize);
                }
                labels[(b * vocabSize + next) * t + i] = 1f;
                mask[b * t + i] = 1f;
            }
        }
        INDArray image = Nd4j.create(pixels, new long[]{mb, 3, height, width}, DataType.FLOAT);
        INDArray tokens = Nd4j.create(inputs, new long[]{mb, 1, t}, DataType.FLOAT);
        INDArray label = Nd4j.create(labels, new long[]{mb, vocabSize, t}, DataType.FLOAT);
        INDArray m = Nd4j.create(mask, new long[]{mb, t}, DataType.FLOAT);
        // The image input has no mask (null): see ../shared/notes pitfall 1 for how such masks must be saved.
        return new MultiDataSet(new INDArray[]{image, tokens}, new INDArray[]{label}, new INDArray[]{null, m}, new INDArray[]{m});
    }

    private static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            if (img == null) {
                throw new IllegalArgumentException("stored image is not decodable");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
