package io.fusionpipe.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.BuildInfo;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.log.StageLog;
import io.fusionpipe.train.data.TrainingData;
import io.fusionpipe.train.model.FusionModels;
import io.fusionpipe.train.model.ModelSpec;
import io.fusionpipe.train.model.Variant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.enums.MeshBuildMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Trains one fusion variant on a dataset version with DL4J's Spark trainer (gradient sharing by
 * default), one plain function: build the graph, fit epoch by epoch on MultiDataSets made by the
 * executors, score the val split on Spark, and keep the run directory up to date:
 * {@code run.json}, {@code metrics.jsonl}, {@code checkpoints/epoch-N.zip} (atomic), {@code best.zip}.
 */
public final class TrainPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(TrainPipeline.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainPipeline() {
    }

    /** One epoch's figures. */
    public record EpochMetrics(int epoch, double trainLoss, double valLoss, double samplesPerSecond, double seconds, long peakHeapMiB) {
    }

    /** What a run produced. */
    public record Result(String runId, Path runDir, Variant variant, long parameters, List<EpochMetrics> epochs, double bestValLoss) {
    }

    public static Result train(SparkSession spark, FusionConfig config, TrainSettings s, DatasetVersion ds, Variant variant) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String runId = ds.name() + "-v" + ds.version() + "-" + variant.id() + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now(ZoneOffset.UTC)) + "-"
                + UUID.randomUUID().toString().substring(0, 6);
        Path runDir = FusionRoot.of(config).run(runId);
        StageLog stage = StageLog.start("train." + variant.id());
        ModelSpec spec = s.modelSpec(ds.vocabulary().size(), ds.maxTokens(), ds.width(), ds.height());
        ComputationGraph graph = FusionModels.build(variant, spec);
        Map<String, Long> params = FusionModels.parameterCounts(graph);
        LOG.info("{}: {} parameters {}", variant.id(), params.get("total"), params);

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run_id", runId);
        run.put("variant", variant.id());
        run.put("status", "running");
        run.put("dataset", Map.of("name", ds.name(), "version", ds.version(), "path", ds.path().toString(),
                "fingerprint", ds.manifest().path("inputs").toString().hashCode()));
        run.put("vocab_hash", ds.vocabulary().hash());
        run.put("parameters", params);
        run.put("versions", Map.of("fusionpipe", BuildInfo.version(), "dl4j", BuildInfo.get("dl4j.version"),
                "spark", BuildInfo.get("spark.version"), "nd4j_backend", BuildInfo.get("nd4j.backend")));
        run.put("master", s.master());
        run.put("started", ZonedDateTime.now(ZoneOffset.UTC).toString());
        HadoopFiles.writeAtomically(hadoop, new Path(runDir, FusionRoot.CONFIG_SNAPSHOT), config.render());
        writeJson(hadoop, new Path(runDir, "run.json"), run);

        TrainingMaster<?, ?> master = trainingMaster(s, spark.sparkContext().defaultParallelism(), spark.sparkContext().master());
        SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, graph, master);
        int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
        long trainRows = ds.rows("train");
        boolean hasVal = ds.rows("val") > 0;
        List<EpochMetrics> epochs = new ArrayList<>();
        StringBuilder metrics = new StringBuilder();
        double best = Double.POSITIVE_INFINITY;
        try {
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                long t0 = System.nanoTime();
                sparkNet.fitMultiDataSet(TrainingData.batches(spark, ds, "train", s.batchSize(), partitions));
                double seconds = (System.nanoTime() - t0) / 1e9;
                // Gradient sharing does not report a score: measure it on a sample of train batches.
                double trainLoss = SparkScores.meanLoss(jsc, sparkNet.getNetwork(),
                        TrainingData.batches(spark, ds, "train", s.batchSize(), partitions).sample(false, trainScoreFraction(ds), s.seed() + epoch));
                double valLoss = hasVal
                        ? SparkScores.meanLoss(jsc, sparkNet.getNetwork(), TrainingData.batches(spark, ds, "val", s.batchSize(), partitions))
                        : Double.NaN;
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
                EpochMetrics m = new EpochMetrics(epoch, trainLoss, valLoss, trainRows / seconds, seconds, heap);
                epochs.add(m);
                metrics.append(JSON.writeValueAsString(m)).append('\n');
                HadoopFiles.writeAtomically(hadoop, new Path(runDir, "metrics.jsonl"), metrics.toString());
                byte[] model = serialize(sparkNet.getNetwork());
                HadoopFiles.writeAtomically(hadoop, new Path(runDir, "checkpoints/epoch-" + epoch + ".zip"), model);
                double key = hasVal ? valLoss : trainLoss;
                if (key < best) {
                    best = key;
                    HadoopFiles.writeAtomically(hadoop, new Path(runDir, "best.zip"), model);
                }
                LOG.info(String.format(Locale.ROOT, "%s epoch %d/%d: train loss %.4f, val loss %.4f, %.1f samples/s, %.1f s",
                        variant.id(), epoch, s.epochs(), trainLoss, valLoss, m.samplesPerSecond(), seconds));
            }
            run.put("status", "completed");
            run.put("best_val_loss", best);
            run.put("epochs", epochs.size());
            run.put("finished", ZonedDateTime.now(ZoneOffset.UTC).toString());
            writeJson(hadoop, new Path(runDir, "run.json"), run);
            stage.count("variant", variant.id()).count("epochs", epochs.size()).count("best_loss", String.format(Locale.ROOT, "%.4f", best)).ok();
            return new Result(runId, runDir, variant, params.get("total"), epochs, best);
        } catch (IOException e) {
            run.put("status", "failed");
            writeJson(hadoop, new Path(runDir, "run.json"), run);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            run.put("status", "failed");
            run.put("error", String.valueOf(e.getMessage()));
            writeJson(hadoop, new Path(runDir, "run.json"), run);
            throw e;
        } finally {
            master.deleteTempFiles(jsc);
        }
    }

    /**
     * SharedTrainingMaster with the notes' workarounds: Direct approach (null image masks do not
     * survive Export), a fixed port supplier plus the controller port set by hand, PLAIN mesh,
     * 127.0.0.1 as controller on local masters (DL4J cannot find one otherwise).
     */
    static TrainingMaster<?, ?> trainingMaster(TrainSettings s, int cores, String sparkMaster) {
        if (s.master().equals("averaging")) {
            return new ParameterAveragingTrainingMaster.Builder(s.batchSize()).batchSizePerWorker(s.batchSize())
                    .averagingFrequency(s.averagingFrequency()).workerPrefetchNumBatches(2)
                    .rddTrainingApproach(RDDTrainingApproach.Direct).rngSeed(s.seed()).build();
        }
        VoidConfiguration.VoidConfigurationBuilder vb = VoidConfiguration.builder().unicastPort(s.port())
                .portSupplier(new FixedPortSupplier(s.port())).meshBuildMode(MeshBuildMode.PLAIN);
        if (!s.controllerAddress().isBlank()) {
            vb.controllerAddress(s.controllerAddress());
        } else if (sparkMaster.startsWith("local")) {
            vb.controllerAddress("127.0.0.1"); // embedded: driver and "executors" are this JVM
        }
        if (!s.networkMask().isBlank()) {
            vb.networkMask(s.networkMask());
        }
        VoidConfiguration voidConf = vb.build();
        voidConf.setUnicastControllerPort(s.port());
        return new SharedTrainingMaster.Builder(voidConf, s.batchSize())
                .batchSizePerWorker(s.batchSize())
                .workersPerNode(s.workersPerNode() > 0 ? s.workersPerNode() : Math.max(1, cores))
                .thresholdAlgorithm(new AdaptiveThresholdAlgorithm(s.threshold()))
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(s.seed())
                .build();
    }

    /** Enough train batches to be about as large as the val split (all of them for small datasets). */
    static double trainScoreFraction(DatasetVersion ds) {
        long train = Math.max(1, ds.rows("train"));
        return Math.min(1.0, Math.max(0.1, ds.rows("val") / (double) train));
    }

    static byte[] serialize(ComputationGraph g) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, out, true);
        return out.toByteArray();
    }

    private static void writeJson(Configuration hadoop, Path path, Object value) {
        try {
            HadoopFiles.writeAtomically(hadoop, path, (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
