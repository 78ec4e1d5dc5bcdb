package io.fusionpipe.storage;

import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.dataset.DatasetVersions;
import io.fusionpipe.generate.GeneratePipeline;
import io.fusionpipe.generate.GenerateSettings;
import io.fusionpipe.json.Json;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.nightly.NightlyPipeline;
import io.fusionpipe.registry.Registry;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.testing.TestRoots;
import io.fusionpipe.train.TrainPipeline;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writers started at the same moment as separate processes ({@code bin/fusionpipe}) on one root:
 * two appends into one dataset (refused at once naming the holder with {@code locks.wait=0s}; both
 * published, one after the other, with a wait), two promotes (serialised, no decision lost), two
 * nightlies (the second refused naming the first).
 *
 * <p>The nightlies run first so that the promotes can reuse the evaluation the finished nightly made
 * (a whole night is the costliest set-up here); run alone, the promote test makes its own.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConcurrentWritersTest {

    static final List<String> SETTINGS = List.of("fusionpipe.spark.master=local[1]", "fusionpipe.spark.shuffle-partitions=2",
            "ingest.mode=append", "ingest.image.width=32", "ingest.image.height=48", "ingest.caption.min-count=1",
            "ingest.dedup.near-enabled=false", "ingest.partitions=2", "train.variants=[early]", "train.model.embedding=16",
            "train.model.hidden=24", "train.model.patch-size=8", "train.model.patch-channels=16", "train.batch-size=8",
            "train.progress-interval=0", "nightly.epochs=1", "eval.bootstrap.resamples=50", "eval.batch-size=8",
            "eval.conditions=[full]", "report.gallery-size=2", "report.worst-per-variant=1", "generate.partitions=2");

    static Path root;
    static FusionConfig config;
    static SparkSession spark;
    static Configuration hadoop;
    static String evalId;
    static int processes;

    @BeforeAll
    static void setUp() {
        root = TestRoots.newRoot("concurrent");
        List<String> sets = new ArrayList<>(SETTINGS);
        sets.add("fusionpipe.root=" + root);
        sets.add("train.shared.port=40391");
        config = ConfigLoader.fromClasspath().sets(sets).load();
        spark = SparkSessions.getOrCreate(config, "test", TrainPipeline.SPARK_CONF);
        hadoop = spark.sparkContext().hadoopConfiguration();
    }

    /** An evaluation to promote: the one a finished nightly made, else one from a night run in-process. */
    static String evalToPromote() {
        if (evalId == null) {
            NightlyPipeline.Result r = NightlyPipeline.run(spark, config,
                    new NightlyPipeline.Request(LocalDate.parse("2026-03-01"), "cards", List.of(input("base", 40)), 1), new PrintWriter(new StringWriter()));
            assertEquals(ExitCodes.OK, r.exitCode(), r.reason());
            evalId = evalIdOf(r.log());
        }
        return evalId;
    }

    static String evalIdOf(org.apache.hadoop.fs.Path nightlyLog) {
        String id = Json.tree(HadoopFiles.readString(hadoop, nightlyLog), "log").path("steps").path("eval").path("eval_id").asText();
        assertFalse(id.isEmpty(), "the nightly logged its evaluation: " + nightlyLog);
        return id;
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static String input(String name, int cards) {
        String out = root.resolve("inputs").resolve(name).toString();
        GeneratePipeline.run(spark, GenerateSettings.of(config),
                new GeneratePipeline.Request(out, cards, name.hashCode(), GenerateSettings.Style.SCAN, null, false, false));
        return out + "/" + GeneratePipeline.MANIFEST;
    }

    static FusionpipeProcess start(List<String> extra, String... args) throws Exception {
        List<String> sets = new ArrayList<>(SETTINGS);
        sets.add("fusionpipe.root=" + root);
        sets.add("train.shared.port=" + (40393 + 2 * processes));
        sets.addAll(extra);
        File log = Files.createTempFile(root, "process-" + (++processes) + "-", ".log").toFile();
        return FusionpipeProcess.start(log, sets, args);
    }

    @Test
    @Order(3)
    void twoAppendsIntoOneDatasetNeverNestOrHide() throws Exception {
        String a = input("a", 24);
        String b = input("b", 24);
        DatasetVersions versions = new DatasetVersions(FusionRoot.of(config).dataset("pair"), hadoop);
        // no wait: one publishes, the other is refused at once, naming the holder
        FusionpipeProcess first = start(List.of(), "ingest", "--name", "pair", "--input", a);
        FusionpipeProcess second = start(List.of(), "ingest", "--name", "pair", "--input", b);
        int x = first.exit(600);
        int y = second.exit(600);
        String outputs = first.output() + "\n----\n" + second.output();
        assertTrue((x == 0) != (y == 0), "exactly one succeeds: " + x + ", " + y + "\n" + outputs);
        String refused = x == 0 ? second.output() : first.output();
        assertTrue(refused.contains("being written by another ingest") && refused.contains("pid "), refused);
        assertEquals(List.of(1), versions.numbered(), outputs);
        // with a wait: both publish, one after the other, each on top of the other
        String c = input("c", 24);
        String d = input("d", 24);
        FusionpipeProcess third = start(List.of("locks.wait=10m"), "ingest", "--name", "pair", "--input", c);
        FusionpipeProcess fourth = start(List.of("locks.wait=10m"), "ingest", "--name", "pair", "--input", d);
        assertEquals(0, third.exit(900), third.output());
        assertEquals(0, fourth.exit(900), fourth.output());
        assertEquals(List.of(3, 2, 1), versions.numbered());
        assertTrue(third.output().contains("committed: ") && third.output().contains("_COMMITTED"), third.output());
        DatasetVersion v3 = DatasetVersion.open(FusionRoot.of(config), "pair", 3, hadoop);
        assertEquals(72, spark.read().parquet(v3.path().toString()).count(), "every appended row once, none hidden");
        assertFalse(Files.exists(root.resolve("datasets/pair/v1/v2")) || Files.exists(root.resolve("datasets/pair/v2/v3")), "nothing nested");
    }

    @Test
    @Order(2)
    void twoPromotesAreSerialisedAndLoseNoDecision() throws Exception {
        String evalId = evalToPromote();
        Registry registry = new Registry(FusionRoot.of(config), hadoop);
        int before = registry.history().size();
        long revision = registry.read().revision();
        FusionpipeProcess first = start(List.of(), "promote", evalId);
        FusionpipeProcess second = start(List.of(), "promote", evalId);
        int x = first.exit(600);
        int y = second.exit(600);
        assertTrue(List.of(ExitCodes.OK, ExitCodes.REGRESSION).contains(x), first.output());
        assertTrue(List.of(ExitCodes.OK, ExitCodes.REGRESSION).contains(y), second.output());
        assertEquals(before + 2, registry.history().size(), "both decisions recorded");
        assertEquals(revision + 2, registry.read().revision());
        assertTrue(Files.exists(root.resolve(String.format("registry/history/rev-%06d.json", revision + 1))));
        assertTrue(Files.exists(root.resolve(String.format("registry/history/rev-%06d.json", revision + 2))));
    }

    @Test
    @Order(1)
    void twoNightliesAtOnceRunOneRefusingTheOther() throws Exception {
        String a = input("night-a", 16);
        String b = input("night-b", 16);
        FusionpipeProcess first = start(List.of("registry.model-name=nights-model"), "nightly", "--dataset", "nights", "--input", a, "--date", "2026-03-02");
        // the second starts once the first holds the nightly lock
        Path lock = root.resolve("nightly/.lock");
        long deadline = System.currentTimeMillis() + 120_000;
        while (!Files.exists(lock) && first.process.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        FusionpipeProcess second = start(List.of("registry.model-name=nights-model"), "nightly", "--dataset", "nights", "--input", b, "--date", "2026-03-03");
        int y = second.exit(600);
        int x = first.exit(900);
        assertTrue(List.of(ExitCodes.OK, ExitCodes.REGRESSION).contains(x), first.output());
        assertEquals(ExitCodes.FAILURE, y, second.output());
        assertTrue(second.output().contains("another nightly run holds") && second.output().contains("nightly 2026-03-02"), second.output());
        assertFalse(Files.exists(lock), "released");
        if (x == ExitCodes.OK) {
            evalId = evalIdOf(new org.apache.hadoop.fs.Path(root.resolve("nightly/2026-03-02/nightly.json").toUri()));
        }
    }
}
