package io.fusionpipe.nightly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.train.TrainPipeline;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nightly retraining end to end on embedded Spark: two nights appending to one dataset (the second
 * fine-tunes from the first night's champion and is evaluated against it), a rerun that reuses every
 * step, a crash after ingest/training that the rerun continues (adopting the published version,
 * resuming the run), a failed step, and the lock.
 */
@Tag("slow") // whole-pipeline runs on Spark: -Pall-tests (CI) runs them, plain mvn verify does not
class NightlyPipelineTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(TrainPipeline.SPARK_CONF,
            "ingest.mode=append", "ingest.image.width=32", "ingest.image.height=48", "ingest.caption.min-count=1",
            "ingest.dedup.near-enabled=false", "ingest.partitions=2",
            "train.variants=[early]", "train.model.embedding=16", "train.model.hidden=24", "train.model.patch-size=8",
            "train.model.patch-channels=16", "train.batch-size=8", "train.learning-rate=0.01", "train.model.dropout=0",
            "train.progress-interval=0", "train.shared.port=40331", "nightly.epochs=1",
            "eval.bootstrap.resamples=100", "eval.batch-size=8", "eval.conditions=[full]", "report.gallery-size=4", "report.worst-per-variant=1",
            "spark.conf.\"spark.hadoop.fs.s3a.secret.key\"=" + NightlyPipelineTest.PLANTED);

    /** A secret in the configuration (as an S3 key from the environment would be): no file the pipeline writes may hold it. */
    static final String PLANTED = "fp-planted-secret-7d41c2";

    static final String[] TYPES = {"Fire", "Grass", "Water", "Lightning"};
    static final Color[] COLOURS = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
    static final ObjectMapper JSON = new ObjectMapper();

    /** A JSONL manifest of {@code n} coloured cards with ids {@code prefix-i}; each image is distinct. */
    static Path cards(String prefix, int n, long seed) throws Exception {
        Path dir = Files.createDirectories(SPARK.root().resolve("inputs").resolve(prefix));
        Files.createDirectories(dir.resolve("images"));
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(TYPES.length);
            BufferedImage img = new BufferedImage(64, 96, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(COLOURS[k]);
            g.fillRect(0, 0, 64, 96);
            g.setColor(Color.BLACK);
            g.fillRect(r.nextInt(48), r.nextInt(80), 4 + r.nextInt(12), 4 + r.nextInt(12));
            g.dispose();
            String id = prefix + "-" + i;
            ImageIO.write(img, "png", dir.resolve("images/" + id + ".png").toFile());
            lines.add("{\"id\":\"" + id + "\",\"image\":\"images/" + id + ".png\",\"caption\":\"A Basic Pokemon Card of type " + TYPES[k]
                    + " with the title Mon and 50 HP\"}");
        }
        Files.write(dir.resolve("manifest.jsonl"), lines);
        return dir;
    }

    static NightlyPipeline.Result night(String date, Path input, StringWriter log) {
        return NightlyPipeline.run(SPARK.session(), SPARK.config(),
                new NightlyPipeline.Request(LocalDate.parse(date), "cards", List.of(input.toString()), 1), new PrintWriter(log, true));
    }

    static JsonNode registry() throws Exception {
        return JSON.readTree(SPARK.root().resolve("registry/registry.json").toFile());
    }

    static Path local(org.apache.hadoop.fs.Path p) {
        return Path.of(p.toUri().getPath());
    }

    static long count(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void nightsAppendFineTuneFromTheChampionAndContinueAfterACrash() throws Exception {
        Path datasets = SPARK.root().resolve("datasets/cards");
        // night 1: a fresh dataset, a model from scratch, the first champion
        StringWriter out1 = new StringWriter();
        NightlyPipeline.Result first = night("2026-11-01", cards("n1", 48, 1), out1);
        assertEquals(ExitCodes.OK, first.exitCode(), out1.toString());
        JsonNode steps1 = tree(first).path("steps");
        assertEquals(1, steps1.path("ingest").path("version").asInt());
        assertTrue(steps1.path("train-early").path("init_from").isMissingNode(), "a first model starts from scratch: " + steps1);
        String run1 = steps1.path("train-early").path("run_id").asText();
        assertEquals("first", steps1.path("promote").path("outcome").asText());
        assertEquals(run1, registry().path("champions").path("card-captioner").path("run_id").asText());
        assertTrue(Files.exists(local(first.log())), "run log written");

        // the same night again: every step is reused, nothing is recomputed
        long runsBefore = count(SPARK.root().resolve("runs"));
        StringWriter again = new StringWriter();
        assertEquals(ExitCodes.OK, night("2026-11-01", SPARK.root().resolve("inputs/n1"), again).exitCode(), again.toString());
        for (String step : List.of("ingest", "train-early", "eval", "report", "promote")) {
            assertTrue(again.toString().contains(step + ": done earlier"), again.toString());
        }
        assertFalse(Files.exists(datasets.resolve("v2")), "no second version for the same night");
        assertEquals(runsBefore, count(SPARK.root().resolve("runs")));
        // ... but not with other inputs: those rows would never be appended
        IllegalStateException other = assertThrows(IllegalStateException.class,
                () -> night("2026-11-01", SPARK.root().resolve("inputs/elsewhere"), new StringWriter()));
        assertTrue(other.getMessage().contains("already ingested") && other.getMessage().contains("inputs/n1")
                && other.getMessage().contains("inputs/elsewhere"), other.getMessage());

        // night 2: appended rows, fine-tuned from the champion, evaluated against it on the new test split
        StringWriter out2 = new StringWriter();
        NightlyPipeline.Result second = night("2026-11-02", cards("n2", 24, 2), out2);
        JsonNode steps2 = tree(second).path("steps");
        assertEquals(2, steps2.path("ingest").path("version").asInt(), out2.toString());
        assertEquals(24, steps2.path("ingest").path("rows_written").asInt());
        assertEquals(run1, steps2.path("train-early").path("init_from").asText(), "fine-tunes from the champion");
        assertTrue(steps2.path("eval").path("runs").toString().contains(run1), "the champion is evaluated alongside: " + steps2);
        String outcome = steps2.path("promote").path("outcome").asText();
        assertTrue(List.of("promoted", "kept", "regression").contains(outcome), outcome);
        assertEquals(outcome.equals("regression") ? ExitCodes.REGRESSION : ExitCodes.OK, second.exitCode(), out2.toString());
        assertEquals(2, registry().path("history").size());

        // a crash of night 2 after publishing v2 and after its first checkpoint, before either was logged as done
        Path logFile = local(second.log());
        ObjectNode crashed = (ObjectNode) JSON.readTree(logFile.toFile());
        ((ObjectNode) crashed.path("steps").path("ingest")).put("status", "running").put("before_version", 1).remove("version");
        ((ObjectNode) crashed.path("steps").path("train-early")).put("status", "running");
        Files.writeString(logFile, crashed.toString());
        StringWriter resumed = new StringWriter();
        NightlyPipeline.Result third = night("2026-11-02", SPARK.root().resolve("inputs/n2"), resumed);
        assertEquals(second.exitCode(), third.exitCode(), resumed.toString());
        assertTrue(resumed.toString().contains("adopted v2"), resumed.toString());
        assertTrue(resumed.toString().contains("resuming run " + steps2.path("train-early").path("run_id").asText()), resumed.toString());
        assertFalse(Files.exists(datasets.resolve("v3")), "the published version is adopted, not appended again");
        assertEquals(2, tree(third).path("attempts").asInt(), "the second attempt at night 2");

        // every file the nights wrote (datasets, runs, evals, reports, registry, logs, configs) and what they printed
        List<Path> holding = new ArrayList<>();
        int files = 0;
        try (var walk = Files.walk(SPARK.root())) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                files++;
                if (new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1).contains(PLANTED)) {
                    holding.add(f);
                }
            }
        }
        assertTrue(files > 50, "the nights wrote their outputs: " + files + " files");
        assertEquals(List.of(), holding, "files holding the planted secret");
        for (String printed : List.of(out1.toString(), out2.toString(), resumed.toString())) {
            assertFalse(printed.contains(PLANTED), printed);
        }
    }

    @Test
    void aSchedulerCanRunTheNightOneStepAtATime() throws Exception {
        Path input = cards("steps", 24, 5);
        // its own model name: the other tests' champion (another dataset) is no rival here
        io.fusionpipe.config.ConfigLoader loader = io.fusionpipe.config.ConfigLoader.fromClasspath().systemProperties(new java.util.Properties())
                .files(SPARK.config().files());
        SPARK.config().sets().forEach(loader::set);
        io.fusionpipe.config.FusionConfig config = loader.set("registry.model-name", "steps-model").load();
        java.util.function.Function<String, NightlyPipeline.Result> step = name -> NightlyPipeline.run(SPARK.session(), config,
                new NightlyPipeline.Request(LocalDate.parse("2026-11-20"), "steps", List.of(input.toString()), 1, name),
                new PrintWriter(new StringWriter(), true));
        io.fusionpipe.errors.BadInputException early = assertThrows(io.fusionpipe.errors.BadInputException.class, () -> step.apply("eval"));
        assertTrue(early.getMessage().contains("step ingest has not finished") && early.getMessage().contains("--step ingest first"),
                early.getMessage());
        assertFalse(Files.exists(SPARK.root().resolve("datasets/steps")), "a refused step starts nothing");
        for (String name : List.of("ingest", "train", "eval", "report")) {
            NightlyPipeline.Result r = step.apply(name);
            assertEquals(ExitCodes.OK, r.exitCode(), name + ": " + r.reason());
            assertEquals("partial", r.status(), name);
            assertTrue(tree(r).path("steps").path(name.equals("train") ? "train-early" : name).path("status").asText().equals("ok"), name);
            assertFalse(tree(r).path("steps").has("promote"), name + " runs nothing after it");
        }
        NightlyPipeline.Result last = step.apply("promote");
        assertEquals("first", tree(last).path("steps").path("promote").path("outcome").asText(), last.reason());
        assertEquals(ExitCodes.OK, last.exitCode());
        assertEquals("ok", last.status());
        assertThrows(io.fusionpipe.errors.BadInputException.class, () -> new NightlyPipeline.Request(LocalDate.now(), "d", List.of(), 1, "bogus"));
    }

    @Test
    void aFailedStepIsLoggedWithItsReason() throws Exception {
        StringWriter out = new StringWriter();
        Path missing = SPARK.root().resolve("inputs/not-there");
        NightlyPipeline.Result r = NightlyPipeline.run(SPARK.session(), SPARK.config(),
                new NightlyPipeline.Request(LocalDate.parse("2026-11-05"), "other", List.of(missing.toString()), 1), new PrintWriter(out, true));
        assertEquals(ExitCodes.FAILURE, r.exitCode(), out.toString());
        assertEquals("failed", tree(r).path("status").asText());
        JsonNode ingest = tree(r).path("steps").path("ingest");
        assertEquals("failed", ingest.path("status").asText());
        assertTrue(ingest.path("error").asText().contains("not-there"), ingest.toString());
        assertTrue(r.reason().startsWith("step ingest failed"), r.reason());
        assertFalse(Files.exists(local(NightlyPipeline.lockFile(FusionRoot.of(SPARK.config())))), "the lock is released after a failure");

        // nothing was appended, so a rerun may name other inputs: they replace the logged ones
        StringWriter again = new StringWriter();
        Path fixed = SPARK.root().resolve("inputs/still-not-there");
        NightlyPipeline.Result r2 = NightlyPipeline.run(SPARK.session(), SPARK.config(),
                new NightlyPipeline.Request(LocalDate.parse("2026-11-05"), "other", List.of(fixed.toString()), 1), new PrintWriter(again, true));
        assertTrue(tree(r2).path("steps").path("ingest").path("error").asText().contains("still-not-there"), again.toString());
        assertEquals(fixed.toString(), tree(r2).path("inputs").get(0).asText());
    }

    @Test
    void aSecondNightlyRunIsRefusedWhileTheLockIsHeld() throws Exception {
        Path lock = local(NightlyPipeline.lockFile(FusionRoot.of(SPARK.config())));
        Files.createDirectories(lock.getParent());
        Files.writeString(lock, "host elsewhere, pid 4242, date 2026-11-09");
        try {
            StringWriter out = new StringWriter();
            NightlyPipeline.Result r = night("2026-11-09", SPARK.root().resolve("inputs/none"), out);
            assertEquals(ExitCodes.FAILURE, r.exitCode());
            assertEquals("locked", r.status());
            assertTrue(r.reason().contains("pid 4242"), r.reason());
            assertEquals("host elsewhere, pid 4242, date 2026-11-09", Files.readString(lock), "someone else's lock is left alone");
            assertFalse(Files.exists(local(r.log())), "nothing logged for a night that did not start");
        } finally {
            Files.deleteIfExists(lock);
        }
    }

    /** The run log as its JSON file has it (field names included). */
    private static JsonNode tree(NightlyPipeline.Result r) {
        return JSON.valueToTree(r.state());
    }
}
