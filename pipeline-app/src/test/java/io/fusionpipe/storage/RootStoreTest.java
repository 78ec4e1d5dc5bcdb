package io.fusionpipe.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersions;
import io.fusionpipe.generate.GeneratePipeline;
import io.fusionpipe.generate.GenerateSettings;
import io.fusionpipe.ingest.IngestPipeline;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.layout.Commits;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.nightly.NightlyPipeline;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.TrainPipeline;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline with its root on a real remote store ({@link HdfsRootTest}: HDFS, {@link S3RootTest}: an S3
 * server through S3A): generate, then a night (ingest, train, eval, report, promote), every output committed
 * with its marker; then appends into one dataset over what a killed publish left, which stays invisible and
 * is cleaned while a live writer's staging is kept.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RootStoreTest {

    static final ObjectMapper JSON = new ObjectMapper();
    SparkSession spark;
    FusionConfig config;
    String root;

    /** The root URI on the store (started by the subclass's extension). */
    abstract String root();

    /** The store's own settings, as --set lines. */
    abstract List<String> storeSets();

    @BeforeAll
    void session() {
        root = root();
        List<String> sets = new ArrayList<>(storeSets());
        sets.addAll(List.of("fusionpipe.root=" + root, "fusionpipe.spark.master=local[2]",
                "fusionpipe.spark.shuffle-partitions=2", "ingest.mode=append", "ingest.image.width=32", "ingest.image.height=48",
                "ingest.caption.min-count=1", "ingest.dedup.near-enabled=false", "ingest.partitions=2", "train.variants=[early]",
                "train.model.embedding=16", "train.model.hidden=24", "train.model.patch-size=8", "train.model.patch-channels=16",
                "train.batch-size=8", "train.progress-interval=0", "nightly.epochs=1",
                "eval.bootstrap.resamples=50", "eval.batch-size=8", "eval.conditions=[full]", "report.gallery-size=2",
                "report.worst-per-variant=1", "generate.partitions=2"));
        config = ConfigLoader.fromClasspath().sets(sets).load();
        spark = SparkSessions.getOrCreate(config, "test", TrainPipeline.SPARK_CONF);
    }

    @AfterAll
    void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    String generate(String name, int count, long seed) {
        String out = root + "/inputs/" + name;
        GeneratePipeline.run(spark, GenerateSettings.of(config),
                new GeneratePipeline.Request(out, count, seed, GenerateSettings.Style.SCAN, null, false, false));
        return out + "/" + GeneratePipeline.MANIFEST;
    }

    @Test
    @Order(1)
    void aNightRunsEndToEnd() throws Exception {
        String input = generate("night1", 48, 3);
        StringWriter log = new StringWriter();
        NightlyPipeline.Result night = NightlyPipeline.run(spark, config,
                new NightlyPipeline.Request(LocalDate.parse("2026-12-01"), "cards", List.of(input), 1), new PrintWriter(log, true));
        assertEquals(ExitCodes.OK, night.exitCode(), log.toString());
        assertTrue(night.log().toString().startsWith(root + "/"), night.log().toString());
        JsonNode steps = JSON.readTree(read(night.log())).path("steps");
        assertEquals("first", steps.path("promote").path("outcome").asText(), steps.toString());

        FusionRoot fr = FusionRoot.of(config);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        FileSystem fs = new Path(root).getFileSystem(hadoop);
        assertEquals(new Path(root).toUri().getScheme(), fs.getUri().getScheme());
        assertTrue(fs.exists(Commits.marker(new Path(fr.dataset("cards"), "v1"))), "the dataset version is committed");
        String evalId = steps.path("eval").path("eval_id").asText();
        assertTrue(fs.exists(Commits.marker(fr.eval(evalId))), "the evaluation is committed: " + evalId);
        assertTrue(fs.exists(new Path(fr.registry(), "registry.json")));
        assertTrue(fs.exists(new Path(fr.registry(), "history/rev-000001.json")));
        String runId = steps.path("train-early").path("run_id").asText();
        assertTrue(fs.exists(new Path(fr.run(runId), "best.zip")), runId);
        assertFalse(fs.exists(new Path(fr.registry(), ".lock")), "the registry lock is released");
        assertFalse(fs.exists(new Path(fr.dataset("cards"), ".lock")), "the dataset lock is released");
    }

    @Test
    @Order(2)
    void appendsCommitEachVersionAndCleanLeftovers() throws Exception {
        String a = generate("append-a", 40, 11);
        String b = generate("append-b", 24, 12);
        IngestSettings s = IngestSettings.of(config);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path dataset = FusionRoot.of(config).dataset("pair");
        FileSystem fs = dataset.getFileSystem(hadoop);
        IngestPipeline.Result first = IngestPipeline.run(spark, config, s,
                new IngestPipeline.Request("pair", InputSpec.resolveAll(List.of(a), s.format(), hadoop)));
        assertTrue(first.marker().endsWith("/pair/v1/_COMMITTED"), first.marker());
        // what a publish killed mid-copy leaves: a v2 with some files and no marker, and an old staging directory
        fs.mkdirs(new Path(dataset, "v2/split=train"));
        HadoopFiles.writeAtomically(hadoop, new Path(dataset, "v2/_manifest.json"),
                HadoopFiles.readString(hadoop, new Path(dataset, "v1/_manifest.json")));
        fs.mkdirs(new Path(dataset, ".staging-v2-killed"));
        // backdated on HDFS; S3A's setTimes does nothing (S3 cannot backdate), so its subclass sets a short leftover age
        fs.setTimes(new Path(dataset, ".staging-v2-killed"), System.currentTimeMillis() - 7_200_000, -1);
        java.time.Duration age = config.config().getDuration("fusionpipe.storage.leftover-age");
        if (age.toMinutes() < 1) {
            Thread.sleep(age.toMillis() + 1000); // a store that cannot backdate (S3): let the killed staging age
        }
        // a writer still filling its staging directory: the directory's own time is old (or, on S3, none)
        HadoopFiles.writeAtomically(hadoop, new Path(dataset, ".staging-v9-live/part-0"), "being written");
        fs.setTimes(new Path(dataset, ".staging-v9-live"), System.currentTimeMillis() - 7_200_000, -1);
        DatasetVersions versions = new DatasetVersions(dataset, hadoop);
        assertEquals(1, versions.latest().getAsInt(), "the unmarked v2 is invisible");
        IngestPipeline.Result second = IngestPipeline.run(spark, config, s,
                new IngestPipeline.Request("pair", InputSpec.resolveAll(List.of(b), s.format(), hadoop)));
        assertEquals(2, second.version());
        assertEquals(2, versions.latest().getAsInt());
        assertEquals(64, spark.read().parquet(new Path(dataset, "v2").toString()).count(), "v1's rows and the appended ones, once");
        List<String> names = new ArrayList<>();
        for (var st : fs.listStatus(dataset)) {
            names.add(st.getPath().getName());
        }
        assertFalse(names.contains(".staging-v2-killed"), "leftovers cleaned: " + names);
        assertTrue(names.contains(".staging-v9-live"), "a live writer's staging is kept: " + names);
    }

    private String read(Path p) {
        return HadoopFiles.readString(spark.sparkContext().hadoopConfiguration(), p);
    }
}
