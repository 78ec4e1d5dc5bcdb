package io.fusionpipe.eval;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.errors.NotFoundException;
import io.fusionpipe.eval.fields.CardFields;
import io.fusionpipe.eval.fields.FieldScores;
import io.fusionpipe.eval.fields.MajorityBaseline;
import io.fusionpipe.eval.metrics.Bleu;
import io.fusionpipe.eval.metrics.CaptionScorer;
import io.fusionpipe.eval.stats.Bootstrap;
import io.fusionpipe.layout.Commits;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.ConfigSnapshot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.layout.OutputIds;
import io.fusionpipe.records.EpochMetrics;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.records.RunRecord;
import io.fusionpipe.log.StageLog;
import io.fusionpipe.text.Vocabulary;
import io.fusionpipe.train.backend.Nd4jThreads;
import io.fusionpipe.train.Runs;
import io.fusionpipe.train.TrainSettings;
import io.fusionpipe.train.data.CaptionBatches;
import io.fusionpipe.train.model.CaptionDecoder;
import io.fusionpipe.train.model.ModelSpec;
import io.fusionpipe.train.model.Variant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.apache.spark.sql.functions.col;

/**
 * Scores trained runs on a dataset split, one plain function: the models are broadcast, executors
 * decode captions (greedy or beam, under each input condition), the driver scores them exactly
 * (COCO metrics, card fields, bootstrap intervals, paired tests) and writes
 * {@code ROOT/evals/<eval-id>/} with {@code metrics.json}, {@code predictions.parquet} and the config,
 * published atomically (written under a hidden name, then renamed).
 */
public final class EvalPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(EvalPipeline.class);
    /** The split whose captions give the majority baseline: what a model could have learnt without the image. */
    private static final String MAJORITY_FROM = "train";

    private EvalPipeline() {
    }

    /** A run to evaluate: its variant, model spec and serialised best model. */
    record LoadedRun(String runId, Variant variant, ModelSpec spec, byte[] model, RunRecord run) {
    }

    /** What an evaluation produced. */
    public record Result(String evalId, Path dir, EvalRecord metrics) {
    }

    /** Scores the runs on the split of the dataset version they were trained on (all the same one). */
    public static Result evaluate(SparkSession spark, FusionConfig config, EvalSettings s, List<String> runIds) {
        return evaluate(spark, config, s, runIds, null);
    }

    /**
     * Scores the runs on {@code on}'s split, or, when null, on the version they were trained on (which
     * must then be the same for all). With {@code on}, runs trained on other versions of the same
     * dataset take part if they share its vocabulary: a champion from an earlier night against
     * tonight's challengers, on tonight's test images (append mode keeps the vocabulary and splits).
     */
    public static Result evaluate(SparkSession spark, FusionConfig config, EvalSettings s, List<String> runIds, DatasetVersion on) {
        if (runIds.isEmpty()) {
            throw new BadInputException("no runs to evaluate");
        }
        // several tasks decode at once per executor, each with its own model
        int threads = Nd4jThreads.perTask(config, spark.sparkContext().getConf());
        Nd4jThreads.apply(threads);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        FusionRoot root = FusionRoot.of(config);
        StageLog stage = StageLog.start("eval");
        Loaded loaded = loadRuns(hadoop, root, runIds, on);
        DatasetVersion ds = loaded.dataset();
        List<LoadedRun> runs = loaded.runs();
        if (ds.rows(s.split()) == 0) {
            throw new BadInputException("dataset " + ds.name() + " v" + ds.version() + " has an empty " + s.split() + " split: nothing to evaluate");
        }
        int maxTokens = s.maxTokens() > 0 ? s.maxTokens() : ds.maxTokens();
        Map<String, String> references = references(spark, ds, s.split());
        Map<String, String> majority = isCardSplit(references) && ds.rows(MAJORITY_FROM) > 0 ? majority(spark, ds) : Map.of();
        Decoded decoded = decode(spark, ds, runs, s, maxTokens, threads);
        Scored scored = score(runs, references, decoded, s, majority, run -> training(hadoop, root.run(run.runId()), run.run()));
        String evalId = OutputIds.next(ds.name() + "-v" + ds.version());
        EvalRecord metrics = new EvalRecord(EvalRecord.VERSION, evalId, ZonedDateTime.now(ZoneOffset.UTC).toString(),
                new EvalRecord.Dataset(ds.name(), ds.version(), s.split(), references.size(), scored.cards()), s.primaryMetric(),
                new EvalRecord.Decode(s.decode(), s.decode().equals("beam") ? s.beamWidth() : 1, s.lengthPenalty(), maxTokens,
                        s.conditions().stream().map(CaptionDecoder.Condition::id).toList()),
                new EvalRecord.Bootstrap(s.resamples(), s.confidence(), s.seed(),
                        "BLEU intervals recompute corpus BLEU per resample; ROUGE-L and CIDEr-D resample per-image scores "
                                + "(CIDEr-D's document frequency fixed to the full split)"),
                runs.stream().map(LoadedRun::runId).toList(), scored.variants(), pairwise(scored.distributions(), scored.variants()),
                best(scored.variants()), scored.fieldBaseline(), scored.seeds().groups(), scored.seeds().pairwise(), scored.fieldPairwise());
        Path dir = publish(spark, config, root, metrics, scored.predictionRows());
        stage.count("runs", runs.size()).count("images", references.size()).ok();
        return new Result(evalId, dir, metrics);
    }

    /** The runs to evaluate and the dataset version they are evaluated on. */
    record Loaded(List<LoadedRun> runs, DatasetVersion dataset) {
    }

    /** Each label's captions per input condition and image, and its decoding speed. */
    record Decoded(Map<String, Map<CaptionDecoder.Condition, Map<String, String>>> predictions, Map<String, Double> captionsPerSecond) {
    }

    /**
     * Each label's results, its bootstrap distributions (for the pairwise tests), the predictions.parquet
     * rows; the majority baseline's field scores (null when not card captions); the runs' seed groups.
     */
    record Scored(Map<String, EvalRecord.VariantResult> variants, Map<String, Map<String, double[]>> distributions, List<Row> predictionRows,
                  boolean cards, EvalRecord.FieldBaseline fieldBaseline, SeedGroups.Result seeds, List<EvalRecord.Pair> fieldPairwise) {
    }

    /**
     * 1. Reads each run and its model. Every run must fit the dataset version: {@code on}, or, when
     * null, the one version all of them were trained on; and the version's vocabulary.
     */
    static Loaded loadRuns(Configuration hadoop, FusionRoot root, List<String> runIds, DatasetVersion on) {
        List<LoadedRun> runs = new ArrayList<>();
        DatasetVersion ds = on;
        for (String id : runIds) {
            RunRecord run = Runs.read(hadoop, root.run(id));
            RunRecord.DatasetRef d = run.dataset();
            if (on != null) {
                if (!on.name().equals(d.name())) {
                    throw new BadInputException("run " + id + " was trained on dataset " + d.name() + ", not " + on.name()
                            + ": it can only be evaluated on the dataset it was trained on");
                }
            } else {
                DatasetVersion runDs = DatasetVersion.open(root, d.name(), d.version(), hadoop);
                if (ds == null) {
                    ds = runDs;
                } else if (!ds.name().equals(runDs.name()) || ds.version() != runDs.version()) {
                    throw new BadInputException("runs are on different datasets (" + ds.name() + " v" + ds.version() + " and "
                            + runDs.name() + " v" + runDs.version() + " for " + id + "); evaluate them separately, or all on one"
                            + " version of the dataset with --on-version K");
                }
            }
            if (!ds.vocabulary().hash().equals(run.vocabHash())) {
                throw new BadInputException("run " + id + " was trained with another vocabulary than dataset " + ds.name() + " v" + ds.version()
                        + " has now; its token ids would be read as other words");
            }
            Variant variant = Variant.parse(run.variant());
            ModelSpec spec = runSpec(hadoop, root.run(id), ds);
            byte[] model = readModel(hadoop, new Path(root.run(id), "best.zip"), id);
            runs.add(new LoadedRun(id, variant, spec, model, run));
        }
        return new Loaded(runs, ds);
    }

    /** 2. The split's reference captions by image id (sorted by id), read on the driver: small (strings). */
    static Map<String, String> references(SparkSession spark, DatasetVersion ds, String split) {
        Map<String, String> references = new LinkedHashMap<>();
        for (Row r : spark.read().parquet(ds.split(split).toString()).select(DatasetSchema.ID, DatasetSchema.CAPTION)
                .orderBy(DatasetSchema.ID).collectAsList()) {
            references.put(r.getString(0), r.getString(1));
        }
        return references;
    }

    /** Whether most references follow the card template (card-field scores apply). */
    static boolean isCardSplit(Map<String, String> references) {
        return isCardSplit(references.values().stream().map(CardFields::extract).toList());
    }

    private static boolean isCardSplit(java.util.Collection<Map<String, String>> referenceFields) {
        return referenceFields.stream().filter(CardFields::isCard).count() * 2 >= referenceFields.size();
    }

    /** 2b. Each card field's most common value in the training split: the majority baseline's caption. */
    static Map<String, String> majority(SparkSession spark, DatasetVersion ds) {
        return MajorityBaseline.values(spark.read().parquet(ds.split(MAJORITY_FROM).toString()).select(DatasetSchema.CAPTION)
                .as(org.apache.spark.sql.Encoders.STRING()).javaRDD());
    }

    /** 3. Every run's captions of the split's images under every condition, decoded on the executors ({@code threads} per ND4J op). */
    static Decoded decode(SparkSession spark, DatasetVersion ds, List<LoadedRun> runs, EvalSettings s, int maxTokens, int threads) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
        Map<String, Map<CaptionDecoder.Condition, Map<String, String>>> predictions = new LinkedHashMap<>();
        Map<String, Double> captionsPerSecond = new LinkedHashMap<>();
        Vocabulary vocab = ds.vocabulary();
        // the split's images, read once for every run (cached until the last run is decoded)
        JavaRDD<Row> splitImages = spark.read().parquet(ds.split(s.split()).toString())
                .select(col(DatasetSchema.ID), col(DatasetSchema.IMAGE + ".bytes")).toJavaRDD().repartition(partitions)
                .persist(StorageLevel.MEMORY_AND_DISK());
        for (LoadedRun run : runs) {
            long t0 = System.nanoTime();
            // the model as bytes (Kryo cannot serialise records); variant and spec travel in the closure
            Broadcast<byte[]> model = jsc.broadcast(run.model());
            Variant variant = run.variant();
            ModelSpec spec = run.spec();
            int width = ds.width();
            int height = ds.height();
            List<Tuple3<String, String, int[]>> decoded = splitImages.mapPartitions(it -> {
                Nd4jThreads.apply(threads);
                return decodePartition(it, variant, spec, model.value(), s, maxTokens, width, height);
            }).collect();
            double seconds = (System.nanoTime() - t0) / 1e9;
            model.destroy();
            Map<CaptionDecoder.Condition, Map<String, String>> byCondition = new LinkedHashMap<>();
            for (Tuple3<String, String, int[]> t : decoded) {
                byCondition.computeIfAbsent(CaptionDecoder.Condition.valueOf(t._2()), k -> new HashMap<>()).put(t._1(), vocab.decode(t._3()));
            }
            String label = label(run, runs);
            predictions.put(label, byCondition);
            captionsPerSecond.put(label, decoded.size() / seconds);
            LOG.info("{}: decoded {} captions ({} conditions) in {} s", label, decoded.size(), s.conditions().size(), String.format("%.1f", seconds));
        }
        splitImages.unpersist(false);
        return new Decoded(predictions, captionsPerSecond);
    }

    /**
     * 4. Scores each label's captions against the references on the driver: caption metrics with
     * bootstrap intervals, drops under the other conditions, card-field accuracy when the references
     * are card captions, and the same for the majority baseline stating {@code majority} (when not empty);
     * and the per-image rows of predictions.parquet. No Spark.
     */
    static Scored score(List<LoadedRun> runs, Map<String, String> references, Decoded decoded, EvalSettings s,
                        Map<String, String> majority, java.util.function.Function<LoadedRun, EvalRecord.Training> training) {
        List<String> ids = new ArrayList<>(references.keySet());
        Map<String, Map<CaptionDecoder.Condition, Map<String, String>>> predictions = decoded.predictions();
        Map<String, Double> captionsPerSecond = decoded.captionsPerSecond();
        Bootstrap bootstrap = s.resamples() > 0 ? new Bootstrap(ids.size(), s.resamples(), s.seed()) : null;
        Map<String, Map<String, String>> referenceFields = new LinkedHashMap<>();
        references.forEach((id, caption) -> referenceFields.put(id, CardFields.extract(caption)));
        boolean cards = isCardSplit(referenceFields.values());
        Map<String, EvalRecord.VariantResult> variants = new LinkedHashMap<>();
        Map<String, Map<String, double[]>> distributions = new LinkedHashMap<>();
        Map<String, List<FieldScores.Check>> checksByLabel = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        for (LoadedRun run : runs) {
            String label = label(run, runs);
            Map<String, double[]> dist = new LinkedHashMap<>();
            Map<CaptionDecoder.Condition, CaptionScorer.Scores> byCondition = new LinkedHashMap<>();
            for (CaptionDecoder.Condition c : s.conditions()) {
                Map<String, String> pred = predictions.get(label).getOrDefault(c, Map.of());
                List<CaptionScorer.Image> scored = new ArrayList<>();
                for (String id : ids) {
                    scored.add(new CaptionScorer.Image(id, List.of(references.get(id)), pred.getOrDefault(id, "")));
                }
                byCondition.put(c, CaptionScorer.score(scored));
            }
            CaptionScorer.Scores full = byCondition.get(CaptionDecoder.Condition.FULL);
            Map<String, EvalRecord.Estimate> metrics = withIntervals(full, bootstrap, s.confidence(), dist);
            Map<String, Map<String, EvalRecord.Estimate>> robustness = new LinkedHashMap<>();
            for (Map.Entry<CaptionDecoder.Condition, CaptionScorer.Scores> e : byCondition.entrySet()) {
                if (e.getKey() == CaptionDecoder.Condition.FULL) {
                    continue;
                }
                Map<String, EvalRecord.Estimate> m = new LinkedHashMap<>();
                e.getValue().corpus().forEach((metric, value) -> m.put(metric,
                        new EvalRecord.Estimate(value, null, null, null, full.corpus().get(metric) - value)));
                robustness.put(e.getKey().id(), m);
            }
            Map<String, EvalRecord.Estimate> fieldBlock = null;
            Map<String, Map<String, String>> parsed = new HashMap<>();
            Map<String, FieldScores.Check> correctness = new LinkedHashMap<>();
            if (cards) {
                for (String id : ids) {
                    Map<String, String> p = CardFields.extract(predictions.get(label).get(CaptionDecoder.Condition.FULL).getOrDefault(id, ""));
                    parsed.put(id, p);
                    correctness.put(id, FieldScores.check(referenceFields.get(id), p));
                }
                fieldBlock = FieldScores.estimates(new ArrayList<>(correctness.values()), bootstrap, s.confidence());
                checksByLabel.put(label, new ArrayList<>(correctness.values()));
            }
            variants.put(label, new EvalRecord.VariantResult(run.runId(), run.variant().id(), run.run().totalParameters(),
                    training.apply(run), round(captionsPerSecond.get(label)), metrics, robustness, fieldBlock));
            distributions.put(label, dist);
            for (Map.Entry<CaptionDecoder.Condition, CaptionScorer.Scores> e : byCondition.entrySet()) {
                Map<String, String> pred = predictions.get(label).getOrDefault(e.getKey(), Map.of());
                for (String id : ids) {
                    boolean isFull = e.getKey() == CaptionDecoder.Condition.FULL;
                    List<String> wrong = isFull && cards ? correctness.get(id).wrong() : List.of();
                    rows.add(RowFactory.create(id, label, run.runId(), run.variant().id(), e.getKey().id(), pred.getOrDefault(id, ""),
                            scala.collection.JavaConverters.asScalaBuffer(List.of(references.get(id))).toSeq(),
                            scala.collection.JavaConverters.mapAsScalaMap(e.getValue().perImage().get(id)).toMap(scala.Predef.$conforms()),
                            scala.collection.JavaConverters.mapAsScalaMap(isFull && cards ? parsed.get(id) : Map.<String, String>of())
                                    .toMap(scala.Predef.$conforms()),
                            scala.collection.JavaConverters.asScalaBuffer(wrong).toSeq()));
                }
            }
        }
        EvalRecord.FieldBaseline baseline = cards && !majority.isEmpty()
                ? new EvalRecord.FieldBaseline(MAJORITY_FROM, majority, FieldScores.estimates(
                        MajorityBaseline.checks(majority, ids.stream().map(referenceFields::get).toList()), bootstrap, s.confidence()))
                : null;
        List<SeedGroups.Member> members = runs.stream().map(r -> new SeedGroups.Member(label(r, runs), r.variant().id(), r.run().seedGroup(),
                r.run().seed())).toList();
        List<EvalRecord.Pair> fieldPairwise = null;
        if (cards) {
            fieldPairwise = new ArrayList<>();
            List<String> labels = new ArrayList<>(checksByLabel.keySet());
            for (int i = 0; i < labels.size(); i++) {
                for (int j = i + 1; j < labels.size(); j++) {
                    fieldPairwise.addAll(FieldScores.paired(labels.get(i), checksByLabel.get(labels.get(i)), labels.get(j), checksByLabel.get(labels.get(j))));
                }
            }
        }
        return new Scored(variants, distributions, rows, cards, baseline, SeedGroups.of(members, variants, distributions, s.seed()), fieldPairwise);
    }

    /** 5. predictions.parquet, metrics.parquet, metrics.json and the config into a staging directory, moved into place and committed. */
    private static Path publish(SparkSession spark, FusionConfig config, FusionRoot root, EvalRecord metrics, List<Row> rows) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path dir = root.eval(metrics.evalId());
        Path staging = new Path(dir.getParent(), ".staging-" + metrics.evalId());
        HadoopFiles.removeLeftovers(config, hadoop, dir.getParent(), "eval");
        try {
            spark.createDataFrame(rows, PREDICTIONS).coalesce(1).write().parquet(new Path(staging, "predictions.parquet").toString());
            spark.createDataFrame(MetricsTable.rows(metrics), MetricsTable.SCHEMA).coalesce(1).write()
                    .parquet(new Path(staging, MetricsTable.FILE).toString());
            HadoopFiles.writeAtomically(hadoop, new Path(staging, EvalRecord.FILE), metrics.toJson());
            ConfigSnapshot.write(hadoop, config, staging);
            Commits.publish(hadoop, staging, dir, Map.of("eval", metrics.evalId()));
        } catch (RuntimeException e) {
            HadoopFiles.deleteQuietly(hadoop, staging);
            throw e;
        }
        return dir;
    }

    /** predictions.parquet: one row per image, variant and input condition. */
    public static final StructType PREDICTIONS = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, false)
            .add("run_id", DataTypes.StringType, false)
            .add("variant", DataTypes.StringType, false)
            .add("condition", DataTypes.StringType, false)
            .add("prediction", DataTypes.StringType, false)
            .add("references", DataTypes.createArrayType(DataTypes.StringType), false)
            .add("scores", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false)
            .add("fields", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false)
            .add("field_errors", DataTypes.createArrayType(DataTypes.StringType), false);

    /** Decodes one partition's images under every condition: (id, condition, token ids). */
    static java.util.Iterator<Tuple3<String, String, int[]>> decodePartition(java.util.Iterator<Row> it, Variant variant, ModelSpec spec,
                                                                             byte[] model, EvalSettings s, int maxTokens, int width,
                                                                             int height) throws IOException {
        List<Tuple3<String, String, int[]>> out = new ArrayList<>();
        if (!it.hasNext()) {
            return out.iterator();
        }
        ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model), false);
        CaptionDecoder decoder = new CaptionDecoder(variant, spec, g);
        List<String> ids = new ArrayList<>();
        List<CaptionBatches.Example> batch = new ArrayList<>();
        while (it.hasNext()) {
            Row r = it.next();
            ids.add(r.getString(0));
            batch.add(new CaptionBatches.Example((byte[]) r.get(1), new int[]{Vocabulary.BOS_ID, Vocabulary.EOS_ID}));
            if (batch.size() == s.batchSize() || !it.hasNext()) {
                MultiDataSet m = CaptionBatches.toMultiDataSet(batch, spec.vocabSize(), 3, width, height);
                for (CaptionDecoder.Condition c : s.conditions()) {
                    int[][] tokens = s.decode().equals("beam")
                            ? decoder.beam(m.getFeatures(0), maxTokens, s.beamWidth(), s.lengthPenalty(), c)
                            : decoder.greedy(m.getFeatures(0), maxTokens, c);
                    for (int i = 0; i < ids.size(); i++) {
                        out.add(new Tuple3<>(ids.get(i), c.name(), tokens[i]));
                    }
                }
                ids.clear();
                batch.clear();
            }
        }
        return out.iterator();
    }

    private static String label(LoadedRun run, List<LoadedRun> all) {
        long same = all.stream().filter(r -> r.variant() == run.variant()).count();
        return same == 1 ? run.variant().id() : run.runId();
    }

    /** metric -> {value, lo, hi}; fills {@code dist} with each metric's bootstrap distribution. */
    private static Map<String, EvalRecord.Estimate> withIntervals(CaptionScorer.Scores scores, Bootstrap b, double confidence,
                                                                  Map<String, double[]> dist) {
        Map<String, EvalRecord.Estimate> out = new LinkedHashMap<>();
        List<Bleu.Stats> bleu = scores.bleuStats();
        List<Map<String, Double>> per = new ArrayList<>(scores.perImage().values());
        for (String metric : CaptionScorer.METRICS) {
            double value = scores.corpus().get(metric);
            Double lo = null;
            Double hi = null;
            if (b != null) {
                double[] d;
                if (metric.startsWith("Bleu_")) {
                    int k = Integer.parseInt(metric.substring(5)) - 1;
                    d = b.distribution(idx -> {
                        List<Bleu.Stats> sample = new ArrayList<>(idx.length);
                        for (int i : idx) {
                            sample.add(bleu.get(i));
                        }
                        return Bleu.corpus(sample)[k];
                    });
                } else {
                    double[] values = per.stream().mapToDouble(p -> p.get(metric)).toArray();
                    d = b.distribution(idx -> Bootstrap.mean(values, idx));
                }
                double[] ci = Bootstrap.interval(d, confidence);
                lo = ci[0];
                hi = ci[1];
                dist.put(metric, d);
            }
            out.put(metric, new EvalRecord.Estimate(value, null, lo, hi, null));
        }
        return out;
    }

    private static List<EvalRecord.Pair> pairwise(Map<String, Map<String, double[]>> dist, Map<String, EvalRecord.VariantResult> variants) {
        List<EvalRecord.Pair> out = new ArrayList<>();
        List<String> labels = new ArrayList<>(dist.keySet());
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                for (String metric : CaptionScorer.METRICS) {
                    double[] a = dist.get(labels.get(i)).get(metric);
                    double[] b = dist.get(labels.get(j)).get(metric);
                    out.add(new EvalRecord.Pair(labels.get(i), labels.get(j), metric,
                            variants.get(labels.get(i)).value(metric) - variants.get(labels.get(j)).value(metric),
                            a == null || b == null ? null : Bootstrap.pairedPValue(a, b)));
                }
            }
        }
        return out;
    }

    private static Map<String, String> best(Map<String, EvalRecord.VariantResult> variants) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String metric : CaptionScorer.METRICS) {
            String best = null;
            for (String label : variants.keySet()) {
                if (best == null || variants.get(label).value(metric) > variants.get(best).value(metric)) {
                    best = label;
                }
            }
            out.put(metric, best);
        }
        return out;
    }

    /** Training figures for the report: epochs, best val loss, total seconds, last samples/s, the per-epoch curve. */
    private static EvalRecord.Training training(Configuration hadoop, Path runDir, RunRecord run) {
        List<EpochMetrics> curve = Runs.epochs(hadoop, runDir);
        return new EvalRecord.Training(run.bestValLoss() == null ? Double.NaN : run.bestValLoss(), curve.size(),
                curve.stream().mapToDouble(EpochMetrics::seconds).sum(),
                curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1).samplesPerSecond(), curve);
    }

    /** The model spec a run was trained with: from the config it saved, on the dataset's shape. */
    static ModelSpec runSpec(Configuration hadoop, Path runDir, DatasetVersion ds) {
        Path conf = new Path(runDir, FusionRoot.CONFIG_SNAPSHOT);
        try {
            java.nio.file.Path local = Files.createTempFile("fusionpipe-run", ".conf");
            try {
                Files.writeString(local, HadoopFiles.readString(hadoop, conf), StandardCharsets.UTF_8);
                FusionConfig runConfig = ConfigLoader.fromClasspath().systemProperties(new Properties()).file(local).load();
                return TrainSettings.of(runConfig).modelSpec(ds.vocabulary().size(), ds.maxTokens(), ds.width(), ds.height());
            } finally {
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new BadInputException("cannot read the config run " + runDir.getName() + " was trained with (" + conf + "): " + e.getMessage());
        }
    }

    private static byte[] readModel(Configuration hadoop, Path zip, String runId) {
        try {
            if (!zip.getFileSystem(hadoop).exists(zip)) {
                throw new NotFoundException("run " + runId + " has no model yet (no " + zip + "); train it first");
            }
            byte[] bytes;
            try (var in = zip.getFileSystem(hadoop).open(zip)) {
                bytes = in.readAllBytes();
            }
            try {
                ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), false);
            } catch (Exception e) {
                throw new BadInputException("run " + runId + ": " + zip + " is not a readable model (" + e.getMessage() + ")");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + zip + ": " + e.getMessage(), e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
