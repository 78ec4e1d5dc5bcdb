package io.fusionpipe.train;

import io.fusionpipe.BuildInfo;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.errors.NotFoundException;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.json.Json;
import io.fusionpipe.layout.ConfigSnapshot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.layout.OutputIds;
import io.fusionpipe.records.EpochMetrics;
import io.fusionpipe.records.RunRecord;
import io.fusionpipe.log.StageLog;
import io.fusionpipe.train.backend.Nd4jThreads;
import io.fusionpipe.train.cluster.EpochSync;
import io.fusionpipe.train.cluster.ExecutorProbe;
import io.fusionpipe.train.cluster.RoutedVoidConfiguration;
import io.fusionpipe.train.cluster.TransportGuard;
import io.fusionpipe.train.cluster.TransportPorts;
import io.fusionpipe.train.data.TrainingData;
import io.fusionpipe.train.model.FusionModels;
import io.fusionpipe.train.model.LayerLearningRates;
import io.fusionpipe.train.model.ModelSpec;
import io.fusionpipe.train.model.NormStatistics;
import io.fusionpipe.train.model.Variant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.enums.MeshBuildMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Trains one fusion variant on a dataset version with DL4J's Spark trainer (gradient sharing by
 * default), one plain function: build the graph, fit epoch by epoch on MultiDataSets made by the
 * executors, score the val split on Spark, and keep the run directory up to date:
 * {@code run.json}, {@code metrics.jsonl}, {@code checkpoints/epoch-N.zip} (atomic), {@code best.zip}.
 */
public final class TrainPipeline {

    /** Train keys that do not make runs differ in more than their seed. */
    private static final Set<String> SEED_KEYS = Set.of("seed", "seeds", "variants");

    /** Spark properties training needs: Kryo with ND4J's registrations (FusionKryoRegistrator), frequent heartbeats for progress. */
    public static final Map<String, String> SPARK_CONF = Map.of(
            "spark.serializer", "org.apache.spark.serializer.KryoSerializer",
            "spark.kryo.registrator", FusionKryoRegistrator.class.getName(),
            // running tasks' batch counts reach the driver's progress line with each heartbeat
            "spark.executor.heartbeatInterval", "5s");


    private static final Logger LOG = LoggerFactory.getLogger(TrainPipeline.class);

    private TrainPipeline() {
    }

    /**
     * One epoch's figures: losses are per caption (summed over its tokens, nats), the train loss on a
     * sample of train batches about the size of the val split, token accuracy and perplexity on val.
     */
    /** What a run produced. */
    public record Result(String runId, Path runDir, Variant variant, long parameters, List<EpochMetrics> epochs, double bestValLoss) {
    }

    /** A fresh run of {@code variant} on {@code ds}. */
    public static Result train(SparkSession spark, FusionConfig config, TrainSettings s, DatasetVersion ds, Variant variant) {
        return train(spark, config, s, ds, variant, newRunId(ds, variant));
    }

    /** As above under a run id the caller chose ({@link #newRunId}) and recorded first, so it can resume the run after a crash. */
    public static Result train(SparkSession spark, FusionConfig config, TrainSettings s, DatasetVersion ds, Variant variant, String runId) {
        ModelSpec spec = s.modelSpec(ds.vocabulary().size(), ds.maxTokens(), ds.width(), ds.height());
        return run(spark, config, s, ds, variant, FusionModels.build(variant, spec), runId, 0, List.of(), null);
    }

    /**
     * A new run that starts from an earlier run's best model (fine-tuning, nightly retraining).
     * The earlier run must have used the same vocabulary and image size; otherwise nothing starts.
     */
    public static Result initFrom(SparkSession spark, FusionConfig config, TrainSettings s, DatasetVersion ds, String sourceRunId) {
        return initFrom(spark, config, s, ds, sourceRunId, null);
    }

    /** As above under a run id the caller chose ({@link #newRunId}); null picks one. */
    public static Result initFrom(SparkSession spark, FusionConfig config, TrainSettings s, DatasetVersion ds, String sourceRunId,
                                  String runId) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path source = FusionRoot.of(config).run(sourceRunId);
        RunRecord sourceRun = Runs.read(hadoop, source);
        if (!ds.vocabulary().hash().equals(sourceRun.vocabHash())) {
            throw new BadInputException("--init-from " + sourceRunId + ": its vocabulary (" + String.valueOf(sourceRun.vocabHash()).substring(0, 12)
                    + "...) differs from dataset " + ds.name() + " v" + ds.version() + "'s (" + ds.vocabulary().hash().substring(0, 12)
                    + "...): token ids would not mean the same words; ingest with --mode append to keep the vocabulary");
        }
        ComputationGraph graph = restore(hadoop, new Path(source, "best.zip"));
        checkShapes(graph, ds, sourceRunId);
        Variant variant = Variant.parse(sourceRun.variant());
        return run(spark, config, s, ds, variant, graph, runId != null ? runId : newRunId(ds, variant), 0, List.of(), sourceRunId);
    }

    /** Continues a killed or shorter run from its last checkpoint (weights, optimizer state, epoch count) up to {@code s.epochs()}. */
    public static Result resume(SparkSession spark, FusionConfig config, TrainSettings s, String runId) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path runDir = FusionRoot.of(config).run(runId);
        RunRecord run = Runs.read(hadoop, runDir);
        DatasetVersion ds = DatasetVersion.open(FusionRoot.of(config), run.dataset().name(), run.dataset().version(), hadoop);
        if (!ds.vocabulary().hash().equals(run.vocabHash())) {
            throw new BadInputException("--resume " + runId + ": dataset " + ds.name() + " v" + ds.version() + " no longer has the run's vocabulary");
        }
        List<EpochMetrics> done = Runs.epochs(hadoop, runDir);
        int last = Runs.lastCheckpoint(hadoop, runDir);
        if (last == 0) {
            throw new BadInputException("--resume " + runId + ": no checkpoint yet; start a new run instead");
        }
        for (Path dir : List.of(runDir, Runs.checkpoint(runDir, 1).getParent())) {
            HadoopFiles.removeLeftovers(config, hadoop, dir, "resume");
        }
        restoreBest(hadoop, runDir, done.subList(0, last), ds.rows("val") > 0, s.earlyStopping().minDelta());
        ComputationGraph graph = restore(hadoop, Runs.checkpoint(runDir, last));
        Variant variant = Variant.parse(run.variant());
        LOG.info("resuming {} after epoch {}", runId, last);
        // the data order of the remaining epochs follows the seed the run started with (one of train --seeds N's)
        if (run.seed() == null) {
            return run(spark, config, s, ds, variant, graph, runId, last, done.subList(0, last), run.initFrom());
        }
        return run(spark, config.with("fusionpipe.train.seed", run.seed()), s.withSeed(run.seed()), ds, variant, graph, runId, last,
                done.subList(0, last), run.initFrom());
    }

    /**
     * The same for runs whose training differs only in the seed: variant, dataset version, starting
     * point and every {@code fusionpipe.train} key but the seed(s) and the variant list.
     */
    static String seedGroup(FusionConfig config, Variant variant, String dataset, String initFrom) {
        Map<String, String> keys = new java.util.TreeMap<>();
        config.config().getConfig("fusionpipe.train").entrySet().forEach(e -> {
            if (!SEED_KEYS.contains(e.getKey())) {
                keys.put(e.getKey(), e.getValue().render(com.typesafe.config.ConfigRenderOptions.concise()));
            }
        });
        String identity = variant.id() + "\n" + dataset + "\n" + initFrom + "\n" + keys;
        return io.fusionpipe.Hashing.sha256Hex(identity).substring(0, 16);
    }

    /** A fresh run id: dataset, version, variant, UTC start time and a random suffix. */
    public static String newRunId(DatasetVersion ds, Variant variant) {
        return OutputIds.next(ds.name() + "-v" + ds.version() + "-" + variant.id());
    }

    private static Result run(SparkSession spark, FusionConfig config, TrainSettings s, DatasetVersion ds, Variant variant,
                              ComputationGraph graph, String runId, int completed, List<EpochMetrics> previous, String initFrom) {
        Nd4jThreads.apply(Nd4jThreads.of(config));
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Path runDir = FusionRoot.of(config).run(runId);
        StageLog stage = StageLog.start("train." + variant.id());
        Map<String, Long> params = FusionModels.parameterCounts(graph);
        LOG.info("{}: {} parameters {}", variant.id(), params.get("total"), params);

        RunRecord run = RunRecord.started(runId, variant.id(),
                new RunRecord.DatasetRef(ds.name(), ds.version(), ds.path().toString(),
                        io.fusionpipe.Hashing.sha256Hex(Json.compact(ds.manifest().inputs()))),
                ds.vocabulary().hash(), initFrom, params,
                Map.of("fusionpipe", BuildInfo.version(), "dl4j", BuildInfo.get("dl4j.version"),
                        "spark", BuildInfo.get("spark.version"), "nd4j_backend", BuildInfo.get("nd4j.backend")),
                s.distributed().master(), ZonedDateTime.now(ZoneOffset.UTC).toString(), completed > 0 ? completed : null,
                s.seed(), seedGroup(config, variant, ds.name() + " v" + ds.version(), initFrom));
        ConfigSnapshot.write(hadoop, config, runDir);
        write(hadoop, runDir, run);
        return loop(new RunContext(spark, s, ds, variant, runId, runDir, params, stage, Nd4jThreads.of(config),
                Nd4jThreads.perTask(config, spark.sparkContext().getConf())), graph, run, completed, previous);
    }

    /** Batches of train images the driver re-estimates batch-normalisation statistics on (see {@link NormStatistics}). */
    static final int NORM_SAMPLE_BATCHES = 8;

    private static List<INDArray> normSample(SparkSession spark, DatasetVersion ds, TrainSettings s, int partitions) {
        List<INDArray> images = new ArrayList<>();
        for (org.nd4j.linalg.dataset.api.MultiDataSet m : TrainingData.batches(spark, ds, "train", s.batchSize(), partitions).take(NORM_SAMPLE_BATCHES)) {
            images.add(m.getFeatures(0));
        }
        return images;
    }

    /** One run being trained: what it trains on and where it writes. */
    private record RunContext(SparkSession spark, TrainSettings s, DatasetVersion ds, Variant variant, String runId, Path runDir,
                              Map<String, Long> params, StageLog stage, int trainThreads, int taskThreads) {
    }

    /**
     * Early stopping's view of the epochs so far: the best key loss (val, or train without a val
     * split), how many epochs ago it last improved by more than {@code minDelta}, and whether an epoch
     * has ended (so best.zip exists). An epoch without a loss (NaN: no val split and an empty train
     * sample) counts as no improvement but still leaves a model when it is the first.
     */
    record BestSoFar(double best, int sinceBest, boolean saved) {
        static final BestSoFar START = new BestSoFar(Double.POSITIVE_INFINITY, 0, false);

        BestSoFar after(double key, double minDelta) {
            if (Double.isNaN(key)) {
                return new BestSoFar(best, sinceBest + 1, true);
            }
            return new BestSoFar(Math.min(best, key), key < best - minDelta ? 0 : sinceBest + 1, true);
        }

        /** True when a model with this key loss replaces best.zip (the first epoch's always does). */
        boolean improvedBy(double key) {
            return !saved || key < best;
        }

        boolean stop(int patience) {
            return patience > 0 && sinceBest >= patience;
        }
    }

    /**
     * Trains epochs {@code completed + 1 .. s.epochs()}: per epoch set the learning rates (the image
     * encoder's frozen or scaled when fine-tuning), sync the driver's state to the executors, fit,
     * check the sync, measure, checkpoint. Ends by writing run.json (completed or failed).
     */
    private static Result loop(RunContext ctx, ComputationGraph graph, RunRecord started, int completed, List<EpochMetrics> previous) {
        SparkSession spark = ctx.spark();
        TrainSettings s = ctx.s();
        DatasetVersion ds = ctx.ds();
        Variant variant = ctx.variant();
        String runId = ctx.runId();
        Path runDir = ctx.runDir();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TrainingMaster<?, ?> master = trainingMaster(s, spark.sparkContext());
        boolean sharing = master instanceof SharedTrainingMaster;
        if (sharing && !spark.sparkContext().master().startsWith("local")) {
            checkExecutors(jsc, s.distributed());
        }
        SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, graph, master);
        EpochSync sync = sharing ? new EpochSync(spark.sparkContext()) : null;
        int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
        long trainRows = ds.rows("train");
        long batchesPerEpoch = partitions * (long) Math.ceil(trainRows / (double) partitions / s.batchSize());
        boolean hasVal = ds.rows("val") > 0;
        List<String> encoderPath = FusionModels.encoderPath(variant,
                s.modelSpec(ds.vocabulary().size(), ds.maxTokens(), ds.width(), ds.height()));
        // the same batches every epoch (no shuffle seed, no blanking): read once per run
        List<INDArray> normImages = normSample(spark, ds, s, partitions);
        RunRecord run = started;
        boolean freezing = run.initFrom() != null && s.fineTune().freezeImageEpochs() > 0;
        List<EpochMetrics> epochs = new ArrayList<>(previous);
        StringBuilder metrics = new StringBuilder();
        BestSoFar best = BestSoFar.START;
        for (EpochMetrics m : previous) {
            metrics.append(m.toJsonLine()).append('\n');
            best = best.after(hasVal ? m.valLoss() : m.trainLoss(), s.earlyStopping().minDelta());
        }
        int[] current = {completed + 1};
        long[] epochStart = {System.nanoTime()};
        TrainProgress progress = new TrainProgress(spark.sparkContext(), "fusionpipe.train", s.progressMillis(), s.stallMillis(), System.err,
                p -> progressLine(variant, current[0], s.epochs(), epochStart[0], batchesPerEpoch, s.batchSize(), p));
        try (progress) {
            for (int epoch = completed + 1; epoch <= s.epochs(); epoch++) {
                if (best.stop(s.earlyStopping().patience())) {
                    LOG.info("{}: val loss has not improved for {} epochs; stopping early after epoch {}", variant.id(), best.sinceBest(), epoch - 1);
                    run = run.stoppedEarly(epoch - 1);
                    break;
                }
                double rate = s.optimiser().rate(epoch, s.epochs());
                ComputationGraph net = sparkNet.getNetwork();
                boolean frozen = freezing && epoch <= s.fineTune().freezeImageEpochs();
                Map<String, Double> rates = setRates(ctx, net, epoch, rate, freezing, frozen, encoderPath);
                // a zero learning rate stops the weights, not batch normalisation's running statistics
                Map<String, INDArray> keptEncoder = frozen ? layerParams(net, encoderPath) : Map.of();
                current[0] = epoch;
                progress.reset();
                epochStart[0] = System.nanoTime();
                EpochSync.State state = sync == null ? null : EpochSync.State.of(runId, epoch, rate, rates, net);
                if (sync != null) {
                    sparkNet.setListeners(progress.listener(), sync.listenerFor(state));
                } else {
                    sparkNet.setListeners(progress.listener());
                }
                progress.fitting(true);
                sparkNet.fitMultiDataSet(TrainingData.batches(spark, ds, "train", s.batchSize(), partitions, s.modalityDropout(),
                        s.seed() + epoch, ctx.trainThreads()));
                progress.fitting(false);
                double seconds = (System.nanoTime() - epochStart[0]) / 1e9;
                if (sync != null) {
                    checkSync(sync, state, variant);
                }
                if (frozen) {
                    keptEncoder.forEach((layer, p) -> sparkNet.getNetwork().getLayer(layer).params().assign(p));
                } else {
                    NormStatistics.recalibrate(sparkNet.getNetwork(), encoderPath, normImages);
                }
                EpochMetrics m = measure(ctx, jsc, sparkNet.getNetwork(), epoch, rate, seconds, partitions);
                epochs.add(m);
                metrics.append(m.toJsonLine()).append('\n');
                double key = hasVal ? m.valLoss() : m.trainLoss();
                saveEpoch(hadoop, runDir, epoch, serialize(sparkNet.getNetwork()), metrics.toString(), best.improvedBy(key));
                best = best.after(key, s.earlyStopping().minDelta());
                String line = String.format(Locale.ROOT, "%s epoch %d/%d: lr %.2e, train loss %.3f, val loss %.3f, val token accuracy %.3f, "
                                + "val perplexity %.3f, %.1f samples/s, %s", variant.id(), epoch, s.epochs(), rate, m.trainLoss(), m.valLoss(),
                        m.valTokenAccuracy(), m.valPerplexity(), m.samplesPerSecond(), TrainProgress.duration(seconds));
                LOG.info(line);
            }
            run = run.completed(best.best(), epochs.size(), ZonedDateTime.now(ZoneOffset.UTC).toString());
            write(hadoop, runDir, run);
            ctx.stage().count("variant", variant.id()).count("epochs", epochs.size())
                    .count("best_loss", String.format(Locale.ROOT, "%.4f", best.best())).ok();
            return new Result(runId, runDir, variant, ctx.params().get("total"), epochs, best.best());
        } catch (IOException e) {
            write(hadoop, runDir, run.failed(null));
            throw new UncheckedIOException(e);
        } catch (Exception e) { // Spark throws its checked SparkException from Scala code, undeclared
            RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
            if (progress.stalled() != null) {
                failure = new IllegalStateException(variant.id() + " epoch " + current[0] + ": " + progress.stalled() + " (train.stall-timeout); "
                        + (epochs.isEmpty() && completed == 0 ? "no checkpoint yet: start a new run" : "continue from the last checkpoint with "
                        + "fusionpipe train --resume " + runId), e);
            }
            write(hadoop, runDir, run.failed(String.valueOf(failure.getMessage())));
            throw failure;
        } finally {
            if (sync != null) {
                sync.release();
            }
            finish(master, jsc);
        }
    }

    /** The epoch's learning rates: one for the graph, or, when fine-tuning, the image encoder frozen (0) or at lr-factor x rate. */
    private static Map<String, Double> setRates(RunContext ctx, ComputationGraph net, int epoch, double rate, boolean freezing, boolean frozen,
                                                List<String> encoderPath) {
        Map<String, Double> rates = new LinkedHashMap<>();
        if (!freezing) {
            net.setLearningRate(rate);
            return rates;
        }
        double encoderRate = frozen ? 0.0 : rate * ctx.s().fineTune().lrFactor();
        encoderPath.forEach(layer -> rates.put(layer, encoderRate));
        LayerLearningRates.apply(net, rate, rates);
        LOG.info("{} epoch {}: image encoder {} {}", ctx.variant().id(), epoch, encoderPath,
                frozen ? "frozen" : String.format(Locale.ROOT, "at lr %.2e", encoderRate));
        return rates;
    }

    /** The epoch's figures. Gradient sharing does not report a score: the train loss is measured on a sample of train batches. */
    private static EpochMetrics measure(RunContext ctx, JavaSparkContext jsc, ComputationGraph net, int epoch, double rate, double seconds,
                                        int partitions) throws IOException {
        TrainSettings s = ctx.s();
        DatasetVersion ds = ctx.ds();
        int threads = ctx.taskThreads();
        SparkScores.Score train = SparkScores.score(jsc, net,
                TrainingData.sample(ctx.spark(), ds, "train", s.batchSize(), partitions, trainScoreFraction(ds), s.seed() + epoch), threads);
        if (train.captions() == 0) {
            // a small split can sample no rows: score them all rather than record no train loss
            train = SparkScores.score(jsc, net, TrainingData.batches(ctx.spark(), ds, "train", s.batchSize(), partitions), threads);
        }
        SparkScores.Score val = ds.rows("val") > 0
                ? SparkScores.score(jsc, net, TrainingData.batches(ctx.spark(), ds, "val", s.batchSize(), partitions), threads)
                : SparkScores.Score.EMPTY;
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
        return new EpochMetrics(epoch, rate, train.lossPerCaption(), val.lossPerCaption(), val.tokenAccuracy(), val.perplexity(),
                ds.rows("train") / seconds, seconds, heap);
    }

    /**
     * Makes best.zip the checkpoint of the best epoch metrics.jsonl records: a run killed between
     * writing metrics.jsonl and best.zip (or after a better epoch's best.zip and before its line)
     * left best.zip one epoch off. Checkpoints are kept for every epoch, so the right one is there.
     */
    static void restoreBest(Configuration hadoop, Path runDir, List<EpochMetrics> recorded, boolean hasVal, double minDelta) {
        int bestEpoch = 0;
        BestSoFar best = BestSoFar.START;
        for (EpochMetrics m : recorded) {
            double key = hasVal ? m.valLoss() : m.trainLoss();
            if (best.improvedBy(key)) {
                bestEpoch = m.epoch();
            }
            best = best.after(key, minDelta);
        }
        if (bestEpoch == 0) {
            return;
        }
        Path source = Runs.checkpoint(runDir, bestEpoch);
        Path target = new Path(runDir, "best.zip");
        try {
            FileSystem fs = HadoopFiles.fileSystem(runDir, hadoop);
            if (!fs.exists(source)) {
                return;
            }
            byte[] want = readAll(fs, source);
            if (fs.exists(target) && java.util.Arrays.equals(want, readAll(fs, target))) {
                return;
            }
            LOG.warn("{}: best.zip was not epoch {}'s model, the best recorded in {}; restored it from {}", runDir.getName(), bestEpoch,
                    EpochMetrics.FILE, source);
            HadoopFiles.writeAtomically(hadoop, target, want);
        } catch (IOException e) {
            throw new UncheckedIOException("restoring " + target + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(FileSystem fs, Path p) throws IOException {
        try (var in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    /** The epoch's checkpoint, then metrics.jsonl with its line, then best.zip when it improved (each file atomically; see {@link #restoreBest}). */
    private static void saveEpoch(Configuration hadoop, Path runDir, int epoch, byte[] model, String metricsJsonl, boolean improved) {
        HadoopFiles.writeAtomically(hadoop, Runs.checkpoint(runDir, epoch), model);
        HadoopFiles.writeAtomically(hadoop, new Path(runDir, EpochMetrics.FILE), metricsJsonl);
        if (improved) {
            HadoopFiles.writeAtomically(hadoop, new Path(runDir, "best.zip"), model);
        }
    }

    /** Every executor must have started the epoch from the driver's rates and parameters (see {@link EpochSync}). */
    private static void checkSync(EpochSync sync, EpochSync.State state, Variant variant) {
        List<String> reporters = sync.check(state, variant.id() + " epoch " + state.epoch());
        LOG.info("epoch-sync: run {} epoch {}: {} executor(s) started from the driver's state ({}, parameters {}): {}", state.run(),
                state.epoch(), reporters.size(), EpochSync.compact(state.ratesInEffect()), state.checksum(), String.join(", ", reporters));
    }

    /** Logs what each executor will train with and refuses executors whose transport other hosts cannot reach. */
    private static void checkExecutors(JavaSparkContext jsc, TrainSettings.Distributed d) {
        RoutedVoidConfiguration transport = transport(d, jsc.sc());
        long wait = jsc.getConf().getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s");
        List<ExecutorProbe.ExecutorInfo> executors = ExecutorProbe.probe(jsc, transport, d.port(), d.portSpan(), wait);
        LOG.info("gradient sharing: driver transport {}:{}, {} executor(s)", transport.getControllerAddress(), d.port(), executors.size());
        for (ExecutorProbe.ExecutorInfo e : executors) {
            LOG.info("gradient sharing: {}", e.line());
        }
        List<String> problems = ExecutorProbe.problems(executors, transport.getControllerAddress());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("gradient sharing cannot work on this cluster: " + String.join("; ", problems));
        }
    }

    /** Copies of the named layers' parameters (layers without any are left out). */
    private static Map<String, INDArray> layerParams(ComputationGraph net, List<String> layers) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String layer : layers) {
            if (net.getLayer(layer).numParams() > 0) {
                out.put(layer, net.getLayer(layer).params().dup());
            }
        }
        return out;
    }

    /** "early epoch 2/5 batch 31/50 62% | loss 98.12 | 35.2 samples/s | ETA epoch 0:32, variant 3:10". */
    private static String progressLine(Variant v, int epoch, int epochs, long startNanos, long batchesPerEpoch, int batchSize,
                                       TrainProgress.Snapshot p) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double rate = p.batches() * batchSize / Math.max(elapsed, 1e-9);
        double epochLeft = Math.max(0, batchesPerEpoch - p.batches()) * batchSize / rate;
        double variantLeft = epochLeft + (epochs - epoch) * (double) batchesPerEpoch * batchSize / rate;
        return String.format(Locale.ROOT, "%s epoch %d/%d batch %d/%d %3.0f%% | loss %.2f | %.1f samples/s | ETA epoch %s, variant %s",
                v.id(), epoch, epochs, p.batches(), batchesPerEpoch, 100.0 * p.batches() / Math.max(1, batchesPerEpoch), p.meanLoss(), rate,
                TrainProgress.duration(epochLeft), TrainProgress.duration(variantLeft));
    }

    private static boolean exists(Configuration hadoop, Path p) {
        try {
            return p.getFileSystem(hadoop).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ComputationGraph restore(Configuration hadoop, Path zip) {
        if (!exists(hadoop, zip)) {
            throw new NotFoundException("no model at " + zip);
        }
        try (var in = zip.getFileSystem(hadoop).open(zip)) {
            return ModelSerializer.restoreComputationGraph(in, true);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + zip + ": " + e.getMessage(), e);
        }
    }

    /** The model must fit the dataset: the vocabulary size of its embedding, and its image size (a dry run). */
    static void checkShapes(ComputationGraph g, DatasetVersion ds, String source) {
        List<String> problems = new ArrayList<>();
        long vocab = ((org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer) g.getLayer("embed").conf().getLayer()).getNIn();
        if (vocab != ds.vocabulary().size()) {
            problems.add("vocabulary of " + vocab + " tokens vs the dataset's " + ds.vocabulary().size());
        }
        try {
            g.output(false, new org.nd4j.linalg.api.ndarray.INDArray[]{
                    org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, ds.height(), ds.width()),
                    org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 2)}, null, null);
        } catch (RuntimeException e) {
            problems.add("it does not take " + ds.width() + "x" + ds.height() + " images (" + e.getMessage() + ")");
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(source + " does not fit dataset " + ds.name() + " v" + ds.version() + ": " + String.join("; ", problems));
        }
    }

    /**
     * The Spark training master: SharedTrainingMaster with the notes' workarounds (Direct approach,
     * as null image masks do not survive Export; the controller port set by hand; PLAIN mesh) and a
     * transport every executor binds on its own reachable address and a free port
     * ({@link RoutedVoidConfiguration}, {@link TransportPorts}); or parameter averaging.
     */
    static TrainingMaster<?, ?> trainingMaster(TrainSettings s, SparkContext sc) {
        TrainSettings.Distributed d = s.distributed();
        if (d.master().equals("averaging")) {
            return new ParameterAveragingTrainingMaster.Builder(s.batchSize()).batchSizePerWorker(s.batchSize())
                    .averagingFrequency(d.averagingFrequency()).workerPrefetchNumBatches(d.prefetchBatches())
                    .rddTrainingApproach(RDDTrainingApproach.Direct).rngSeed(s.seed()).build();
        }
        return new SharedTrainingMaster.Builder(transport(d, sc), s.batchSize())
                .batchSizePerWorker(s.batchSize())
                .workerPrefetchNumBatches(d.prefetchBatches())
                // one model per executor: the per-epoch state (EpochSync) reaches that one; DL4J's
                // ParallelWrapper would keep replicas of its own
                .workersPerNode(1)
                .thresholdAlgorithm(thresholdAlgorithm(s))
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(s.seed())
                .build();
    }

    /**
     * Ends what {@link #trainingMaster} started in this JVM: the master's temporary files and, for
     * gradient sharing, the driver's transport. DL4J leaves that transport (an Aeron client and an
     * embedded media driver: four threads and a UDP port) running until the next run replaces it, and
     * Aeron's client calls {@code System.exit(-1)} when it finds its media driver's heartbeat over 30 s
     * old: a nightly, a notebook kernel or a test JVM that once trained could be killed long after.
     */
    static void finish(TrainingMaster<?, ?> master, JavaSparkContext jsc) {
        master.deleteTempFiles(jsc);
        if (master instanceof SharedTrainingMaster && ModelParameterServer.getInstance().isInitialized()) {
            ModelParameterServer.getInstance().shutdown();
        }
    }

    /** The gradient-sharing transport's configuration: controller address and port, executor ports, address choice. */
    static RoutedVoidConfiguration transport(TrainSettings.Distributed d, SparkContext sc) {
        VoidConfiguration base = VoidConfiguration.builder().portSupplier(new TransportPorts(d.port(), d.portSpan()))
                .meshBuildMode(MeshBuildMode.PLAIN).controllerAddress(controllerAddress(d, sc)).build();
        base.setUnicastControllerPort(d.port());
        TransportGuard.install();
        return RoutedVoidConfiguration.of(base, d.networkMask(), d.pollSlackNanos());
    }

    /**
     * The address executors reach the driver's transport on: the configured one; 127.0.0.1 on an
     * embedded master; the driver's DL4J_VOID_IP (a Kubernetes pod template sets it to the pod IP);
     * else the address of spark.driver.host, which every executor already reaches for Spark itself.
     */
    static String controllerAddress(TrainSettings.Distributed d, SparkContext sc) {
        if (!d.controllerAddress().isBlank()) {
            return d.controllerAddress().strip();
        }
        if (sc.master().startsWith("local")) {
            return "127.0.0.1";
        }
        String env = System.getenv("DL4J_VOID_IP");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        String host = sc.getConf().get("spark.driver.host", "");
        try {
            return java.net.InetAddress.getByName(host.isBlank() ? java.net.InetAddress.getLocalHost().getHostName() : host).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("spark.driver.host " + host + " does not resolve: set fusionpipe.train.shared.controller-address", e);
        }
    }

    /**
     * The gradient-sharing encoder sends an element as +-threshold once its accumulated update reaches
     * the threshold, at most once per step; a threshold below the size of Adam's steps (about the
     * learning rate) therefore caps every step. "learning-rate" sets it to the configured rate.
     */
    static ThresholdAlgorithm thresholdAlgorithm(TrainSettings s) {
        TrainSettings.Distributed d = s.distributed();
        return switch (d.thresholdAlgorithm()) {
            case "learning-rate" -> new FixedThresholdAlgorithm(s.optimiser().learningRate());
            case "fixed" -> new FixedThresholdAlgorithm(d.threshold());
            case "adaptive" -> new AdaptiveThresholdAlgorithm(d.threshold(), d.minSparsity(), d.maxSparsity(),
                    AdaptiveThresholdAlgorithm.DEFAULT_DECAY_RATE);
            default -> throw new IllegalStateException(d.thresholdAlgorithm());
        };
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

    private static void write(Configuration hadoop, Path runDir, RunRecord run) {
        HadoopFiles.writeAtomically(hadoop, new Path(runDir, RunRecord.FILE), run.toJson());
    }
}
