package io.fusionpipe.storage;

import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.dataset.DatasetVersions;
import io.fusionpipe.generate.GeneratePipeline;
import io.fusionpipe.generate.GenerateSettings;
import io.fusionpipe.ingest.IngestPipeline;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.json.Json;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.nightly.NightlyPipeline;
import io.fusionpipe.records.EpochMetrics;
import io.fusionpipe.records.RunRecord;
import io.fusionpipe.registry.PromotePipeline;
import io.fusionpipe.registry.Registry;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.testing.MiniHdfs;
import io.fusionpipe.testing.TestRoots;
import io.fusionpipe.train.Runs;
import io.fusionpipe.train.TrainPipeline;
import io.fusionpipe.train.TrainSettings;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 soak: ingest, train, promote and nightly are started as real processes ({@code bin/fusionpipe})
 * on a local root and on HDFS, killed (SIGKILL) at a seeded random moment, half the train trials the
 * moment a checkpoint's temporary file appears (the first, third, ...), then rerun or resumed. Counts what the issue asks:
 * partial versions visible (must be 0), runs that resume (must be all that had a checkpoint),
 * registry history lost (must be 0), leftovers found and cleaned. Prints a table and a JSON line.
 * <p>CI runs one trial of ingest, train and promote on HDFS (the local root is covered by every other test, nightly,
 * which runs all three, by the full soak); the full soak is
 * {@code deploy/soak.sh [--trials 10] [--seed 7] [--stores local,hdfs]} (this test with -Dsoak.*).
 */
@Tag("slow")
class KillSoakTest {

    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs();

    static final int TRIALS = Integer.getInteger("soak.trials", 1);
    static final long SEED = Long.getLong("soak.seed", 7);
    static final List<String> STORES = Arrays.asList(System.getProperty("soak.stores", "hdfs").split(","));
    static final List<String> KINDS = Arrays.asList(System.getProperty("soak.kinds", "ingest,train,promote").split(","));

    static final List<String> SETTINGS = List.of("fusionpipe.spark.master=local[2]", "fusionpipe.spark.shuffle-partitions=2",
            "ingest.mode=append", "ingest.image.width=32", "ingest.image.height=48", "ingest.caption.min-count=1",
            "ingest.dedup.near-enabled=false", "ingest.partitions=2", "train.variants=[early]", "train.model.embedding=16",
            "train.model.hidden=24", "train.model.patch-size=8", "train.model.patch-channels=16", "train.batch-size=8",
            "train.progress-interval=0", "train.epochs=3", "nightly.epochs=1", "eval.bootstrap.resamples=50", "eval.batch-size=8",
            "eval.conditions=[full]", "report.gallery-size=2", "report.worst-per-variant=1", "generate.partitions=2",
            "storage.leftover-age=1s", "locks.lease=30s");

    /** Per store and kind: trials, kills that landed before the command finished, and what the checks counted. */
    static final class Tally {
        int trials;
        int killedMidway;
        int partialVisible;
        int resumable;
        int resumed;
        int historyLost;
        int leftoversFound;
        int leftoversLeft;
        int recoveryFailed;

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trials", trials);
            m.put("killed_midway", killedMidway);
            m.put("partial_versions_visible", partialVisible);
            m.put("runs_resumable", resumable);
            m.put("runs_resumed", resumed);
            m.put("registry_history_lost", historyLost);
            m.put("leftovers_found", leftoversFound);
            m.put("leftovers_left_after_rerun", leftoversLeft);
            m.put("reruns_failed", recoveryFailed);
            return m;
        }
    }

    @Test
    void killNineAtRandomMomentsLosesNothing() throws Exception {
        Map<String, Tally> all = new LinkedHashMap<>();
        Random random = new Random(SEED);
        for (String store : STORES) {
            String root = store.equals("hdfs") ? HDFS.uri() + "/soak" : TestRoots.newRoot("soak").toString();
            Soak soak = new Soak(store, root, random);
            try {
                soak.setUp();
                for (int t = 0; t < TRIALS; t++) {
                    for (String kind : KINDS) {
                        soak.trial(kind, t, all.computeIfAbsent(store + "/" + kind, k -> new Tally()));
                    }
                }
            } finally {
                soak.close();
            }
        }
        StringBuilder table = new StringBuilder(String.format("%-16s %6s %7s %8s %9s %8s %8s %9s %6s %7s%n", "store/kind", "trials",
                "midway", "partial", "resumable", "resumed", "hist.lost", "leftovers", "left", "failed"));
        all.forEach((k, t) -> table.append(String.format("%-16s %6d %7d %8d %9d %8d %8d %9d %6d %7d%n", k, t.trials, t.killedMidway,
                t.partialVisible, t.resumable, t.resumed, t.historyLost, t.leftoversFound, t.leftoversLeft, t.recoveryFailed)));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("bench", "kill-soak");
        json.put("seed", SEED);
        json.put("trials_per_kind", TRIALS);
        Map<String, Object> results = new LinkedHashMap<>();
        all.forEach((k, t) -> results.put(k, t.json()));
        json.put("results", results);
        System.out.println("kill -9 soak (seed " + SEED + ", " + TRIALS + " trial(s) per kind and store)\n" + table);
        System.out.println(Json.compact(json));
        for (var e : all.entrySet()) {
            Tally t = e.getValue();
            assertEquals(0, t.partialVisible, e.getKey() + ": partial versions visible\n" + table);
            assertEquals(t.resumable, t.resumed, e.getKey() + ": runs that did not resume\n" + table);
            assertEquals(0, t.historyLost, e.getKey() + ": registry history lost\n" + table);
            assertEquals(0, t.recoveryFailed, e.getKey() + ": reruns that failed\n" + table);
            assertEquals(0, t.leftoversLeft, e.getKey() + ": leftovers not cleaned by the rerun\n" + table);
        }
    }

    /** One store's soak: an in-process session for set-up, reruns and checks; the killed commands are child processes. */
    static final class Soak {
        final String store;
        final String root;
        final Random random;
        final FusionConfig config;
        final SparkSession spark;
        final Configuration hadoop;
        final FileSystem fs;
        final FusionRoot fr;
        final File logs;
        String evalId;
        int inputs;
        int children;

        Soak(String store, String root, Random random) throws IOException {
            this.store = store;
            this.root = root;
            this.random = random;
            List<String> sets = new ArrayList<>(SETTINGS);
            sets.add("fusionpipe.root=" + root);
            sets.add("train.shared.port=" + (store.equals("hdfs") ? 40361 : 40351));
            this.config = ConfigLoader.fromClasspath().sets(sets).load();
            this.spark = SparkSessions.getOrCreate(config, "soak", TrainPipeline.SPARK_CONF);
            this.hadoop = spark.sparkContext().hadoopConfiguration();
            this.fs = new Path(root).getFileSystem(hadoop);
            this.fr = FusionRoot.of(config);
            this.logs = TestRoots.newRoot("soak-logs-" + store).toFile();
        }

        void close() {
            spark.stop();
        }

        String newInput(int cards) {
            String out = root + "/inputs/in" + (++inputs);
            GeneratePipeline.run(spark, GenerateSettings.of(config),
                    new GeneratePipeline.Request(out, cards, 1000L + inputs, GenerateSettings.Style.SCAN, null, false, false));
            return out + "/" + GeneratePipeline.MANIFEST;
        }

        /** A first night on dataset "soak": a version, a run, an evaluation and a champion for the trials to work on. */
        void setUp() {
            NightlyPipeline.Result r = NightlyPipeline.run(spark, config,
                    new NightlyPipeline.Request(LocalDate.parse("2026-01-01"), "soak", List.of(newInput(40)), 1), new PrintWriter(new StringWriter()));
            assertEquals(ExitCodes.OK, r.exitCode(), r.reason());
            evalId = Json.tree(HadoopFiles.readString(hadoop, r.log()), "log").path("steps").path("eval").path("eval_id").asText();
        }

        void trial(String kind, int t, Tally tally) throws Exception {
            tally.trials++;
            switch (kind) {
                case "ingest" -> ingest(t, tally);
                case "train" -> train(t, tally);
                case "promote" -> promote(t, tally);
                case "nightly" -> nightly(t, tally);
                default -> throw new IllegalArgumentException("soak.kinds: unknown kind " + kind);
            }
        }

        void ingest(int t, Tally tally) throws Exception {
            String input = newInput(24);
            if (kill(tally, seconds(2, 25), null, "ingest", "--name", "soak", "--input", input, "--mode", "append")) {
                tally.leftoversFound += leftovers(fr.dataset("soak"));
            }
            tally.partialVisible += partialVersions("soak");
            IngestSettings s = IngestSettings.of(config);
            Thread.sleep(1100); // older than storage.leftover-age
            try {
                IngestPipeline.run(spark, config, s, new IngestPipeline.Request("soak", InputSpec.resolveAll(List.of(input), s.format(), hadoop)));
            } catch (RuntimeException e) {
                tally.recoveryFailed++;
                System.err.println("soak " + store + " ingest " + t + ": rerun failed: " + e);
            }
            tally.partialVisible += partialVersions("soak");
            tally.leftoversLeft += leftovers(fr.dataset("soak"));
        }

        void train(int t, Tally tally) throws Exception {
            Set<String> before = runIds();
            // every other trial dies while a checkpoint after the first is being written; the others at a
            // random moment once the first checkpoint is complete (before it, a kill leaves nothing to
            // resume, and on a slow machine a delay from the start would almost always land there)
            boolean atCheckpoint = t % 2 == 0;
            kill(tally, seconds(0, 15), atCheckpoint ? "checkpoints" : "checkpointed", "train", "--dataset", "soak", "--epochs", "3");
            Set<String> started = runIds();
            started.removeAll(before);
            for (String runId : started) {
                Path dir = fr.run(runId);
                tally.leftoversFound += leftovers(dir) + leftovers(new Path(dir, "checkpoints"));
                if (!fs.exists(new Path(dir, RunRecord.FILE)) || Runs.lastCheckpoint(hadoop, dir) == 0) {
                    continue; // killed before its first checkpoint: nothing to resume, a new run starts over
                }
                if (Runs.read(hadoop, dir).isCompleted()) {
                    continue;
                }
                tally.resumable++;
                Thread.sleep(1100);
                try {
                    TrainPipeline.resume(spark, config, TrainSettings.of(config), runId);
                    RunRecord done = Runs.read(hadoop, dir);
                    if (done.isCompleted() && bestIsBestCheckpoint(dir)) {
                        tally.resumed++;
                    }
                } catch (RuntimeException e) {
                    System.err.println("soak " + store + " train " + t + ": resume of " + runId + " failed: " + e);
                }
                tally.leftoversLeft += leftovers(dir) + leftovers(new Path(dir, "checkpoints"));
            }
        }

        void promote(int t, Tally tally) throws Exception {
            Registry registry = new Registry(fr, hadoop);
            int history = registry.history().size();
            kill(tally, seconds(1, 12), null, "promote", evalId);
            int after = registry.history().size();
            if (after < history) {
                tally.historyLost += history - after;
            }
            try {
                PromotePipeline.promote(config, hadoop, evalId, null, null);
                if (registry.history().size() != after + 1) {
                    tally.historyLost++;
                }
            } catch (RuntimeException e) {
                tally.recoveryFailed++;
                System.err.println("soak " + store + " promote " + t + ": rerun failed: " + e);
            }
        }

        void nightly(int t, Tally tally) throws Exception {
            Registry registry = new Registry(fr, hadoop);
            int history = registry.history().size();
            String input = newInput(24);
            String date = LocalDate.parse("2026-02-01").plusDays(t).toString();
            kill(tally, seconds(3, 70), null, "nightly", "--dataset", "soak", "--input", input, "--date", date);
            tally.partialVisible += partialVersions("soak");
            if (registry.history().size() < history) {
                tally.historyLost += history - registry.history().size();
            }
            Thread.sleep(1100);
            StringWriter out = new StringWriter();
            NightlyPipeline.Result r = NightlyPipeline.run(spark, config,
                    new NightlyPipeline.Request(LocalDate.parse(date), "soak", List.of(input), 1), new PrintWriter(out, true));
            if (r.exitCode() != ExitCodes.OK && r.exitCode() != ExitCodes.REGRESSION) {
                tally.recoveryFailed++;
                System.err.println("soak " + store + " nightly " + t + ": rerun failed: " + r.reason() + "\n" + out);
            } else {
                // the night's evaluation holds the (possibly new) champion: later promote trials use it
                evalId = Json.tree(HadoopFiles.readString(hadoop, r.log()), "log").path("steps").path("eval").path("eval_id").asText();
            }
            tally.partialVisible += partialVersions("soak");
            tally.leftoversLeft += leftovers(fr.dataset("soak"));
        }

        /**
         * Starts {@code bin/fusionpipe args} and kills it with SIGKILL: after {@code delayMillis}; with
         * {@code watch} "checkpoints", as soon as a checkpoint is being written in a run that already has a
         * complete one; with "checkpointed", {@code delayMillis} after a run's first checkpoint is complete.
         * True when it was killed before it finished.
         */
        boolean kill(Tally tally, long delayMillis, String watch, String... args) throws Exception {
            List<String> sets = new ArrayList<>(SETTINGS);
            sets.add("fusionpipe.root=" + root);
            sets.add("train.shared.port=" + (store.equals("hdfs") ? 40371 : 40381));
            File log = new File(logs, args[0] + "-" + (++children) + ".log");
            Set<String> before = runIds();
            Process p = FusionpipeProcess.start(log, sets, args).process;
            long start = System.currentTimeMillis();
            if (watch == null) {
                while (p.isAlive() && System.currentTimeMillis() < start + delayMillis) {
                    Thread.sleep(50);
                }
            } else {
                // a slow machine takes longer: the watch gives up after 5 minutes and kills whatever it finds
                long giveUp = start + 300_000;
                boolean writing = watch.equals("checkpoints");
                while (p.isAlive() && System.currentTimeMillis() < giveUp && !checkpointing(before, writing)) {
                    Thread.sleep(writing ? 5 : 50);
                }
                if (!writing) {
                    long at = System.currentTimeMillis() + delayMillis;
                    while (p.isAlive() && System.currentTimeMillis() < at) {
                        Thread.sleep(50);
                    }
                }
            }
            boolean midway = p.isAlive();
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
            if (midway) {
                tally.killedMidway++;
            }
            return midway;
        }

        long seconds(int from, int to) {
            return (long) ((from + random.nextDouble() * (to - from)) * 1000);
        }

        /**
         * Whether a run started after {@code before} has a complete checkpoint and, when {@code writing},
         * is writing another (a hidden .tmp file in its checkpoints directory).
         */
        boolean checkpointing(Set<String> before, boolean writing) throws IOException {
            Set<String> runs = runIds();
            runs.removeAll(before);
            for (String runId : runs) {
                Path dir = fr.run(runId);
                Path d = new Path(dir, "checkpoints");
                if (fs.exists(d) && Runs.lastCheckpoint(hadoop, dir) >= 1
                        && (!writing || Arrays.stream(fs.listStatus(d)).anyMatch(s -> s.getPath().getName().endsWith(".tmp")))) {
                    return true;
                }
            }
            return false;
        }

        Set<String> runIds() throws IOException {
            Set<String> ids = new TreeSet<>();
            if (fs.exists(fr.runs())) {
                for (FileStatus st : fs.listStatus(fr.runs())) {
                    ids.add(st.getPath().getName());
                }
            }
            return ids;
        }

        int leftovers(Path dir) throws IOException {
            if (!fs.exists(dir)) {
                return 0;
            }
            return (int) Arrays.stream(fs.listStatus(dir)).map(s -> s.getPath().getName())
                    .filter(n -> n.startsWith(".staging-") || (n.startsWith(".") && n.endsWith(".tmp"))).count();
        }

        /** Versions a reader would open whose rows do not match their manifest (or that do not open at all). */
        int partialVersions(String dataset) {
            DatasetVersions versions = new DatasetVersions(fr.dataset(dataset), hadoop);
            int bad = 0;
            for (int k : versions.numbered()) {
                if (versions.uncommitted(versions.version(k)) != null) {
                    continue; // invisible: latest() and open() skip it
                }
                try {
                    DatasetVersion v = DatasetVersion.open(fr, dataset, k, hadoop);
                    long rows = spark.read().parquet(v.path().toString()).count();
                    if (rows != v.manifest().samples()) {
                        bad++;
                    }
                } catch (RuntimeException e) {
                    bad++;
                }
            }
            return bad;
        }

        /** best.zip is the checkpoint of the best epoch metrics.jsonl records. */
        boolean bestIsBestCheckpoint(Path dir) throws IOException {
            List<EpochMetrics> epochs = Runs.epochs(hadoop, dir);
            boolean hasVal = epochs.stream().anyMatch(m -> !Double.isNaN(m.valLoss()));
            int best = 0;
            double bestLoss = Double.POSITIVE_INFINITY;
            for (EpochMetrics m : epochs) {
                double key = hasVal ? m.valLoss() : m.trainLoss();
                if (best == 0 || key < bestLoss) {
                    best = m.epoch();
                }
                if (!Double.isNaN(key)) {
                    bestLoss = Math.min(bestLoss, key);
                }
            }
            return best > 0 && Arrays.equals(bytes(Runs.checkpoint(dir, best)), bytes(new Path(dir, "best.zip")));
        }

        byte[] bytes(Path p) throws IOException {
            try (var in = fs.open(p)) {
                return in.readAllBytes();
            }
        }
    }
}
