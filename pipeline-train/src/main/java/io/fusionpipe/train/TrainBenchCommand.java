package io.fusionpipe.train;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.JsonLine;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.backend.Nd4jThreads;
import io.fusionpipe.train.cluster.EpochSync;
import io.fusionpipe.train.data.TrainingData;
import io.fusionpipe.train.model.FusionModels;
import io.fusionpipe.train.model.ModelFlops;
import io.fusionpipe.train.model.NormStatistics;
import io.fusionpipe.train.model.Variant;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fusionpipe train-bench}: samples/s of one variant fitted (a) by a plain single-JVM
 * {@code ComputationGraph.fit} and (b) by the Spark trainer on the same session, model, data and
 * batch size, in one run. Prints a table and one JSON line.
 */
@Command(name = "train-bench", mixinStandardHelpOptions = true,
        description = "Compare plain single-JVM fit with the Spark trainer (samples/s) on one dataset version and variant.")
public final class TrainBenchCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "Dataset name.")
    String dataset;

    @Option(names = "--variant", paramLabel = "V", defaultValue = "early", description = "early, intermediate or late (default ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--batches", paramLabel = "N", defaultValue = "24", description = "Train batches per measurement (default ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--curve", paramLabel = "EPOCHS", defaultValue = "0",
            description = "Instead of speed: val loss per caption after each of EPOCHS passes over the train split, plain fit vs the Spark trainer, "
                    + "same model, batches, order and learning rate (constant).")
    int curveEpochs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        FusionConfig config = options.load();
        TrainSettings s = TrainSettings.of(config);
        Variant v = Variant.parse(variant);
        Nd4jThreads.apply(Nd4jThreads.of(config));
        SparkSession spark = SparkSessions.getOrCreate(config, "train-bench", TrainPipeline.SPARK_CONF);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DatasetVersion ds = DatasetVersion.open(FusionRoot.of(config), dataset, null, spark.sparkContext().hadoopConfiguration());
        int cores = spark.sparkContext().defaultParallelism();
        if (curveEpochs > 0) {
            return curve(spark, jsc, ds, s, v, cores, Nd4jThreads.of(config), Nd4jThreads.perTask(config, spark.sparkContext().getConf()));
        }
        // The same batches for both: a bounded set, materialised once (a benchmark, not a training run).
        List<MultiDataSet> data = TrainingData.batches(spark, ds, "train", s.batchSize(), cores).take(batches);
        long samples = data.stream().mapToLong(m -> m.getFeatures(0).size(0)).sum();
        var model = s.modelSpec(ds.vocabulary().size(), ds.maxTokens(), ds.width(), ds.height());

        ComputationGraph plain = FusionModels.build(v, model);
        plain.fit(data.get(0));
        long t0 = System.nanoTime();
        for (MultiDataSet m : data) {
            plain.fit(m);
        }
        double plainRate = samples / ((System.nanoTime() - t0) / 1e9);

        ComputationGraph net = FusionModels.build(v, model);
        TrainingMaster<?, ?> master = TrainPipeline.trainingMaster(s, spark.sparkContext());
        SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, net, master);
        JavaRDD<MultiDataSet> rdd = jsc.parallelize(data.subList(0, Math.min(cores, data.size())), cores);
        sparkNet.fitMultiDataSet(rdd);
        JavaRDD<MultiDataSet> all = jsc.parallelize(data, cores);
        long t1 = System.nanoTime();
        sparkNet.fitMultiDataSet(all);
        double sparkRate = samples / ((System.nanoTime() - t1) / 1e9);
        TrainPipeline.finish(master, jsc);
        long flops = ModelFlops.training(plain, model);
        // the reference uses every core, whatever the models' ops are limited to
        double gemm = Nd4jThreads.with(Runtime.getRuntime().availableProcessors(), () -> ModelFlops.gemmGflops(1024, 2.0));

        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-48s %10s %8s %9s%n", v.id() + ", " + samples + " samples, batch " + s.batchSize(), "samples/s", "ratio",
                "GFLOP/s");
        out.printf(Locale.ROOT, "%-48s %10.1f %8s %9.2f%n", "plain ComputationGraph.fit, 1 JVM", plainRate, "1.00x", flops * plainRate / 1e9);
        out.printf(Locale.ROOT, "%-48s %10.1f %7.2fx %9.2f%n", "Spark " + s.distributed().master() + " master, " + spark.sparkContext().master(),
                sparkRate, sparkRate / plainRate, flops * sparkRate / 1e9);
        out.printf(Locale.ROOT, "training FLOPs per sample %.3f G (3 x forward); ND4J float GEMM 1024^3 here: %.1f GFLOP/s "
                + "(the model reaches %.1f%% of it)%n", flops / 1e9, gemm, 100 * flops * plainRate / 1e9 / gemm);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("variant", v.id());
        json.put("samples", samples);
        json.put("plain_samples_per_s", Math.round(plainRate * 100) / 100.0);
        json.put("spark_samples_per_s", Math.round(sparkRate * 100) / 100.0);
        json.put("spark_vs_plain", Math.round(sparkRate / plainRate * 100) / 100.0);
        json.put("master", spark.sparkContext().master());
        json.put("training_gflop_per_sample", Math.round(flops / 1e6) / 1000.0);
        json.put("plain_gflops", Math.round(flops * plainRate / 1e7) / 100.0);
        json.put("gemm_gflops", Math.round(gemm * 100) / 100.0);
        JsonLine.print(out, json);
        return ExitCodes.OK;
    }

    /**
     * Learning per step, plain vs Spark: both start from the same initial weights and see the same
     * batches in the same order each pass (the train split batched once, kept in memory), at the
     * configured learning rate held constant; val loss per caption after every pass.
     */
    private Integer curve(SparkSession spark, JavaSparkContext jsc, DatasetVersion ds, TrainSettings s, Variant v, int cores, int trainThreads, int scoreThreads) {
        List<MultiDataSet> data = TrainingData.batches(spark, ds, "train", s.batchSize(), cores).collect();
        JavaRDD<MultiDataSet> val = TrainingData.batches(spark, ds, "val", s.batchSize(), cores).cache();
        var model = s.modelSpec(ds.vocabulary().size(), ds.maxTokens(), ds.width(), ds.height());
        ComputationGraph plain = FusionModels.build(v, model);
        ComputationGraph net = FusionModels.build(v, model);
        net.setParams(plain.params().dup());
        TrainingMaster<?, ?> master = TrainPipeline.trainingMaster(s, spark.sparkContext());
        SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, net, master);
        // the driver re-estimates batch-norm statistics after each pass: the workers must start the next from them
        EpochSync sync = master instanceof org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster
                ? new EpochSync(spark.sparkContext()) : null;
        int workers = 0;
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s, %d batches of %d per pass, lr %.4g constant, val loss per caption%n", v.id(), data.size(), s.batchSize(),
                s.optimiser().learningRate());
        out.printf(Locale.ROOT, "%6s %6s %12s %12s%n", "pass", "steps", "plain fit", "Spark " + s.distributed().master());
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        try {
            for (int pass = 1; pass <= curveEpochs; pass++) {
                Nd4jThreads.apply(trainThreads);   // scoring below runs with its per-task threads
                for (MultiDataSet m : data) {
                    plain.fit(m);
                }
                EpochSync.State state = sync == null ? null
                        : EpochSync.State.of("train-bench-curve", pass, s.optimiser().learningRate(), Map.of(), sparkNet.getNetwork());
                if (sync != null) {
                    sparkNet.setListeners(sync.listenerFor(state));
                }
                sparkNet.fitMultiDataSet(jsc.parallelize(data, cores));
                if (sync != null) {
                    workers = Math.max(workers, sync.check(state, "pass " + pass).size());
                }
                NormStatistics.recalibrate(sparkNet.getNetwork(), FusionModels.encoderPath(v, model),
                        data.stream().limit(TrainPipeline.NORM_SAMPLE_BATCHES).map(m -> m.getFeatures(0)).toList());
                double a = SparkScores.score(jsc, plain, val, scoreThreads).lossPerCaption();
                double b = SparkScores.score(jsc, sparkNet.getNetwork(), val, scoreThreads).lossPerCaption();
                out.printf(Locale.ROOT, "%6d %6d %12.2f %12.2f%n", pass, pass * data.size(), a, b);
                out.flush();
                rows.add(Map.of("pass", pass, "steps", pass * data.size(), "plain_val_loss", Math.round(a * 100) / 100.0,
                        "spark_val_loss", Math.round(b * 100) / 100.0));
            }
            out.printf(Locale.ROOT, "Spark trainer on %s: %d worker JVM(s) reported each pass%n", spark.sparkContext().master(), workers);
            JsonLine.print(out, Map.of("variant", v.id(), "master", spark.sparkContext().master(), "workers", workers, "curve", rows));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (sync != null) {
                sync.release();
            }
            TrainPipeline.finish(master, jsc);
            val.unpersist();
        }
        return ExitCodes.OK;
    }
}
