package io.fusionpipe.eval.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores one system's captions against references with BLEU-1..4, ROUGE-L and CIDEr-D, matching the
 * COCO caption toolkit (pycocoevalcap) to floating-point rounding: same tokenization, same formulas,
 * CIDEr's document frequency over exactly the images given.
 */
public final class CaptionScorer {

    public static final String BLEU_1 = "Bleu_1";
    public static final String BLEU_4 = "Bleu_4";
    public static final String ROUGE_L = "ROUGE_L";
    public static final String CIDER = "CIDEr";
    /** Metric names in the toolkit's spelling and order. */
    public static final List<String> METRICS = List.of(BLEU_1, "Bleu_2", "Bleu_3", BLEU_4, ROUGE_L, CIDER);

    private CaptionScorer() {
    }

    /** One image: its references and the system's candidate (raw text). */
    public record Image(String id, List<String> references, String candidate) {
    }

    /**
     * Corpus scores, per-image scores (image id to metric to value, in input order) and the per-image
     * BLEU statistics (for recomputing corpus BLEU on resamples).
     */
    public record Scores(Map<String, Double> corpus, Map<String, Map<String, Double>> perImage, List<Bleu.Stats> bleuStats) {
    }

    /** Tokenizes like the toolkit (all references in one call, the candidates in another) and scores. */
    public static Scores score(List<Image> images) {
        List<String> refs = new ArrayList<>();
        List<String> cands = new ArrayList<>();
        for (Image im : images) {
            if (im.references().isEmpty()) {
                throw new IllegalArgumentException("image " + im.id() + " has no reference caption");
            }
            refs.addAll(im.references());
            cands.add(im.candidate());
        }
        List<String> refTokens = CocoTokenizer.tokenize(refs);
        List<String> candTokens = CocoTokenizer.tokenize(cands);
        List<List<String>> byImage = new ArrayList<>();
        int at = 0;
        for (Image im : images) {
            byImage.add(refTokens.subList(at, at + im.references().size()));
            at += im.references().size();
        }
        return scoreTokenized(images.stream().map(Image::id).toList(), byImage, candTokens);
    }

    /** Scores captions that are already tokenized (space-separated tokens, as the toolkit's scorers receive them). */
    public static Scores scoreTokenized(List<String> ids, List<List<String>> references, List<String> candidates) {
        int n = ids.size();
        if (n == 0) {
            throw new IllegalArgumentException("nothing to score: no images");
        }
        // every caption is split and counted once; BLEU and CIDEr-D share the counts (words by str.split()),
        // ROUGE-L splits on single spaces as the toolkit does
        NGrams index = new NGrams();
        List<NGrams.Counts> candCounts = new ArrayList<>(n);
        List<List<NGrams.Counts>> refCounts = new ArrayList<>(n);
        List<Bleu.Stats> bleu = new ArrayList<>(n);
        double[] rouge = new double[n];
        for (int i = 0; i < n; i++) {
            String candidate = candidates.get(i);
            List<String> refs = references.get(i);
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("image " + ids.get(i) + " has no reference caption");
            }
            int[] c = index.tokens(PythonStrings.splitWhitespace(candidate));
            List<NGrams.Counts> rs = new ArrayList<>();
            int[] refLengths = new int[refs.size()];
            int[][] rougeRefs = new int[refs.size()][];
            for (int k = 0; k < refLengths.length; k++) {
                int[] r = index.tokens(PythonStrings.splitWhitespace(refs.get(k)));
                refLengths[k] = r.length;
                rs.add(index.count(r));
                rougeRefs[k] = RougeL.tokens(refs.get(k), r, index);
            }
            NGrams.Counts cc = index.count(c);
            candCounts.add(cc);
            refCounts.add(rs);
            bleu.add(Bleu.stats(cc, c.length, rs, refLengths));
            rouge[i] = RougeL.score(RougeL.tokens(candidate, c, index), rougeRefs);
        }
        double[] cider = CiderD.score(candCounts, refCounts, index.size());
        Map<String, Map<String, Double>> perImage = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Map<String, Double> m = new LinkedHashMap<>();
            double[] b = Bleu.score(bleu.get(i));
            for (int k = 0; k < 4; k++) {
                m.put(METRICS.get(k), b[k]);
            }
            m.put(ROUGE_L, rouge[i]);
            m.put(CIDER, cider[i]);
            if (perImage.put(ids.get(i), m) != null) {
                throw new IllegalArgumentException("image id " + ids.get(i) + " appears twice");
            }
        }
        return new Scores(corpus(bleu, rouge, cider), perImage, bleu);
    }

    /** Corpus scores from per-image parts: BLEU from summed counts, ROUGE-L and CIDEr-D as means. */
    public static Map<String, Double> corpus(List<Bleu.Stats> bleu, double[] rouge, double[] cider) {
        Map<String, Double> corpus = new LinkedHashMap<>();
        double[] b = Bleu.corpus(bleu);
        for (int k = 0; k < 4; k++) {
            corpus.put(METRICS.get(k), b[k]);
        }
        corpus.put(ROUGE_L, NumpySums.mean(rouge));
        corpus.put(CIDER, NumpySums.mean(cider));
        return corpus;
    }
}
