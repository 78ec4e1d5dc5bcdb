package io.fusionpipe.train.model;

import io.fusionpipe.text.Vocabulary;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates captions with a trained fusion model, step by step: the image encoder runs once per
 * image (on the full graph), then a decoder-only copy of the graph with the same parameters
 * ({@link FusionModels#decoderConfiguration}) advances its LSTM state one token per
 * {@code rnnTimeStep}. Greedy or beam search, stopping at {@code <eos>} or the length limit.
 * Not thread-safe (the decoder holds recurrent state).
 */
public final class CaptionDecoder {

    /** Which inputs the model gets: everything, the image blanked (mid-grey), or the text input blanked ({@code <unk>}). */
    public enum Condition {
        FULL, NO_IMAGE, NO_TEXT;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final ComputationGraph full;
    private final ComputationGraph decoder;
    private final List<String> encoderLayers;
    private final int vocabSize;

    public CaptionDecoder(Variant variant, ModelSpec spec, ComputationGraph trained) {
        this.full = trained;
        this.decoder = new ComputationGraph(FusionModels.decoderConfiguration(variant, spec));
        this.decoder.init();
        for (GraphVertex v : decoder.getVertices()) {
            if (v.numParams() > 0) {
                GraphVertex src = trained.getVertex(v.getVertexName());
                if (src == null || src.numParams() != v.numParams()) {
                    throw new IllegalArgumentException("model does not match a " + variant.id() + " graph of this spec at vertex "
                            + v.getVertexName());
                }
                v.params().assign(src.params());
            }
        }
        this.encoderLayers = FusionModels.encoderPath(variant, spec);
        this.vocabSize = spec.vocabSize();
    }

    /** Image features for a batch of normalised images [mb, 3, H, W] (or blank ones for NO_IMAGE). */
    private INDArray encode(INDArray images, Condition condition) {
        INDArray input = condition == Condition.NO_IMAGE ? Nd4j.zerosLike(images) : images;
        INDArray x = input;
        for (String layer : encoderLayers) {
            x = full.getLayer(layer).activate(x, false, LayerWorkspaceMgr.noWorkspaces());
        }
        return x.detach();
    }

    /** Next-token probabilities [rows, V] after feeding one token per row. */
    private INDArray step(INDArray features, int[] tokens) {
        float[] t = new float[tokens.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = tokens[i];
        }
        INDArray in = Nd4j.create(t, new long[]{tokens.length, 1, 1}, DataType.FLOAT);
        INDArray out = decoder.rnnTimeStep(features, in)[0];
        return out.reshape(out.size(0), out.size(1));
    }

    /** Next-token probabilities at each step when feeding the given tokens (teacher forcing through the step-by-step path). */
    public INDArray[] teacherForced(INDArray images, int[][] tokens) {
        INDArray features = encode(images, Condition.FULL);
        decoder.rnnClearPreviousState();
        int steps = tokens[0].length;
        INDArray[] out = new INDArray[steps];
        int[] feed = new int[tokens.length];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < tokens.length; i++) {
                feed[i] = tokens[i][t];
            }
            out[t] = step(features, feed).dup();
        }
        decoder.rnnClearPreviousState();
        return out;
    }

    /** Greedy decoding: token ids per image, without {@code <bos>}, ending before {@code <eos>}. */
    public int[][] greedy(INDArray images, int maxTokens, Condition condition) {
        int mb = (int) images.size(0);
        INDArray features = encode(images, condition);
        decoder.rnnClearPreviousState();
        int[] feed = new int[mb];
        Arrays.fill(feed, Vocabulary.BOS_ID);
        List<List<Integer>> out = new ArrayList<>();
        boolean[] done = new boolean[mb];
        for (int i = 0; i < mb; i++) {
            out.add(new ArrayList<>());
        }
        for (int t = 0; t < maxTokens; t++) {
            int[] next = step(features, feed).argMax(1).toIntVector();
            boolean all = true;
            for (int i = 0; i < mb; i++) {
                if (!done[i]) {
                    if (next[i] == Vocabulary.EOS_ID) {
                        done[i] = true;
                    } else {
                        out.get(i).add(next[i]);
                    }
                }
                all &= done[i];
                feed[i] = condition == Condition.NO_TEXT ? Vocabulary.UNK_ID : next[i];
            }
            if (all) {
                break;
            }
        }
        decoder.rnnClearPreviousState();
        return toArrays(out);
    }

    /**
     * Beam search of {@code width} hypotheses per image; finished hypotheses are ranked by their
     * log-probability divided by length^{@code lengthPenalty} (0 = raw sum).
     */
    public int[][] beam(INDArray images, int maxTokens, int width, double lengthPenalty, Condition condition) {
        if (width <= 1) {
            return greedy(images, maxTokens, condition);
        }
        int mb = (int) images.size(0);
        int rows = mb * width;
        INDArray features = encode(images, condition);
        int[] repeat = new int[rows];
        for (int r = 0; r < rows; r++) {
            repeat[r] = r / width;
        }
        features = pick(features, repeat);
        decoder.rnnClearPreviousState();
        double[] score = new double[rows];
        List<List<Integer>> seq = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            score[r] = r % width == 0 ? 0 : Double.NEGATIVE_INFINITY; // one live hypothesis per image at first
            seq.add(new ArrayList<>());
        }
        int[] feed = new int[rows];
        Arrays.fill(feed, Vocabulary.BOS_ID);
        List<List<int[]>> finished = new ArrayList<>();
        List<List<Double>> finishedScore = new ArrayList<>();
        for (int i = 0; i < mb; i++) {
            finished.add(new ArrayList<>());
            finishedScore.add(new ArrayList<>());
        }
        for (int t = 0; t < maxTokens; t++) {
            INDArray logp = org.nd4j.linalg.ops.transforms.Transforms.log(step(features, feed), false);
            float[][] lp = logp.toFloatMatrix();
            int[] parents = new int[rows];
            int[] tokens = new int[rows];
            double[] nextScore = new double[rows];
            for (int i = 0; i < mb; i++) {
                // top `width` continuations over this image's width x V candidates
                double[] bestScore = new double[width];
                int[] bestRow = new int[width];
                int[] bestTok = new int[width];
                Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
                for (int b = 0; b < width; b++) {
                    int r = i * width + b;
                    if (score[r] == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    for (int v = 0; v < vocabSize; v++) {
                        if (v == Vocabulary.PAD_ID || v == Vocabulary.BOS_ID) {
                            continue;
                        }
                        double s = score[r] + lp[r][v];
                        if (s > bestScore[width - 1]) {
                            int k = width - 1;
                            while (k > 0 && s > bestScore[k - 1]) {
                                bestScore[k] = bestScore[k - 1];
                                bestRow[k] = bestRow[k - 1];
                                bestTok[k] = bestTok[k - 1];
                                k--;
                            }
                            bestScore[k] = s;
                            bestRow[k] = r;
                            bestTok[k] = v;
                        }
                    }
                }
                int slot = 0;
                for (int k = 0; k < width; k++) {
                    int r = i * width + slot;
                    if (bestScore[k] == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    if (bestTok[k] == Vocabulary.EOS_ID || t == maxTokens - 1) {
                        List<Integer> s = new ArrayList<>(seq.get(bestRow[k]));
                        if (bestTok[k] != Vocabulary.EOS_ID) {
                            s.add(bestTok[k]);
                        }
                        finished.get(i).add(s.stream().mapToInt(Integer::intValue).toArray());
                        finishedScore.get(i).add(bestScore[k] / Math.pow(Math.max(1, s.size() + 1), lengthPenalty));
                        continue;
                    }
                    parents[r] = bestRow[k];
                    tokens[r] = bestTok[k];
                    nextScore[r] = bestScore[k];
                    slot++;
                }
                for (; slot < width; slot++) {
                    int r = i * width + slot;
                    parents[r] = i * width;
                    tokens[r] = Vocabulary.EOS_ID;
                    nextScore[r] = Double.NEGATIVE_INFINITY;
                }
            }
            // stop once every image has `width` finished hypotheses better than any live one could become
            boolean allDone = true;
            for (int i = 0; i < mb && allDone; i++) {
                double bestLive = Double.NEGATIVE_INFINITY;
                for (int b = 0; b < width; b++) {
                    bestLive = Math.max(bestLive, nextScore[i * width + b]);
                }
                allDone = bestLive == Double.NEGATIVE_INFINITY || finished.get(i).size() >= width
                        && finishedScore.get(i).stream().mapToDouble(Double::doubleValue).max().orElse(Double.NEGATIVE_INFINITY) >= bestLive;
            }
            List<List<Integer>> nextSeq = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                List<Integer> s = new ArrayList<>(seq.get(parents[r]));
                s.add(tokens[r]);
                nextSeq.add(s);
                feed[r] = condition == Condition.NO_TEXT ? Vocabulary.UNK_ID : tokens[r];
            }
            seq = nextSeq;
            score = nextScore;
            if (allDone) {
                break;
            }
            reorderState(parents);
        }
        decoder.rnnClearPreviousState();
        int[][] out = new int[mb][];
        for (int i = 0; i < mb; i++) {
            List<Double> fs = finishedScore.get(i);
            int best = -1;
            for (int k = 0; k < fs.size(); k++) {
                if (best < 0 || fs.get(k) > fs.get(best)) {
                    best = k;
                }
            }
            out[i] = best < 0 ? seq.get(i * width).stream().mapToInt(Integer::intValue).toArray() : finished.get(i).get(best);
        }
        return out;
    }

    /** Each row's recurrent state becomes its parent row's. */
    private void reorderState(int[] parents) {
        Map<String, Map<String, INDArray>> states = decoder.rnnGetPreviousStates();
        Map<String, Map<String, INDArray>> next = new HashMap<>();
        states.forEach((layer, m) -> {
            Map<String, INDArray> n = new HashMap<>();
            m.forEach((k, v) -> n.put(k, pick(v, parents)));
            next.put(layer, n);
        });
        decoder.rnnSetPreviousStates(next);
    }

    private static INDArray pick(INDArray a, int[] rows) {
        long[] idx = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            idx[i] = rows[i];
        }
        return a.get(NDArrayIndex.indices(idx)).dup();
    }

    private static int[][] toArrays(List<List<Integer>> seqs) {
        int[][] out = new int[seqs.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = seqs.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }
}
