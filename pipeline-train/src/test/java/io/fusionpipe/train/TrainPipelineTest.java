package io.fusionpipe.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.records.EpochMetrics;
import io.fusionpipe.config.ConfigValidationException;
import io.fusionpipe.config.FusionConfig;
import com.typesafe.config.ConfigFactory;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.train.data.CaptionBatches;
import io.fusionpipe.train.model.Variant;
import io.fusionpipe.text.Tokenizer;
import io.fusionpipe.text.Vocabulary;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Spark trainer (SharedTrainingMaster on local[2]) on a tiny published dataset: run directory, metrics, checkpoints. */
@Tag("slow") // whole-pipeline runs on Spark: -Pall-tests (CI) runs them, plain mvn verify does not
class TrainPipelineTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(TrainPipeline.SPARK_CONF,
            "train.model.embedding=16", "train.model.hidden=24", "train.model.patch-size=8", "train.model.cnn-channels=[4, 8]",
            "train.batch-size=8", "train.epochs=2", "train.learning-rate=0.01", "train.model.dropout=0");

    static DatasetVersion dataset;

    @BeforeAll
    static void publish() throws Exception {
        dataset = ColourCards.publish(SPARK, "colours");
    }

    @Test
    void eachVariantTrainsWithGradientSharingAndWritesItsRun() throws Exception {
        TrainSettings s = TrainSettings.of(SPARK.config());
        ObjectMapper json = new ObjectMapper();
        for (Variant v : Variant.values()) {
            TrainPipeline.Result r = TrainPipeline.train(SPARK.session(), SPARK.config(), s, dataset, v);
            assertEquals(2, r.epochs().size());
            Path dir = Paths.get(r.runDir().toUri());
            JsonNode run = json.readTree(dir.resolve("run.json").toFile());
            assertEquals("completed", run.get("status").asText());
            assertEquals(dataset.vocabulary().hash(), run.get("vocab_hash").asText());
            assertEquals(2, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
            for (EpochMetrics m : r.epochs()) {
                assertTrue(Double.isFinite(m.trainLoss()) && Double.isFinite(m.valLoss()) && m.samplesPerSecond() > 0, m.toString());
            }
            assertTrue(Files.exists(dir.resolve("checkpoints/epoch-1.zip")) && Files.exists(dir.resolve("checkpoints/epoch-2.zip")));
            ComputationGraph best = ModelSerializer.restoreComputationGraph(dir.resolve("best.zip").toFile(), true);
            assertEquals(r.parameters(), best.numParams());
            assertTrue(Files.exists(dir.resolve("fusionpipe.conf")));
            // Aeron's client exits the JVM (System.exit(-1)) when its media driver looks stalled for 30 s:
            // a transport left running after training can kill a long-lived JVM (nightly, kernel, tests) hours later
            assertEquals(List.of(), transportThreads(), "the gradient-sharing transport is shut down once " + v.id() + " is trained");
        }
    }

    /** Live threads of an Aeron client or media driver in this JVM (waits up to 10 s for them to end). */
    private static List<String> transportThreads() throws InterruptedException {
        List<String> names = List.of();
        for (int i = 0; i < 100; i++) {
            names = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> n.startsWith("aeron-") || n.equals("driver-conductor") || n.equals("sender") || n.equals("receiver")).sorted().toList();
            if (names.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        return names;
    }

    @Test
    void resumeContinuesAKilledRunAndInitFromChecksTheVocabulary() throws Exception {
        TrainSettings s = TrainSettings.of(SPARK.config());
        FusionConfig seven = SPARK.config().with("fusionpipe.train.seed", 7L);
        TrainPipeline.Result first = TrainPipeline.train(SPARK.session(), seven, TrainSettings.of(seven).withEpochs(1), dataset, Variant.EARLY);
        assertEquals(1, first.epochs().size());
        // resumed under another configured seed: the run keeps its own, in run.json and in its saved configuration
        TrainPipeline.Result resumed = TrainPipeline.resume(SPARK.session(), SPARK.config(), s.withEpochs(3), first.runId());
        assertEquals(first.runDir(), resumed.runDir());
        assertEquals(List.of(1, 2, 3), resumed.epochs().stream().map(EpochMetrics::epoch).toList());
        assertEquals(resumed.epochs().get(0), first.epochs().get(0), "epoch 1 is kept as it was");
        assertEquals(3, Files.readAllLines(Paths.get(resumed.runDir().toUri()).resolve("metrics.jsonl")).size());
        JsonNode run = new ObjectMapper().readTree(Paths.get(resumed.runDir().toUri()).resolve("run.json").toFile());
        assertEquals(1, run.get("resumed_after_epoch").asInt());
        assertEquals(7, run.get("seed").asLong());
        assertEquals(7, ConfigFactory.parseFile(Paths.get(resumed.runDir().toUri()).resolve("fusionpipe.conf").toFile()).getLong("fusionpipe.train.seed"));

        TrainPipeline.Result tuned = TrainPipeline.initFrom(SPARK.session(), SPARK.config(), s.withEpochs(1), dataset, first.runId());
        assertEquals(Variant.EARLY, tuned.variant());
        assertTrue(!tuned.runId().equals(first.runId()));

        // Another vocabulary: refused before any training.
        Path other = SPARK.root().resolve("datasets/colours2/v1");
        Files.createDirectories(other);
        Path v1 = SPARK.root().resolve("datasets/colours/v1");
        Files.copy(v1.resolve("_manifest.json"), other.resolve("_manifest.json"));
        Files.writeString(other.resolve("_vocab.json"), Vocabulary.fit(Map.of("other", 3L, "words", 3L), 1, 10, new Tokenizer(true)).toJson());
        DatasetVersion ds2 = DatasetVersion.open(FusionRoot.of(SPARK.config()), "colours2", null, SPARK.session().sparkContext().hadoopConfiguration());
        io.fusionpipe.errors.BadInputException e = assertThrows(io.fusionpipe.errors.BadInputException.class,
                () -> TrainPipeline.initFrom(SPARK.session(), SPARK.config(), s, ds2, first.runId()));
        assertTrue(e.getMessage().contains("vocabulary") && e.getMessage().contains("differs"), e.getMessage());
        io.fusionpipe.errors.BadInputException nothing = assertThrows(io.fusionpipe.errors.BadInputException.class,
                () -> TrainPipeline.resume(SPARK.session(), SPARK.config(), s, "no-such-run"));
        assertTrue(nothing.getMessage().contains("no run at"), nothing.getMessage());
    }

    @Test
    void fineTuningKeepsAFrozenImageEncoderBitIdenticalThenTrainsIt() throws Exception {
        TrainSettings s = TrainSettings.of(SPARK.config());
        TrainPipeline.Result source = TrainPipeline.train(SPARK.session(), SPARK.config(), s.withEpochs(1), dataset, Variant.INTERMEDIATE);
        ComputationGraph before = ModelSerializer.restoreComputationGraph(Paths.get(source.runDir().toUri()).resolve("best.zip").toFile(), false);
        TrainSettings frozen = new TrainSettings(s.variants(), 2, s.batchSize(), s.seed(), s.seeds(), s.optimiser(), s.model(), s.earlyStopping(),
                new TrainSettings.FineTune(1, 0.5), s.modalityDropout(), s.distributed(), 0, 0);
        TrainPipeline.Result tuned = TrainPipeline.initFrom(SPARK.session(), SPARK.config(), frozen, dataset, source.runId());
        Path dir = Paths.get(tuned.runDir().toUri());
        ComputationGraph epoch1 = ModelSerializer.restoreComputationGraph(dir.resolve("checkpoints/epoch-1.zip").toFile(), false);
        ComputationGraph epoch2 = ModelSerializer.restoreComputationGraph(dir.resolve("checkpoints/epoch-2.zip").toFile(), false);
        // weights, and batch normalisation's scale, shift and running statistics
        for (String layer : List.of("conv0", "norm0", "conv1", "norm1")) {
            assertEquals(before.getLayer(layer).params(), epoch1.getLayer(layer).params(), layer + " is frozen in epoch 1");
            assertTrue(!epoch1.getLayer(layer).params().equals(epoch2.getLayer(layer).params()), layer + " trains after unfreezing");
        }
        assertTrue(!before.getLayer("lstm1").params().equals(epoch1.getLayer("lstm1").params()), "the decoder trains while the encoder is frozen");
    }

    /** The train loss is measured on a random sample of train batches; with few batches that sample can be empty. */
    @Test
    void theTrainLossIsMeasuredWhenTheSampleDrawsNoBatch() throws Exception {
        TrainSettings s = TrainSettings.of(SPARK.config());
        // 36 train rows in batches of 36 on 2 partitions: 1-2 batches, each sampled with probability 1/3
        TrainSettings big = new TrainSettings(s.variants(), 3, 36, s.seed(), s.seeds(), s.optimiser(), s.model(), s.earlyStopping(), s.fineTune(),
                s.modalityDropout(), s.distributed(), 0, 0);
        TrainPipeline.Result r = TrainPipeline.train(SPARK.session(), SPARK.config(), big, dataset, Variant.EARLY);
        assertEquals(3, r.epochs().size());
        for (EpochMetrics m : r.epochs()) {
            assertTrue(Double.isFinite(m.trainLoss()), "epoch " + m.epoch() + ": train loss " + m.trainLoss());
        }
    }

    @Test
    void earlyStoppingEndsARunThatStopsImproving() throws Exception {
        TrainSettings s = TrainSettings.of(SPARK.config());
        // an improvement of a million nats is never reached: the run stops after patience epochs without one
        TrainSettings patient = new TrainSettings(s.variants(), 5, s.batchSize(), s.seed(), s.seeds(), s.optimiser(), s.model(),
                new TrainSettings.EarlyStopping(1, 1e6), s.fineTune(), s.modalityDropout(), s.distributed(), 0, 0);
        TrainPipeline.Result r = TrainPipeline.train(SPARK.session(), SPARK.config(), patient, dataset, Variant.EARLY);
        assertEquals(2, r.epochs().size());
        JsonNode run = new ObjectMapper().readTree(Paths.get(r.runDir().toUri()).resolve("run.json").toFile());
        assertEquals(2, run.get("stopped_early_after_epoch").asInt());
        assertEquals("completed", run.get("status").asText());
    }

    @Test
    void learningRateSchedules() {
        var cosine = new TrainSettings.Optimiser(0.01, "cosine", 0.1, 5, 0.5, 0);
        assertEquals(0.01, cosine.rate(1, 5), 1e-12);
        assertEquals(0.001, cosine.rate(5, 5), 1e-12);
        assertEquals(0.0055, cosine.rate(3, 5), 1e-12);
        var step = new TrainSettings.Optimiser(0.01, "step", 0.1, 2, 0.5, 0);
        assertEquals(List.of(0.01, 0.01, 0.005, 0.005, 0.0025), java.util.stream.IntStream.rangeClosed(1, 5)
                .mapToObj(e -> step.rate(e, 5)).toList());
        assertEquals(0.01, new TrainSettings.Optimiser(0.01, "constant", 0.1, 2, 0.5, 0).rate(9, 10), 0);
    }

    @Test
    void progressCountsTheMinibatchesTheWorkersFit() throws Exception {
        var sc = SPARK.session().sparkContext();
        TrainSettings s = TrainSettings.of(SPARK.config());
        try (TrainProgress progress = new TrainProgress(sc, "test", 0, 0, System.err, p -> "")) {
            ComputationGraph g = io.fusionpipe.train.model.FusionModels.build(Variant.EARLY,
                    s.modelSpec(dataset.vocabulary().size(), 12, 32, 48));
            var sparkNet = new org.deeplearning4j.spark.impl.graph.SparkComputationGraph(sc, g,
                    TrainPipeline.trainingMaster(s, sc));
            sparkNet.setListeners(progress.listener());
            var data = io.fusionpipe.train.data.TrainingData.batches(SPARK.session(), dataset, "train", 6, 2);
            long batches = data.count();
            sparkNet.fitMultiDataSet(data);
            TrainProgress.Snapshot done = progress.snapshot();
            assertEquals(batches, done.batches(), "every minibatch fitted once (36 rows, batches of 6 over 2 partitions)");
            assertTrue(done.meanLoss() > 0 && Double.isFinite(done.meanLoss()), done.toString());
            progress.reset();
            assertEquals(0, progress.snapshot().batches());
        }
        assertEquals("1:05", TrainProgress.duration(65));
        assertEquals("1:01:01", TrainProgress.duration(3661));
    }

    @Test
    void modalityDropoutBlanksTheImageOrTheTextInput() {
        var ex = new CaptionBatches.Example(pngOf(Color.RED), new int[]{1, 5, 6, 2});
        var image = CaptionBatches.toMultiDataSet(List.of(ex), 10, 6, 32, 48, new CaptionBatches.Blanking(1, 0), new Random(1));
        assertEquals(0.0, image.getFeatures(0).amaxNumber().doubleValue(), 0, "blank image");
        assertEquals(5.0, image.getFeatures(1).getDouble(0, 0, 1), 0, "text kept");
        var text = CaptionBatches.toMultiDataSet(List.of(ex), 10, 6, 32, 48, new CaptionBatches.Blanking(0, 1), new Random(1));
        assertEquals(1.0, text.getFeatures(0).getDouble(0, 0, 0, 0), 1e-6, "red stays red (normalised to 1)");
        assertEquals(List.of(1.0, 3.0, 3.0, 0.0, 0.0), java.util.Arrays.stream(text.getFeatures(1).reshape(5).toDoubleVector()).boxed().toList(),
                "<bos> then <unk> for every real input token, padding kept");
        assertEquals(1.0, text.getLabels(0).getDouble(0, 5, 0), 0, "labels unchanged");
        assertThrows(IllegalArgumentException.class, () -> new CaptionBatches.Blanking(0.7, 0.5));
    }

    @Test
    void modelSizesThatDoNotFitTheDatasetAreAConfigError() {
        var config = io.fusionpipe.config.ConfigLoader.fromClasspath().systemProperties(new java.util.Properties())
                .set("train.model.patch-size=7").load();
        ConfigValidationException e = assertThrows(ConfigValidationException.class,
                () -> TrainSettings.of(config).modelSpec(dataset.vocabulary().size(), 12, 32, 48));
        assertTrue(e.getMessage().contains("fusionpipe.train.model") && e.getMessage().contains("7-pixel patches")
                && e.getMessage().contains("32x48"), e.getMessage());
    }

    @Test
    void trainBenchCurveShowsTheSparkTrainerLearningLikeAPlainFit() throws Exception {
        List<String> base = new ArrayList<>(List.of("train-bench", "--dataset", "colours", "--variant", "early", "--curve", "3",
                "--root", SPARK.root().toString()));
        for (String set : List.of("train.model.embedding=16", "train.model.hidden=24", "train.model.patch-size=8", "train.model.patch-channels=16",
                "train.model.cnn-channels=[4, 8]", "train.batch-size=8", "train.learning-rate=0.01", "train.model.dropout=0",
                "train.model.image-scale=1", "train.shared.port=40331")) {
            base.add("--set");
            base.add(set);
        }
        JsonNode matched = curve(base);
        // a threshold far below Adam's step size caps every step: the same check must see the Spark trainer fall behind
        List<String> capped = new ArrayList<>(base);
        capped.addAll(List.of("--set", "train.shared.threshold-algorithm=fixed", "--set", "train.shared.threshold=0.00005"));
        JsonNode slow = curve(capped);
        double plain = matched.get(2).get("plain_val_loss").asDouble();
        double spark = matched.get(2).get("spark_val_loss").asDouble();
        assertTrue(plain < matched.get(0).get("plain_val_loss").asDouble() && spark < matched.get(0).get("spark_val_loss").asDouble(), matched.toString());
        // With 5 steps per pass the Spark trainer trails the plain fit (2.88 vs 2.11 after 3 passes with the
        // per-pass state sync, local[2]); the gap shrinks with more steps per pass (docs/distributed-training.md).
        // The bound keeps a diverging or stalled Spark trainer from passing.
        assertTrue(Math.abs(spark - plain) < 0.6 * plain, "Spark " + spark + " vs plain " + plain);
        assertTrue(slow.get(2).get("spark_val_loss").asDouble() > 1.25 * slow.get(2).get("plain_val_loss").asDouble(), slow.toString());
    }

    private static JsonNode curve(List<String> args) throws Exception {
        io.fusionpipe.testing.Cli.Run r = io.fusionpipe.testing.Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        JsonNode rows = new ObjectMapper().readTree(lines[lines.length - 1]).get("curve");
        assertEquals(3, rows.size(), r.out());
        return rows;
    }

    @Test
    void unknownVariantIsAConfigErrorNamingTheKey() {
        var config = io.fusionpipe.config.ConfigLoader.fromClasspath().systemProperties(new java.util.Properties())
                .set("train.variants=[early, middle]").load();
        ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> TrainSettings.of(config));
        assertTrue(e.getMessage().contains("fusionpipe.train.variants") && e.getMessage().contains("middle"), e.getMessage());
    }

    @Test
    void batchesCarryMasksAndOneHotLabels() {
        var ex = new CaptionBatches.Example(pngOf(Color.RED), new int[]{1, 5, 6, 2});
        var mds = CaptionBatches.toMultiDataSet(List.of(ex), 10, 6, 32, 48);
        assertEquals(List.of(1L, 3L, 48L, 32L), java.util.Arrays.stream(mds.getFeatures(0).shape()).boxed().toList());
        assertEquals(1.0, mds.getLabels(0).getDouble(0, 5, 0), 0);
        assertEquals(1.0, mds.getLabels(0).getDouble(0, 2, 2), 0, "<eos> is the last label");
        assertEquals(3.0, mds.getLabelsMaskArray(0).sumNumber().doubleValue(), 0);
        assertEquals(null, mds.getFeaturesMaskArray(0), "the image has no mask");
    }

    private static byte[] pngOf(Color c) {
        try {
            BufferedImage img = new BufferedImage(32, 48, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(c);
            g.fillRect(0, 0, 32, 48);
            g.dispose();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            return png.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The stall watch: a fit that makes no progress is cancelled with a reason (DL4J can wait forever after losing a worker). */
    @Test
    void aFitWithoutProgressIsCancelledWithAReason() {
        org.apache.spark.api.java.JavaSparkContext jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(SPARK.session().sparkContext());
        java.io.PrintStream quiet = new java.io.PrintStream(new java.io.ByteArrayOutputStream());
        try (TrainProgress progress = new TrainProgress(jsc.sc(), "stall-test", 0, 400, quiet, p -> "")) {
            progress.fitting(true);
            long t0 = System.nanoTime();
            // a job whose tasks never report a minibatch (as when gradient sharing waits for a lost worker)
            Exception e = assertThrows(Exception.class, () -> jsc.parallelize(java.util.List.of(1, 2), 2).foreach(x -> Thread.sleep(20_000)));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 15, "cancelled after " + seconds + " s, not when the 20 s tasks ended");
            assertTrue(String.valueOf(e.getMessage()).contains("cancel"), e.getMessage());
            String why = progress.stalled();
            assertTrue(why != null && why.contains("no minibatch finished for") && why.contains("waiting for executor driver on "),
                    String.valueOf(why));
            // where the waiting tasks were, logged before the cancel ends them
            String threads = progress.stalledThreads();
            assertTrue(threads.contains("executor driver:") && threads.contains("Executor task launch worker")
                    && threads.contains("java.lang.Thread.sleep"), threads);
        }
    }

    /** DL4J runs Spark jobs of its own (counting, repartitioning) before the first minibatch: their finished tasks are progress. */
    @Test
    void tasksThatFinishBeforeTheFirstMinibatchAreProgress() {
        org.apache.spark.api.java.JavaSparkContext jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(SPARK.session().sparkContext());
        try (TrainProgress progress = new TrainProgress(jsc.sc(), "prefit-test", 0, 3_000, new java.io.PrintStream(new java.io.ByteArrayOutputStream()), p -> "")) {
            progress.fitting(true);
            // 12 one-second tasks on local[2]: about 6 s with no minibatch, a task finishing every second
            jsc.parallelize(java.util.List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 12).foreach(x -> Thread.sleep(1_000));
            org.junit.jupiter.api.Assertions.assertNull(progress.stalled());
            progress.fitting(false);
        }
    }

    @Test
    void idleTimeOutsideAFitIsNotAStall() throws Exception {
        org.apache.spark.api.java.JavaSparkContext jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(SPARK.session().sparkContext());
        try (TrainProgress progress = new TrainProgress(jsc.sc(), "idle-test", 0, 300, new java.io.PrintStream(new java.io.ByteArrayOutputStream()), p -> "")) {
            progress.fitting(true);
            progress.fitting(false);
            // scoring and checkpointing between fits take time too
            jsc.parallelize(java.util.List.of(1, 2), 2).foreach(x -> Thread.sleep(1_500));
            org.junit.jupiter.api.Assertions.assertNull(progress.stalled());
        }
    }

    @Test
    void theDemoReusesOnlyARunTrainedWithTheSameSettings() throws Exception {
        TrainSettings s = TrainSettings.of(SPARK.config()).withEpochs(1);
        TrainPipeline.Result r = TrainPipeline.train(SPARK.session(), SPARK.config(), s, dataset, Variant.EARLY);
        var hadoop = SPARK.session().sparkContext().hadoopConfiguration();
        FusionRoot root = FusionRoot.of(SPARK.config());
        com.typesafe.config.Config same = SPARK.config().config()
                .withValue("fusionpipe.train.progress-interval", com.typesafe.config.ConfigValueFactory.fromAnyRef("1m"));
        com.typesafe.config.Config wider = SPARK.config().config()
                .withValue("fusionpipe.train.model.hidden", com.typesafe.config.ConfigValueFactory.fromAnyRef(32));
        assertEquals(java.util.Optional.of(r.runId()), TrainDemoStage.completedRun(root, hadoop, dataset, Variant.EARLY, 1, same),
                "a setting that does not shape the result (progress-interval) keeps the run reusable");
        assertTrue(TrainDemoStage.completedRun(root, hadoop, dataset, Variant.EARLY, 1, wider).isEmpty(),
                "a run with another model size is not the one the demo asks for");
    }
}
