package io.fusionpipe.eval.metrics;

import io.fusionpipe.cards.CaptionTemplate;
import io.fusionpipe.cards.Card;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.JsonLine;
import io.fusionpipe.cli.FusionCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code fusionpipe score-bench}: how fast the COCO-exact scorer is on synthetic card captions
 * (images x references, one candidate each drawn with other field values), tokenization and
 * metrics timed apart. With {@code --coco-toolkit DIR} the same captions are also scored, in the
 * same run, by {@code bin/fusionpipe score} as a whole process and by the COCO toolkit itself
 * ({@link CocoToolkitBaseline}); the scores must be identical.
 */
@Command(name = "score-bench", mixinStandardHelpOptions = true,
        description = {"Time caption scoring (tokenize + BLEU/ROUGE-L/CIDEr-D) on synthetic captions; prints a table and JSON.",
                "With --coco-toolkit DIR: also `bin/fusionpipe score` as a whole process and the Python COCO toolkit on the same",
                "file, side by side, and checks that every score is identical."})
public final class ScoreBenchCommand implements FusionCommand {

    @Option(names = "--images", defaultValue = "5000", description = "Images (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--refs", defaultValue = "5", description = "References per image (default ${DEFAULT-VALUE}).")
    int refs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the synthetic captions (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--coco-toolkit", paramLabel = "DIR",
            description = "A pycocoevalcap checkout (tokenizer/ holding stanford-corenlp-3.4.1.jar, bleu/, rouge/, cider/) to run beside.")
    java.nio.file.Path cocoToolkit;

    @Option(names = "--python", defaultValue = "python3", description = "Python for the toolkit (default ${DEFAULT-VALUE}; needs numpy).")
    String python;

    @Spec
    CommandSpec spec;

    static final String[] TYPES = {"Fire", "Water", "Grass", "Lightning", "Psychic", "Fighting", "Darkness", "Metal", "Colorless"};
    static final String[] RARITY = {"Common", "Uncommon", "Rare", "Rare Holo"};
    static final String[] SETS = {"Base", "Jungle", "Fossil", "Shadow Rift", "Mystic Bloom", "Frozen Realm"};
    static final String[] WORDS = {"it", "lives", "in", "desert", "dunes", "and", "gathers", "shiny", "stones", "when", "evolves", "the",
            "air", "around", "turns", "cold", "during", "storm", "sparks", "fly", "from", "its", "fur", "hides", "strangers"};

    static String caption(Random r, String name) {
        StringBuilder flavor = new StringBuilder();
        int n = 8 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            flavor.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        Card c = Card.basic("x", name, List.of(r.nextBoolean() ? "Basic" : "Stage 1"), 10 * (3 + r.nextInt(15)),
                List.of(TYPES[r.nextInt(TYPES.length)]), null, RARITY[r.nextInt(RARITY.length)], SETS[r.nextInt(SETS.length)], flavor + ".");
        return CaptionTemplate.format(c);
    }

    /** Seeded synthetic images: {@code refs} card captions each and one candidate of the same species with other field values. */
    static List<CaptionScorer.Image> synthetic(int images, int refs, long seed) {
        Random r = new Random(seed);
        List<CaptionScorer.Image> data = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            String name = "Mon" + r.nextInt(2000);
            List<String> rs = new ArrayList<>();
            for (int k = 0; k < refs; k++) {
                rs.add(caption(r, name));
            }
            data.add(new CaptionScorer.Image("img-" + i, rs, caption(r, name)));
        }
        return data;
    }

    private static Double ratio(Double a, double b) {
        return a == null ? null : Math.round(a / b * 10) / 10.0;
    }

    @Override
    public Integer call() {
        List<CaptionScorer.Image> data = synthetic(images, refs, seed);
        CaptionScorer.score(data.subList(0, Math.min(200, data.size()))); // warm-up (JIT, tokenizer classes)

        long t0 = System.nanoTime();
        List<String> allRefs = new ArrayList<>();
        List<String> cands = new ArrayList<>();
        for (CaptionScorer.Image im : data) {
            allRefs.addAll(im.references());
            cands.add(im.candidate());
        }
        List<String> refTok = CocoTokenizer.tokenize(allRefs);
        List<String> candTok = CocoTokenizer.tokenize(cands);
        double tokenizeSeconds = (System.nanoTime() - t0) / 1e9;
        List<String> ids = new ArrayList<>();
        List<List<String>> byImage = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            ids.add(data.get(i).id());
            byImage.add(refTok.subList(i * refs, (i + 1) * refs));
        }
        long t1 = System.nanoTime();
        CaptionScorer.Scores s = CaptionScorer.scoreTokenized(ids, byImage, candTok);
        double metricSeconds = (System.nanoTime() - t1) / 1e9;
        double total = tokenizeSeconds + metricSeconds;

        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%d images x %d references (%d captions tokenized)%n", images, refs, images * (refs + 1));
        out.printf(Locale.ROOT, "%-36s %9.2f s%n", "PTB tokenization (CoreNLP, in-process)", tokenizeSeconds);
        out.printf(Locale.ROOT, "%-36s %9.2f s%n", "BLEU-1..4 + ROUGE-L + CIDEr-D", metricSeconds);
        out.printf(Locale.ROOT, "%-36s %9.2f s  (%.0f candidates/s)%n", "total", total, images / total);
        out.printf(Locale.ROOT, "corpus CIDEr %.4f, Bleu_4 %.4f%n", s.corpus().get(CaptionScorer.CIDER), s.corpus().get(CaptionScorer.BLEU_4));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("images", images);
        json.put("references", refs);
        json.put("tokenize_s", Math.round(tokenizeSeconds * 1000) / 1000.0);
        json.put("metrics_s", Math.round(metricSeconds * 1000) / 1000.0);
        json.put("candidates_per_s", Math.round(images / total));
        if (cocoToolkit != null) {
            CocoToolkitBaseline.Result b = CocoToolkitBaseline.run(cocoToolkit, python, data, out);
            json.put("score_process_s", b.scoreProcessSeconds());
            json.put("toolkit_process_s", b.toolkitProcessSeconds());
            json.put("toolkit_tokenize_s", b.toolkitTokenizeSeconds());
            json.put("toolkit_metrics_s", b.toolkitMetricsSeconds());
            json.put("process_speedup", ratio(b.toolkitProcessSeconds(), b.scoreProcessSeconds()));
            json.put("in_process_speedup", ratio(b.toolkitProcessSeconds(), total));
            json.put("metrics_speedup", ratio(b.toolkitMetricsSeconds(), metricSeconds));
            json.put("scores_compared", b.compared());
            json.put("scores_not_bit_identical", b.different());
            json.put("scores_max_relative_difference", b.maxRelative());
            out.printf(Locale.ROOT, "%-36s %9s%n", "whole process, same file", "seconds");
            out.printf(Locale.ROOT, "%-36s %9s%n", "  bin/fusionpipe score", b.scoreProcessSeconds() == null ? "-" : String.format(Locale.ROOT, "%.2f", b.scoreProcessSeconds()));
            out.printf(Locale.ROOT, "%-36s %9.2f  (tokenize %.2f, metrics %.2f)%n", "  COCO toolkit (python3 + java)", b.toolkitProcessSeconds(),
                    b.toolkitTokenizeSeconds(), b.toolkitMetricsSeconds());
            out.printf(Locale.ROOT, "speed-up over the toolkit: whole process %s, in-process scorer %.1fx, metrics alone %.1fx%n",
                    b.scoreProcessSeconds() == null ? "-" : String.format(Locale.ROOT, "%.1fx", b.toolkitProcessSeconds() / b.scoreProcessSeconds()),
                    b.toolkitProcessSeconds() / total, b.toolkitMetricsSeconds() / metricSeconds);
            out.printf(Locale.ROOT, "scores: %d compared, %d not bit-identical, largest relative difference %.3g (agree: <= %.0e)%n",
                    b.compared(), b.different(), b.maxRelative(), CocoToolkitBaseline.AGREE);
            JsonLine.print(out, json);
            return b.maxRelative() <= CocoToolkitBaseline.AGREE ? ExitCodes.OK : ExitCodes.FAILURE;
        }
        JsonLine.print(out, json);
        return ExitCodes.OK;
    }
}
