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
 * features {@code image} [mb, 3, H, W] in [-1, 1] ({@link #normalise}) and {@code tokens} [mb, 1, T] (ids without the last),
 * labels [mb, V, T] one-hot (ids without {@code <bos>}), masks [mb, T] marking real positions.
 * T = max tokens - 1. Runs on executors: no Spark or driver state.
 */
public final class CaptionBatches {

    /** One training example: the stored image and its token ids ({@code <bos>} ... {@code <eos>}). */
    public record Example(byte[] image, int[] tokens) {
    }

    private CaptionBatches() {
    }

    /**
     * Modality dropout: each example independently gets its image blanked (every pixel the neutral
     * value 0, mid-grey) with probability {@code image}, else its text input blanked (every input
     * token after {@code <bos>} replaced by {@code <unk>}) with probability {@code text}; labels stay.
     * Trains the robustness that evaluation measures with the same blanking.
     */
    public record Blanking(double image, double text) implements java.io.Serializable {
        public static final Blanking NONE = new Blanking(0, 0);

        public Blanking {
            if (image < 0 || text < 0 || image + text > 1) {
                throw new IllegalArgumentException("modality dropout rates image " + image + " and text " + text
                        + " must be >= 0 and sum to at most 1");
            }
        }
    }

    /** Pixel value v in 0..255 as the models see it: centred on 0, in [-1, 1]. */
    public static float normalise(int v) {
        return v / 127.5f - 1f;
    }

    public static MultiDataSet toMultiDataSet(List<Example> examples, int vocabSize, int maxTokens, int width, int height) {
        return toMultiDataSet(examples, vocabSize, maxTokens, width, height, Blanking.NONE, null);
    }

    /** As above, with modality dropout drawn from {@code random} (may be null when {@code blanking} is NONE). */
    public static MultiDataSet toMultiDataSet(List<Example> examples, int vocabSize, int maxTokens, int width, int height,
                                              Blanking blanking, java.util.Random random) {
        int mb = examples.size();
        int t = maxTokens - 1;
        float[] pixels = new float[mb * 3 * height * width];
        float[] inputs = new float[mb * t];
        float[] labels = new float[mb * vocabSize * t];
        float[] mask = new float[mb * t];
        for (int b = 0; b < mb; b++) {
            Example e = examples.get(b);
            double draw = blanking == Blanking.NONE ? 1 : random.nextDouble();
            boolean blankImage = draw < blanking.image();
            boolean blankText = !blankImage && draw < blanking.image() + blanking.text();
            if (!blankImage) {
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
                        pixels[base + at] = normalise((p >> 16) & 255);
                        pixels[base + plane + at] = normalise((p >> 8) & 255);
                        pixels[base + 2 * plane + at] = normalise(p & 255);
                    }
                }
            }
            int[] ids = e.tokens();
            int n = Math.min(ids.length - 1, t);
            for (int i = 0; i < t; i++) {
                inputs[b * t + i] = i >= n ? Vocabulary.PAD_ID : blankText && i > 0 ? Vocabulary.UNK_ID : ids[i];
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
