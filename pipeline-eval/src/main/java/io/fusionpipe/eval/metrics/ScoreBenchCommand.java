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
 * metrics timed apart.
 */
@Command(name = "score-bench", mixinStandardHelpOptions = true,
        description = "Time caption scoring (tokenize + BLEU/ROUGE-L/CIDEr-D) on synthetic captions; prints a table and JSON.")
public final class ScoreBenchCommand implements FusionCommand {

    @Option(names = "--images", defaultValue = "5000", description = "Images (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--refs", defaultValue = "5", description = "References per image (default ${DEFAULT-VALUE}).")
    int refs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the synthetic captions (default ${DEFAULT-VALUE}).")
    long seed;

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

    @Override
    public Integer call() {
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
        JsonLine.print(out, json);
        return ExitCodes.OK;
    }
}
