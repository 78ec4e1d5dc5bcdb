package io.fusionpipe.ingest;

import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersions;
import io.fusionpipe.ingest.IngestRows.Candidate;
import io.fusionpipe.ingest.IngestRows.DedupKey;
import io.fusionpipe.ingest.IngestRows.Input;
import io.fusionpipe.ingest.IngestRows.Item;
import io.fusionpipe.ingest.IngestRows.Outcome;
import io.fusionpipe.ingest.IngestRows.Reject;
import io.fusionpipe.ingest.IngestRows.Sample;
import io.fusionpipe.ingest.image.PerceptualHash;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.ingest.source.Sources;
import io.fusionpipe.layout.FileLock;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.layout.LockSettings;
import io.fusionpipe.log.StageLog;
import io.fusionpipe.records.DatasetManifest;
import io.fusionpipe.text.Tokenizer;
import io.fusionpipe.text.Vocabulary;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * Inputs to a published dataset version, as a sequence of named steps over a SparkSession (see
 * {@link #run}): read → validate → align → drop rows already in the dataset (append mode) → load
 * images → dedup → split → write shards → write rejects → check conservation → publish. Every step
 * that rejects rows returns them beside what it keeps; the per-row work is in {@link IngestRows}.
 */
public final class IngestPipeline {

    /** Up to this many duplicate decisions are broadcast; more are joined. */
    static final long BROADCAST_DECISIONS = 200_000;

    private IngestPipeline() {
    }

    /**
     * What to ingest. {@code failBeforePublish} is fault injection for tests: the run fails after
     * writing everything to staging, just before the publishing rename.
     */
    public record Request(String name, List<InputSpec> inputs, boolean failBeforePublish) {
        public Request(String name, List<InputSpec> inputs) {
            this(name, inputs, false);
        }
    }

    /** What a run published; {@code marker} is its commit marker. */
    public record Result(String path, String marker, int version, long rowsIn, long rowsWritten, long rowsRejected, long samples,
                         Map<String, Long> rejectsByReason, Map<String, Long> samplesBySplit, String vocabHash, int vocabSize) {
    }

    /** What a step keeps and what it rejects. */
    record Kept<T>(JavaRDD<T> rows, JavaRDD<Reject> rejects) {
        static <T> Kept<T> of(JavaRDD<Outcome<T>> outcomes) {
            return new Kept<>(outcomes.filter(o -> o.value() != null).map(Outcome::value), outcomes.flatMap(o -> o.rejects().iterator()));
        }
    }

    /** The latest version's rows and vocabulary in append mode (none otherwise). */
    record Previous(int version, JavaRDD<Item> items, Vocabulary vocabulary) {
    }

    /** Per-reason and per-source reject counts. */
    record RejectCounts(long total, Map<String, Long> byReason, Map<String, Long> bySource) {
    }

    /** One run: its session, settings, target version, timings and what it cached (released at the end). */
    private static final class Job {
        final SparkSession spark;
        final JavaSparkContext jsc;
        final Configuration hadoop;
        final FusionConfig config;
        final IngestSettings s;
        final Request req;
        final DatasetVersions versions;
        final int previous;
        final int version;
        final int partitions;
        final long started = System.nanoTime();
        final Map<String, Double> timings = new LinkedHashMap<>();
        final List<JavaRDD<?>> cached = new ArrayList<>();
        final List<JavaPairRDD<?, ?>> cachedPairs = new ArrayList<>();
        long mark = started;

        Job(SparkSession spark, FusionConfig config, IngestSettings s, Request req) {
            this.spark = spark;
            this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            this.hadoop = spark.sparkContext().hadoopConfiguration();
            this.config = config;
            this.s = s;
            this.req = req;
            this.versions = new DatasetVersions(FusionRoot.of(config).dataset(req.name()), hadoop);
            this.previous = versions.latest().orElse(0);
            this.version = previous + 1;
            this.partitions = s.partitions() > 0 ? s.partitions() : Math.max(2, jsc.defaultParallelism() * 4);
        }

        <T> JavaRDD<T> cache(JavaRDD<T> rdd, StorageLevel level) {
            cached.add(rdd.persist(level));
            return rdd;
        }

        <K, V> JavaPairRDD<K, V> cache(JavaPairRDD<K, V> rdd) {
            cachedPairs.add(rdd.persist(StorageLevel.MEMORY_AND_DISK()));
            return rdd;
        }

        /** Records the time since the last lap under {@code name}. */
        void lap(String name) {
            long now = System.nanoTime();
            timings.put(name, seconds(now - mark));
            mark = now;
        }

        /** Records the time since the run started under "total". */
        void total() {
            timings.put("total", seconds(System.nanoTime() - started));
        }

        /** Seconds, to the hundredth. */
        private static double seconds(long nanos) {
            return Math.round(nanos / 1e7) / 100.0;
        }

        void release() {
            cached.forEach(r -> r.unpersist());
            cachedPairs.forEach(r -> r.unpersist());
        }
    }

    /**
     * Runs the steps while holding the dataset's lock ({@code datasets/NAME/.lock}, a lease): a
     * second ingest into the same dataset waits {@code fusionpipe.locks.wait}, then fails naming the holder.
     */
    public static Result run(SparkSession spark, FusionConfig config, IngestSettings s, Request req) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path dataset = FusionRoot.of(config).dataset(req.name());
        Path lockFile = new Path(dataset, ".lock");
        LockSettings locks = LockSettings.of(config);
        FileLock lock = FileLock.acquire(hadoop, lockFile, locks, "ingest " + req.name()).orElseThrow(() -> new IllegalStateException(
                "dataset '" + req.name() + "' is being written by another ingest (" + FileLock.holder(hadoop, lockFile) + "; lock "
                        + lockFile + "); waited " + locks.maxWait().toSeconds() + " s (fusionpipe.locks.wait)"));
        try {
            HadoopFiles.removeLeftovers(config, hadoop, dataset, "ingest");
            return run(new Job(spark, config, s, req), lock);
        } finally {
            lock.close();
        }
    }

    private static Result run(Job job, FileLock lock) {
        StageLog stage = StageLog.start("ingest");
        IngestSettings s = job.s;
        try {
            JavaRDD<Row> raw = read(job);
            Map<String, Long> rowsInBySource = countRows(job, raw);
            job.lap("read");
            Kept<Candidate> valid = Kept.of(raw.map(r -> IngestRows.validate(r, s)));
            Kept<Sample> aligned = align(job, valid.rows());
            Previous prev = previous(job);
            Kept<Sample> fresh = dropExisting(job, aligned.rows(), prev);
            Kept<Item> loaded = loadImages(job, fresh.rows());
            Kept<Item> unique = dedup(job, loaded.rows().union(prev.items()));
            unique.rows().count();
            job.lap("validate_align_process_dedup");
            JavaPairRDD<String, Item> bySplit = assignSplits(unique.rows(), s);
            Vocabulary vocab = prev.vocabulary() != null ? prev.vocabulary() : fitVocabulary(bySplit, s);
            Path staging = job.versions.newStaging(job.version);
            try {
                Map<String, Long> samplesBySplit = writeShards(job, bySplit, vocab, staging);
                RejectCounts rejects = writeRejects(job, staging, List.of(valid.rejects(), aligned.rejects(), fresh.rejects(),
                        loaded.rejects(), unique.rejects()));
                Map<String, Long> writtenBySource = new TreeMap<>(unique.rows().filter(it -> !it.existing())
                        .flatMap(it -> it.inputs().iterator()).map(Input::source).countByValue());
                IngestRows.checkConservation(rowsInBySource, writtenBySource, rejects.bySource());
                job.lap("split_tokenize_write");
                job.total();
                lock.check();
                Result r = publish(job, staging, vocab, rowsInBySource, writtenBySource, rejects, samplesBySplit);
                stage.count("version", r.version()).count("rows_in", r.rowsIn()).count("rows_written", r.rowsWritten())
                        .count("rows_rejected", r.rowsRejected()).count("samples", r.samples()).ok();
                return r;
            } catch (RuntimeException | IOException e) {
                job.versions.discard(staging);
                if (e instanceof IOException io) {
                    throw new UncheckedIOException(io);
                }
                throw (RuntimeException) e;
            }
        } finally {
            job.release();
        }
    }

    /** 1. Every source's rows, in one RDD of {@link io.fusionpipe.ingest.source.RawRecord} rows. */
    private static JavaRDD<Row> read(Job job) {
        Dataset<Row> raw = null;
        for (int i = 0; i < job.req.inputs().size(); i++) {
            Dataset<Row> one = Sources.read(job.spark, job.req.inputs().get(i), i, job.s);
            raw = raw == null ? one : raw.unionAll(one);
        }
        return job.cache(raw.toJavaRDD().repartition(job.partitions), StorageLevel.MEMORY_AND_DISK());
    }

    /**
     * Rows per source: the first action, which reads (and caches) every input. A file that fails to
     * read (a damaged Parquet page, say) is an error naming that input, not a Spark stack trace.
     */
    private static Map<String, Long> countRows(Job job, JavaRDD<Row> raw) {
        try {
            return new TreeMap<>(raw.map(r -> r.getString(0)).countByValue());
        } catch (Exception e) { // SparkException is checked but undeclared (Scala)
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                for (InputSpec in : job.req.inputs()) {
                    if (String.valueOf(t.getMessage()).contains(new Path(in.path()).toUri().getPath())) {
                        throw new BadInputException("--input " + in.path() + ": could not be read (" + Sources.rootMessage(e) + ")");
                    }
                }
            }
            throw IngestPipeline.<RuntimeException>rethrow(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrow(Throwable e) throws E {
        throw (E) e;
    }

    /** 3. Captions to images by id: one image, several captions (see {@link IngestRows#align}). */
    private static Kept<Sample> align(Job job, JavaRDD<Candidate> candidates) {
        JavaRDD<Outcome<Sample>> aligned = job.cache(candidates.groupBy(Candidate::id, job.partitions)
                .map(g -> IngestRows.align(g._1(), g._2())), StorageLevel.MEMORY_AND_DISK());
        return Kept.of(aligned);
    }

    /** 4a. Append mode: the latest version's rows (they win duplicate checks and keep their splits) and its vocabulary. */
    private static Previous previous(Job job) {
        if (!job.s.append() || job.previous == 0) {
            return new Previous(0, job.jsc.emptyRDD(), null);
        }
        Path prev = job.versions.version(job.previous);
        return new Previous(job.previous, readExisting(job.spark, prev),
                Vocabulary.fromJson(HadoopFiles.readString(job.hadoop, new Path(prev, DatasetSchema.VOCAB))));
    }

    /** 4b. Append mode: ids already in the latest version are not ingested again. */
    private static Kept<Sample> dropExisting(Job job, JavaRDD<Sample> samples, Previous prev) {
        if (prev.version() == 0) {
            return new Kept<>(samples, job.jsc.emptyRDD());
        }
        JavaPairRDD<String, Boolean> prevIds = prev.items().mapToPair(it -> new Tuple2<>(it.id(), true));
        JavaPairRDD<String, Tuple2<Sample, Optional<Boolean>>> joined = samples.mapToPair(x -> new Tuple2<>(x.id(), x)).leftOuterJoin(prevIds);
        String prevName = "v" + prev.version();
        return new Kept<>(joined.filter(t -> !t._2()._2().isPresent()).map(t -> t._2()._1()),
                joined.filter(t -> t._2()._2().isPresent())
                        .flatMap(t -> Reject.fanOut(t._2()._1().inputs(), t._1(), RejectReason.ALREADY_IN_DATASET, "id is in " + prevName).iterator()));
    }

    /** 5. Load, check and normalise each image (executors read with the driver's Hadoop settings). */
    private static Kept<Item> loadImages(Job job, JavaRDD<Sample> samples) {
        Map<String, String> conf = HadoopFiles.settings(job.hadoop);
        IngestSettings s = job.s;
        JavaRDD<Outcome<Item>> processed = job.cache(samples.mapPartitions(it -> {
            Configuration h = HadoopFiles.configuration(conf);
            List<Outcome<Item>> out = new ArrayList<>();
            while (it.hasNext()) {
                out.add(IngestRows.processImage(it.next(), s, h));
            }
            return out.iterator();
        }), StorageLevel.MEMORY_AND_DISK());
        return Kept.of(processed);
    }

    /**
     * 6+7. Duplicates, decided on light keys (no image bytes shuffled): exact (same original bytes),
     * then near (perceptual hash within the distance, optionally only with the same caption) among
     * the rest. The earliest row wins; rows of the previous version always win. One join applies it.
     */
    private static Kept<Item> dedup(Job job, JavaRDD<Item> items) {
        IngestSettings s = job.s;
        JavaRDD<DedupKey> keys = items.map(it -> new DedupKey(it.ord(), it.id(), it.sha256(), it.phash(),
                CaptionRules.target(it.captions().get(0), s.captionTarget()), it.existing()));
        JavaPairRDD<Long, String[]> decisions = keys.groupBy(DedupKey::sha256, job.partitions)
                .flatMapToPair(g -> IngestRows.exactDuplicates(g._2()).iterator());
        if (s.nearEnabled()) {
            JavaRDD<DedupKey> survivors = keys.keyBy(DedupKey::ord).subtractByKey(decisions).values();
            decisions = decisions.union(nearDuplicates(survivors, s, job.partitions));
        }
        // Duplicates are usually few: ship the decisions to the items instead of shuffling the items
        // (with their image bytes) to the decisions. Many duplicates: a join, so the driver stays small.
        decisions = job.cache(decisions);
        JavaRDD<Item> unique;
        JavaRDD<Reject> rejects;
        if (decisions.count() <= BROADCAST_DECISIONS) {
            Broadcast<Map<Long, String[]>> decided = job.jsc.broadcast(new HashMap<>(decisions.collectAsMap()));
            rejects = items.filter(it -> decided.value().containsKey(it.ord())).flatMap(it -> Reject.fanOut(it.inputs(), it.id(),
                    RejectReason.valueOf(decided.value().get(it.ord())[0]), decided.value().get(it.ord())[1]).iterator());
            unique = items.filter(it -> !decided.value().containsKey(it.ord()));
        } else {
            JavaPairRDD<Long, Tuple2<Item, Optional<String[]>>> decided = items.keyBy(Item::ord).leftOuterJoin(decisions, job.partitions);
            rejects = decided.filter(t -> t._2()._2().isPresent()).flatMap(t -> Reject.fanOut(t._2()._1().inputs(),
                    t._2()._1().id(), RejectReason.valueOf(t._2()._2().get()[0]), t._2()._2().get()[1]).iterator());
            unique = decided.filter(t -> !t._2()._2().isPresent()).map(t -> t._2()._1());
        }
        return new Kept<>(job.cache(unique, StorageLevel.MEMORY_AND_DISK()), rejects);
    }

    /**
     * Candidate pairs share one of (distance + 1) hash bands (pigeonhole), optionally keyed by caption;
     * a pair within the distance rejects its later row. Returns ord -> (reason, detail).
     */
    private static JavaPairRDD<Long, String[]> nearDuplicates(JavaRDD<DedupKey> keys, IngestSettings s, int partitions) {
        int bands = s.nearMaxDistance() + 1;
        boolean sameCaption = s.nearScope().equals("same-caption");
        int max = s.nearMaxDistance();
        return keys.flatMapToPair(k -> {
                    List<Tuple2<String, DedupKey>> out = new ArrayList<>();
                    String scope = sameCaption ? k.caption() + "\u0000" : "";
                    for (String band : PerceptualHash.bands(k.phash(), bands)) {
                        out.add(new Tuple2<>(scope + band, k));
                    }
                    return out.iterator();
                })
                .groupByKey(partitions)
                .flatMapToPair(g -> {
                    List<DedupKey> group = new ArrayList<>();
                    g._2().forEach(group::add);
                    group.sort(Comparator.comparingLong(DedupKey::ord));
                    List<Tuple2<Long, String>> out = new ArrayList<>();
                    for (int j = 1; j < group.size(); j++) {
                        DedupKey later = group.get(j);
                        if (later.existing()) {
                            continue;
                        }
                        for (int i = 0; i < j; i++) {
                            int d = PerceptualHash.distance(group.get(i).phash(), later.phash());
                            if (d <= max) {
                                out.add(new Tuple2<>(later.ord(), "near-duplicate of id '" + group.get(i).id() + "' (distance " + d + ")"));
                                break;
                            }
                        }
                    }
                    return out.iterator();
                })
                .reduceByKey((a, b) -> a.compareTo(b) <= 0 ? a : b)
                .mapValues(detail -> new String[]{RejectReason.NEAR_DUPLICATE_IMAGE.name(), detail});
    }

    /**
     * 8. Each item's split: the input's own ({@code split.column}) or a stable hash of its group key;
     * rows of the previous version keep theirs, even if the split settings changed.
     */
    private static JavaPairRDD<String, Item> assignSplits(JavaRDD<Item> unique, IngestSettings s) {
        return unique.mapToPair(it -> new Tuple2<>(it.existing() ? it.existingSplit() : IngestRows.splitOf(it, s), it));
    }

    /** The vocabulary, fitted on the train split's captions (append mode reuses the previous one). */
    private static Vocabulary fitVocabulary(JavaPairRDD<String, Item> bySplit, IngestSettings s) {
        Tokenizer tokenizer = new Tokenizer(s.lowercase());
        String target = s.captionTarget();
        long minCount = s.minCount();
        Map<String, Long> counts = bySplit.filter(t -> t._1().equals("train"))
                .flatMap(t -> tokenizer.tokenize(CaptionRules.target(t._2().captions().get(0), target)).iterator())
                .mapToPair(w -> new Tuple2<>(w, 1L)).reduceByKey(Long::sum)
                .filter(t -> t._2() >= minCount).collectAsMap();
        return Vocabulary.fit(new HashMap<>(counts), minCount, s.maxVocab(), tokenizer);
    }

    /**
     * 9. Tokenized rows into staging, one file per (split, shard): shard = hash(id) mod the split's
     * shard count (sized by {@code shard-bytes}), rows sorted by id. Returns the samples per split.
     */
    private static Map<String, Long> writeShards(Job job, JavaPairRDD<String, Item> bySplit, Vocabulary vocab, Path staging) {
        IngestSettings s = job.s;
        Broadcast<Vocabulary> vocabB = job.jsc.broadcast(vocab);
        Dataset<Row> all = job.spark.createDataFrame(bySplit.map(t -> IngestRows.toRow(t._2(), t._1(), vocabB.value(), s)),
                DatasetSchema.ROW_WITH_SPLIT).persist(StorageLevel.MEMORY_AND_DISK_SER());
        Map<String, Long> samplesBySplit = new TreeMap<>();
        Map<String, Integer> shards = new TreeMap<>();
        for (String split : DatasetSchema.SPLITS) {
            samplesBySplit.put(split, 0L);
        }
        for (Row st : all.groupBy(DatasetSchema.SPLIT_COLUMN).agg(functions.count("*"), functions.sum(functions.length(col("image.bytes"))))
                .collectAsList()) {
            samplesBySplit.put(st.getString(0), st.getLong(1));
            shards.put(st.getString(0), (int) Math.max(1, Math.ceil(st.getLong(2) * 1.1 / s.shardBytes())));
        }
        Column shard = functions.lit(0);
        for (Map.Entry<String, Integer> e : shards.entrySet()) {
            shard = functions.when(col(DatasetSchema.SPLIT_COLUMN).equalTo(e.getKey()),
                    functions.pmod(functions.hash(col(DatasetSchema.ID)), functions.lit(e.getValue()))).otherwise(shard);
        }
        int totalShards = shards.values().stream().mapToInt(Integer::intValue).sum();
        all.withColumn("_shard", shard)
                .repartition(Math.max(1, totalShards), col(DatasetSchema.SPLIT_COLUMN), col("_shard"))
                .sortWithinPartitions(DatasetSchema.SPLIT_COLUMN, DatasetSchema.ID).drop("_shard")
                .write().mode(SaveMode.ErrorIfExists).partitionBy(DatasetSchema.SPLIT_COLUMN)
                .option("parquet.block.size", Long.toString(s.rowGroupBytes()))
                .parquet(staging.toString());
        all.unpersist();
        return samplesBySplit;
    }

    /** 10. Every step's rejects into staging's {@code _rejects}; their counts by reason and by source. */
    private static RejectCounts writeRejects(Job job, Path staging, List<JavaRDD<Reject>> perStep) {
        JavaRDD<Reject> rejects = perStep.get(0);
        for (JavaRDD<Reject> more : perStep.subList(1, perStep.size())) {
            rejects = rejects.union(more);
        }
        Dataset<Row> rejectDf = job.spark.createDataFrame(rejects.map(r -> RowFactory.create(r.source(), r.ref(), r.id(), r.reason(), r.detail())),
                DatasetSchema.REJECT).persist(StorageLevel.MEMORY_AND_DISK_SER());
        long count = rejectDf.count();
        rejectDf.coalesce((int) Math.max(1, count / 1_000_000)).write().mode(SaveMode.ErrorIfExists)
                .parquet(new Path(staging, DatasetSchema.REJECTS).toString());
        Map<String, Long> byReason = new TreeMap<>();
        Map<String, Long> bySource = new TreeMap<>();
        for (Row r : rejectDf.groupBy("source", "reason").count().collectAsList()) {
            byReason.merge(r.getString(1), r.getLong(2), Long::sum);
            bySource.merge(r.getString(0), r.getLong(2), Long::sum);
        }
        rejectDf.unpersist();
        return new RejectCounts(count, byReason, bySource);
    }

    /** 11. The vocabulary, config and manifest into staging, then the version moved into place and committed (its marker last). */
    private static Result publish(Job job, Path staging, Vocabulary vocab, Map<String, Long> rowsInBySource, Map<String, Long> writtenBySource,
                                  RejectCounts rejects, Map<String, Long> samplesBySplit) throws IOException {
        IngestSettings s = job.s;
        long rowsIn = rowsInBySource.values().stream().mapToLong(Long::longValue).sum();
        long rowsWritten = writtenBySource.values().stream().mapToLong(Long::longValue).sum();
        long totalSamples = samplesBySplit.values().stream().mapToLong(Long::longValue).sum();
        DatasetManifest manifest = new DatasetManifest(DatasetSchema.VERSION, job.req.name(), job.version, s.mode(),
                job.previous > 0 ? job.previous : null, rowsIn, rowsWritten, rejects.total(), rejects.byReason(), totalSamples, samplesBySplit,
                rowsInBySource, writtenBySource, rejects.bySource(), vocab.hash(), vocab.size(), fingerprints(job.req.inputs(), job.hadoop),
                new DatasetManifest.Image(s.width(), s.height(), s.resize().name().toLowerCase(Locale.ROOT), s.imageFormat()),
                s.captionTarget(), s.maxTokens(), job.timings, job.config.render());
        HadoopFiles.writeAtomically(job.hadoop, new Path(staging, DatasetSchema.VOCAB), vocab.toJson());
        HadoopFiles.writeAtomically(job.hadoop, new Path(staging, DatasetSchema.CONFIG), job.config.render());
        HadoopFiles.writeAtomically(job.hadoop, new Path(staging, DatasetSchema.MANIFEST), manifest.toJson());
        if (job.req.failBeforePublish()) {
            throw new IllegalStateException("injected failure before publishing v" + job.version);
        }
        Path marker = job.versions.publish(staging, job.version, manifest.toJson());
        return new Result(marker.getParent().toString(), marker.toString(), job.version, rowsIn, rowsWritten, rejects.total(), totalSamples, rejects.byReason(),
                samplesBySplit, vocab.hash(), vocab.size());
    }

    /** The latest version's rows, as items that always win duplicate checks (append mode). */
    static JavaRDD<Item> readExisting(SparkSession spark, Path version) {
        Dataset<Row> df = spark.read().parquet(version.toString());
        return df.toJavaRDD().map(r -> {
            Row img = r.getStruct(r.fieldIndex(DatasetSchema.IMAGE));
            List<String> captions = new ArrayList<>(r.getList(r.fieldIndex(DatasetSchema.CAPTIONS)));
            Map<String, String> fields = DatasetSchema.fields(r);
            return new Item(r.getString(r.fieldIndex(DatasetSchema.ID)), -1L, r.getString(r.fieldIndex(DatasetSchema.SOURCE)), captions,
                    fields, List.of(), (byte[]) img.get(0), r.getInt(r.fieldIndex(DatasetSchema.WIDTH)), r.getInt(r.fieldIndex(DatasetSchema.HEIGHT)),
                    r.getInt(r.fieldIndex(DatasetSchema.ORIG_WIDTH)), r.getInt(r.fieldIndex(DatasetSchema.ORIG_HEIGHT)),
                    r.getString(r.fieldIndex(DatasetSchema.SHA256)), r.getString(r.fieldIndex(DatasetSchema.PHASH)),
                    r.getString(r.fieldIndex(DatasetSchema.SPLIT_COLUMN)));
        });
    }

    /** Path, size and modification time of every input file (the run's input fingerprint). */
    static List<DatasetManifest.Input> fingerprints(List<InputSpec> inputs, Configuration hadoop) throws IOException {
        List<DatasetManifest.Input> out = new ArrayList<>();
        for (InputSpec in : inputs) {
            Path p = new Path(in.path());
            FileStatus st = p.getFileSystem(hadoop).getFileStatus(p);
            out.add(new DatasetManifest.Input(in.source(), in.format(), st.getPath().toString(), st.isDirectory() ? null : st.getLen(),
                    st.getModificationTime()));
        }
        return out;
    }
}
