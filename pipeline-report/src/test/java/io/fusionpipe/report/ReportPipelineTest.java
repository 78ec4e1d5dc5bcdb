package io.fusionpipe.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.eval.EvalPipeline;
import io.fusionpipe.eval.EvalSettings;
import io.fusionpipe.eval.TinyCards;
import io.fusionpipe.registry.Promotion;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.testing.Cli;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.train.TrainPipeline;
import io.fusionpipe.train.model.Variant;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Report and promotion end to end on two tiny trained runs and two evaluations: the HTML and
 * Markdown content, the page in real headless Chromium (no console errors, every chart and gallery
 * image rendered, a non-blank screenshot), and promote's registry updates and exit codes.
 */
@Tag("slow") // whole-pipeline runs on Spark: -Pall-tests (CI) runs them, plain mvn verify does not
class ReportPipelineTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(TrainPipeline.SPARK_CONF,
            "train.model.embedding=16", "train.model.hidden=24", "train.model.patch-size=8", "train.model.cnn-channels=[4, 8]",
            "train.model.cnn-stem-stride=1", "train.batch-size=8", "train.epochs=2", "train.learning-rate=0.01", "train.model.dropout=0",
            "train.progress-interval=0", "train.shared.port=40317", "eval.bootstrap.resamples=200", "eval.batch-size=8",
            "report.gallery-size=6", "report.worst-per-variant=1");

    static List<String> runs;
    static String first;
    static String second;

    @BeforeAll
    static void trainAndEvaluate() throws Exception {
        runs = TinyCards.publishAndTrain(SPARK, List.of(Variant.EARLY, Variant.LATE));
        EvalSettings s = EvalSettings.of(SPARK.config());
        first = EvalPipeline.evaluate(SPARK.session(), SPARK.config(), s, runs).evalId();
        second = EvalPipeline.evaluate(SPARK.session(), SPARK.config(), s, runs).evalId();
    }

    private static String[] cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--root");
        all.add(SPARK.root().toString());
        return all.toArray(String[]::new);
    }

    @Test
    void writesASelfContainedHtmlPageAndAMarkdownSummary() throws Exception {
        ReportPipeline.Result r = ReportPipeline.report(SPARK.session(), SPARK.config(), second, List.of(first));
        String html = Files.readString(Path.of(r.html().toUri()));
        for (String chart : List.of("loss-curves", "metric-bars", "field-accuracy", "modality-drop", "trend")) {
            assertTrue(html.contains("id='" + chart + "'"), chart);
        }
        assertEquals(6, count(html, "<article class='card'>"), "gallery size");
        assertEquals(6, count(html, "src='data:image/jpeg;base64,"), "every gallery image embedded");
        assertTrue(html.contains("worst of early") && html.contains("worst of late"), "worst cases per variant");
        for (String metric : List.of("Bleu_4", "ROUGE_L", "CIDEr")) {
            assertTrue(html.contains(metric), metric);
        }
        assertTrue(html.contains(runs.get(0)) && html.contains(runs.get(1)));
        // self-contained: nothing is fetched
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*['\"]?(https?:|//)").matcher(html).find(), "no external resource");
        assertFalse(html.contains("<link") || html.contains("@import"), "no stylesheet links");

        String md = Files.readString(Path.of(r.markdown().toUri()));
        assertTrue(md.contains("| early |") && md.contains("| late |"), md);
        assertTrue(md.contains("## Card-field accuracy") && md.contains("## Trend of CIDEr"), md);
        assertTrue(md.contains("| majority baseline |") && md.contains("| field_recall | wrong_per_caption |"), md);
        assertTrue(html.contains("<table class='fields'>") && html.contains("<tr class='baseline'><td>majority baseline</td>"), "field table");
        assertTrue(Files.exists(Path.of(r.dir().toUri()).resolve("fusionpipe.conf")));
        try (var siblings = Files.list(Path.of(r.dir().toUri()).getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging directory left");
        }
    }

    @Test
    void configDifferencesBetweenRunsAreListed() throws Exception {
        // the two runs share their settings; a third trained with another learning rate differs in exactly that key
        Path file = SPARK.root().resolve("evals/" + second + "/metrics.json");
        EvalRecord metrics = EvalRecord.fromJson(Files.readString(file), file.toString());
        Map<String, Map<String, String>> same = ReportPipeline.configDiff(SPARK.session().sparkContext().hadoopConfiguration(),
                io.fusionpipe.layout.FusionRoot.of(SPARK.config()), metrics);
        assertTrue(same.isEmpty(), same.toString());
        Path conf = SPARK.root().resolve("runs/" + runs.get(1) + "/fusionpipe.conf");
        String original = Files.readString(conf);
        try {
            Files.writeString(conf, original + "\nfusionpipe.train.learning-rate = 0.123\n");
            Map<String, Map<String, String>> diff = ReportPipeline.configDiff(SPARK.session().sparkContext().hadoopConfiguration(),
                    io.fusionpipe.layout.FusionRoot.of(SPARK.config()), metrics);
            assertEquals(List.of("fusionpipe.train.learning-rate"), new ArrayList<>(diff.keySet()));
            assertEquals("0.123", diff.get("fusionpipe.train.learning-rate").get("late"));
        } finally {
            Files.writeString(conf, original);
        }
    }

    @Test
    void rendersInHeadlessChromium() throws Exception {
        String chromium = chromium();
        ReportPipeline.Result r = ReportPipeline.report(SPARK.session(), SPARK.config(), second, List.of(first));
        Path html = Path.of(r.html().toUri());
        Browser page = open(chromium, html);
        assertEquals(List.of(), page.consoleMessages(), "console messages");
        assertTrue(page.dom().contains("data-rendered=\"charts 5/5 images 6/6\""), "every chart and gallery image rendered: "
                + grep(page.dom(), "data-rendered=\"[^\"]*\""));
        BufferedImage shot = page.screenshot();
        assertTrue(shot.getWidth() >= 1000 && shot.getHeight() >= 1000);
        assertTrue(nonBackgroundShare(shot) > 0.05, "screenshot is not blank");

        // the check catches a broken page: a script error shows up as a console message and no render mark
        Path broken = html.resolveSibling("broken.html");
        Files.writeString(broken, Files.readString(html).replace("<script>", "<script>undefinedFunction();"));
        Browser bad = open(chromium, broken);
        assertFalse(bad.consoleMessages().isEmpty(), "a script error is reported");
        assertFalse(bad.dom().contains("data-rendered="), "a failed script leaves no render mark");
        Files.delete(broken);
    }

    @Test
    void promoteRecordsDecisionsAndSignalsRegressionsByExitCode() throws Exception {
        Cli.Run firstPromotion = Cli.run(cli("promote", first, "--run", runs.get(0), "--model", "tiny"));
        assertEquals(0, firstPromotion.code(), firstPromotion.err());
        assertTrue(firstPromotion.out().contains("tiny: first"), firstPromotion.out());

        Cli.Run again = Cli.run(cli("promote", second, "--run", runs.get(0), "--model", "tiny"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("already the champion"), again.out());

        JsonNode m = new ObjectMapper().readTree(Files.readString(SPARK.root().resolve("evals/" + second + "/metrics.json")));
        double early = m.path("variants").path("early").path("metrics").path("CIDEr").path("value").asDouble();
        double late = m.path("variants").path("late").path("metrics").path("CIDEr").path("value").asDouble();
        Cli.Run challenge = Cli.run(cli("promote", second, "--run", runs.get(1), "--model", "tiny"));
        String outcome = challenge.out().substring(challenge.out().indexOf(':') + 2, challenge.out().indexOf(" ->"));
        // the outcome follows the rule on the evaluation's own figures, and the exit code follows the outcome
        double p = EvalRecord.fromJson(m.toString(), "metrics.json").pValue("late", "early", "CIDEr");
        assertEquals(Promotion.decide("CIDEr", early, late, p, 0, 0.05).outcome().id(), outcome, challenge.out());
        assertEquals(outcome.equals("regression") ? 3 : 0, challenge.code(), challenge.out() + challenge.err());

        JsonNode registry = new ObjectMapper().readTree(Files.readString(SPARK.root().resolve("registry/registry.json")));
        assertEquals(3, registry.path("history").size());
        assertEquals(outcome.equals("promoted") ? runs.get(1) : runs.get(0), registry.path("champions").path("tiny").path("run_id").asText());

        Cli.Run unknown = Cli.run(cli("promote", "no-such-eval"));
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown eval no-such-eval") && unknown.err().contains(first), unknown.err());
        Cli.Run notInEval = Cli.run(cli("promote", second, "--run", "other-run", "--model", "tiny"));
        assertEquals(2, notInEval.code());
        assertTrue(notInEval.err().contains("other-run is not part of eval"), notInEval.err());
    }

    // ------------------------------------------------------------------ headless Chromium

    record Browser(String dom, List<String> consoleMessages, BufferedImage screenshot) {
    }

    /** The installed Chromium; without one the test is skipped, unless FUSIONPIPE_REQUIRE_CHROMIUM=1 (set by .ci/run) makes it fail. */
    static String chromium() {
        for (String c : List.of(System.getenv().getOrDefault("CHROMIUM", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome")) {
            if (!c.isEmpty() && new File(c).canExecute()) {
                return c;
            }
        }
        String why = "no Chromium found (/usr/bin/chromium; Debian package chromium, which .ci/run installs)";
        if ("1".equals(System.getenv("FUSIONPIPE_REQUIRE_CHROMIUM"))) {
            throw new AssertionError(why);
        }
        Assumptions.abort(why);
        return null;
    }

    /** Loads the page headless: the DOM after scripts ran, console messages from the log, and a 1280x2400 screenshot. */
    static Browser open(String chromium, Path html) throws Exception {
        Path work = Files.createTempDirectory("fusionpipe-chromium");
        Path shot = work.resolve("shot.png");
        List<String> common = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + work.resolve("profile"), "--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--window-size=1280,2400");
        run(work, common, "--dump-dom", html.toUri().toString());
        String dom = Files.readString(work.resolve("out.log"), StandardCharsets.UTF_8);
        String log = Files.readString(work.resolve("err.log"));
        run(work, common, "--screenshot=" + shot, html.toUri().toString());
        List<String> console = new ArrayList<>();
        Matcher c = Pattern.compile("CONSOLE[:(]\\d+\\)?\\][^\\n]*").matcher(log + Files.readString(work.resolve("err.log")));
        while (c.find()) {
            console.add(c.group());
        }
        BufferedImage img = ImageIO.read(shot.toFile());
        return new Browser(dom, console, img);
    }

    private static void run(Path work, List<String> common, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(common);
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectOutput(work.resolve("out.log").toFile()).redirectError(work.resolve("err.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + cmd);
        }
    }

    /** Share of pixels that differ from the most common colour. */
    static double nonBackgroundShare(BufferedImage img) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                counts.merge(img.getRGB(x, y), 1, Integer::sum);
            }
        }
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        int background = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return 1 - background / (double) total;
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static String grep(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        return m.find() ? m.group() : "(none)";
    }
}
