package io.fusionpipe.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.Hashing;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.ingest.image.ImageLoader;
import io.fusionpipe.ingest.image.ImageProcessor;
import io.fusionpipe.ingest.image.PerceptualHash;
import io.fusionpipe.dataset.DatasetVersions;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.ingest.source.RawRecord;
import io.fusionpipe.ingest.source.Sources;
import io.fusionpipe.json.Json;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.log.StageLog;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;

/**
 * Inputs to a published dataset version, as one plain function over a SparkSession:
 * read sources, validate rows and captions, align captions to images by id, load, check and
 * normalise images, drop exact and near duplicates, split by a stable hash of the group key, fit
 * the vocabulary on train, tokenize, write Parquet shards plus rejects and the manifest into a
 * staging directory, check conservation, and publish with one rename.
 */
public final class IngestPipeline {

    private static final ObjectMapper JSON = Json.MAPPER;
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

    /** What a run published. */
    public record Result(String path, int version, long rowsIn, long rowsWritten, long rowsRejected, long samples,
                         Map<String, Long> rejectsByReason, Map<String, Long> samplesBySplit, String vocabHash, int vocabSize) {
    }

    record Input(String source, String ref) implements Serializable {
    }

    record Reject(String source, String ref, String id, String reason, String detail) implements Serializable {
        static List<Reject> fanOut(List<Input> inputs, String id, RejectReason reason, String detail) {
            List<Reject> out = new ArrayList<>();
            for (Input in : inputs) {
                out.add(new Reject(in.source(), in.ref(), id, reason.code(), detail));
            }
            return out;
        }
    }

    record Candidate(String source, String ref, long ord, String id, String imageBase, String imageRef, byte[] imageBytes,
                     String imageKey, String caption, Map<String, String> fields) implements Serializable {
    }

    record Sample(String id, long ord, String source, String imageBase, String imageRef, byte[] imageBytes,
                  List<String> captions, Map<String, String> fields, List<Input> inputs) implements Serializable {
    }

    record Item(String id, long ord, String source, List<String> captions, Map<String, String> fields, List<Input> inputs,
                byte[] image, int width, int height, int origWidth, int origHeight, String sha256, String phash,
                String existingSplit) implements Serializable {
        /** A row of the previous version (append mode): it always wins duplicate checks and keeps its split. */
        boolean existing() {
            return existingSplit != null;
        }
    }

    /** A value or the rejects it turned into. */
    record Outcome<T>(T value, List<Reject> rejects) implements Serializable {
    }

    public static Result run(SparkSession spark, FusionConfig config, IngestSettings s, Request req) {
        StageLog stage = StageLog.start("ingest");
        long started = System.nanoTime();
        Map<String, Double> timings = new LinkedHashMap<>();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        FusionRoot root = FusionRoot.of(config);
        DatasetVersions versions = new DatasetVersions(root.dataset(req.name()), hadoop);
        int previous = versions.latest().orElse(0);
        int version = previous + 1;
        int partitions = s.partitions() > 0 ? s.partitions() : Math.max(2, jsc.defaultParallelism() * 4);

        // 1. Read every source.
        Dataset<Row> raw = null;
        for (int i = 0; i < req.inputs().size(); i++) {
            Dataset<Row> one = Sources.read(spark, req.inputs().get(i), i, s);
            raw = raw == null ? one : raw.unionAll(one);
        }
        JavaRDD<Row> rawRows = raw.toJavaRDD().repartition(partitions).persist(StorageLevel.MEMORY_AND_DISK());
        Map<String, Long> rowsInBySource = new TreeMap<>(rawRows.map(r -> r.getString(0)).countByValue());
        timings.put("read", lap(started));
        long mark = System.nanoTime();

        // 2. Row-level checks: problems the sources saw, captions.
        JavaRDD<Outcome<Candidate>> checked = rawRows.map(r -> check(r, s));
        JavaRDD<Reject> rowRejects = checked.flatMap(o -> o.rejects().iterator());
        JavaRDD<Candidate> candidates = checked.filter(o -> o.value() != null).map(Outcome::value);

        // 3. Align captions to images by id; one image, several captions.
        JavaRDD<Outcome<Sample>> aligned = candidates.groupBy(Candidate::id, partitions).map(g -> align(g._1(), g._2()));
        aligned.persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Reject> alignRejects = aligned.flatMap(o -> o.rejects().iterator());
        JavaRDD<Sample> samples = aligned.filter(o -> o.value() != null).map(Outcome::value);

        // 4. Append mode: ids already in the latest version are not ingested again.
        JavaRDD<Item> existing = jsc.emptyRDD();
        Vocabulary reuseVocab = null;
        JavaRDD<Reject> appendRejects = jsc.emptyRDD();
        if (s.append() && previous > 0) {
            Path prev = versions.version(previous);
            existing = readExisting(spark, prev);
            reuseVocab = Vocabulary.fromJson(HadoopFiles.readString(hadoop, new Path(prev, DatasetSchema.VOCAB)));
            JavaPairRDD<String, Boolean> prevIds = existing.mapToPair(it -> new Tuple2<>(it.id(), true));
            JavaPairRDD<String, Tuple2<Sample, Optional<Boolean>>> joined = samples.mapToPair(x -> new Tuple2<>(x.id(), x)).leftOuterJoin(prevIds);
            String prevName = "v" + previous;
            appendRejects = joined.filter(t -> t._2()._2().isPresent())
                    .flatMap(t -> Reject.fanOut(t._2()._1().inputs(), t._1(), RejectReason.ALREADY_IN_DATASET, "id is in " + prevName).iterator());
            samples = joined.filter(t -> !t._2()._2().isPresent()).map(t -> t._2()._1());
        }

        // 5. Load, check and normalise images.
        Map<String, String> conf = new HashMap<>();
        hadoop.forEach(e -> conf.put(e.getKey(), e.getValue()));
        JavaRDD<Outcome<Item>> processed = samples.mapPartitions(it -> {
            Configuration h = new Configuration(false);
            conf.forEach(h::set);
            List<Outcome<Item>> out = new ArrayList<>();
            while (it.hasNext()) {
                out.add(processImage(it.next(), s, h));
            }
            return out.iterator();
        }).persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Reject> imageRejects = processed.flatMap(o -> o.rejects().iterator());
        JavaRDD<Item> items = processed.filter(o -> o.value() != null).map(Outcome::value).union(existing);

        // 6+7. Duplicates, decided on light keys (no image bytes shuffled): exact (same original bytes),
        // then near (perceptual hash within the distance, optionally only with the same caption) among
        // the rest. The earliest row wins; rows of the previous version always win. One join applies it.
        JavaRDD<DedupKey> keys = items.map(it -> new DedupKey(it.ord(), it.id(), it.sha256(), it.phash(),
                CaptionRules.target(it.captions().get(0), s.captionTarget()), it.existing()));
        JavaPairRDD<Long, String[]> decisions = keys.groupBy(DedupKey::sha256, partitions).flatMapToPair(g -> exactDuplicates(g._2()).iterator());
        if (s.nearEnabled()) {
            JavaRDD<DedupKey> survivors = keys.keyBy(DedupKey::ord).subtractByKey(decisions).values();
            decisions = decisions.union(nearDuplicates(survivors, s, partitions));
        }
        // Duplicates are usually few: ship the decisions to the items instead of shuffling the items
        // (with their image bytes) to the decisions. Many duplicates: a join, so the driver stays small.
        JavaRDD<Item> unique;
        JavaRDD<Reject> dedupRejects;
        decisions = decisions.persist(StorageLevel.MEMORY_AND_DISK());
        if (decisions.count() <= BROADCAST_DECISIONS) {
            Broadcast<Map<Long, String[]>> decided = jsc.broadcast(new HashMap<>(decisions.collectAsMap()));
            dedupRejects = items.filter(it -> decided.value().containsKey(it.ord())).flatMap(it -> Reject.fanOut(it.inputs(), it.id(),
                    RejectReason.valueOf(decided.value().get(it.ord())[0]), decided.value().get(it.ord())[1]).iterator());
            unique = items.filter(it -> !decided.value().containsKey(it.ord()));
        } else {
            JavaPairRDD<Long, Tuple2<Item, Optional<String[]>>> decided = items.keyBy(Item::ord).leftOuterJoin(decisions, partitions);
            dedupRejects = decided.filter(t -> t._2()._2().isPresent()).flatMap(t -> Reject.fanOut(t._2()._1().inputs(),
                    t._2()._1().id(), RejectReason.valueOf(t._2()._2().get()[0]), t._2()._2().get()[1]).iterator());
            unique = decided.filter(t -> !t._2()._2().isPresent()).map(t -> t._2()._1());
        }
        unique = unique.persist(StorageLevel.MEMORY_AND_DISK());
        unique.count();
        timings.put("validate_align_process_dedup", lap(mark));
        mark = System.nanoTime();

        // 8. Split by a stable hash of the group key (rows of the previous version keep theirs, even if
        //    the split settings changed); vocabulary from train (reused in append mode).
        JavaPairRDD<String, Item> bySplit = unique.mapToPair(it -> new Tuple2<>(
                it.existing() ? it.existingSplit() : split(groupKey(it, s), s), it));
        Vocabulary vocab = reuseVocab != null ? reuseVocab : fitVocabulary(bySplit, s);
        Broadcast<Vocabulary> vocabB = jsc.broadcast(vocab);

        // 9. Write splits and rejects into staging, check conservation, publish.
        Path staging = versions.newStaging(version);
        try {
            Dataset<Row> all = spark.createDataFrame(bySplit.map(t -> toRow(t._2(), t._1(), vocabB.value(), s)), DatasetSchema.ROW_WITH_SPLIT)
                    .persist(StorageLevel.MEMORY_AND_DISK_SER());
            Map<String, Long> samplesBySplit = new TreeMap<>();
            Map<String, Integer> shards = new TreeMap<>();
            for (String split : DatasetSchema.SPLITS) {
                samplesBySplit.put(split, 0L);
            }
            for (Row st : all.groupBy(DatasetSchema.SPLIT_COLUMN).agg(org.apache.spark.sql.functions.count("*"),
                    org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.length(col("image.bytes")))).collectAsList()) {
                samplesBySplit.put(st.getString(0), st.getLong(1));
                shards.put(st.getString(0), (int) Math.max(1, Math.ceil(st.getLong(2) * 1.1 / s.shardBytes())));
            }
            // Shard = hash(id) mod the split's shard count: one file per (split, shard), rows sorted by id.
            org.apache.spark.sql.Column shard = org.apache.spark.sql.functions.lit(0);
            for (Map.Entry<String, Integer> e : shards.entrySet()) {
                shard = org.apache.spark.sql.functions.when(col(DatasetSchema.SPLIT_COLUMN).equalTo(e.getKey()),
                        org.apache.spark.sql.functions.pmod(org.apache.spark.sql.functions.hash(col(DatasetSchema.ID)), org.apache.spark.sql.functions.lit(e.getValue())))
                        .otherwise(shard);
            }
            int totalShards = shards.values().stream().mapToInt(Integer::intValue).sum();
            all.withColumn("_shard", shard)
                    .repartition(Math.max(1, totalShards), col(DatasetSchema.SPLIT_COLUMN), col("_shard"))
                    .sortWithinPartitions(DatasetSchema.SPLIT_COLUMN, DatasetSchema.ID).drop("_shard")
                    .write().mode(SaveMode.ErrorIfExists).partitionBy(DatasetSchema.SPLIT_COLUMN)
                    .option("parquet.block.size", Long.toString(s.rowGroupBytes()))
                    .parquet(staging.toString());
            all.unpersist();
            JavaRDD<Reject> rejects = rowRejects.union(alignRejects).union(appendRejects).union(imageRejects).union(dedupRejects);
            Dataset<Row> rejectDf = spark.createDataFrame(rejects.map(r -> RowFactory.create(r.source(), r.ref(), r.id(), r.reason(), r.detail())),
                    DatasetSchema.REJECT).persist(StorageLevel.MEMORY_AND_DISK_SER());
            long rejectCount = rejectDf.count();
            rejectDf.coalesce((int) Math.max(1, rejectCount / 1_000_000)).write().mode(SaveMode.ErrorIfExists)
                    .parquet(new Path(staging, DatasetSchema.REJECTS).toString());
            Map<String, Long> rejectsByReason = new TreeMap<>();
            Map<String, Long> rejectsBySource = new TreeMap<>();
            for (Row r : rejectDf.groupBy("source", "reason").count().collectAsList()) {
                rejectsByReason.merge(r.getString(1), r.getLong(2), Long::sum);
                rejectsBySource.merge(r.getString(0), r.getLong(2), Long::sum);
            }
            rejectDf.unpersist();
            Map<String, Long> writtenBySource = new TreeMap<>(unique.filter(it -> !it.existing())
                    .flatMap(it -> it.inputs().iterator()).map(Input::source).countByValue());
            checkConservation(rowsInBySource, writtenBySource, rejectsBySource);
            timings.put("split_tokenize_write", lap(mark));
            timings.put("total", lap(started));

            long rowsIn = rowsInBySource.values().stream().mapToLong(Long::longValue).sum();
            long rowsWritten = writtenBySource.values().stream().mapToLong(Long::longValue).sum();
            long totalSamples = samplesBySplit.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("schema_version", DatasetSchema.VERSION);
            manifest.put("name", req.name());
            manifest.put("version", version);
            manifest.put("mode", s.mode());
            manifest.put("previous_version", previous > 0 ? previous : null);
            manifest.put("rows_in", rowsIn);
            manifest.put("rows_written", rowsWritten);
            manifest.put("rows_rejected", rejectCount);
            manifest.put("rejects_by_reason", rejectsByReason);
            manifest.put("samples", totalSamples);
            manifest.put("samples_by_split", samplesBySplit);
            manifest.put("rows_in_by_source", rowsInBySource);
            manifest.put("rows_written_by_source", writtenBySource);
            manifest.put("rows_rejected_by_source", rejectsBySource);
            manifest.put("vocab_hash", vocab.hash());
            manifest.put("vocab_size", vocab.size());
            manifest.put("inputs", fingerprints(req.inputs(), hadoop));
            manifest.put("image", Map.of("width", s.width(), "height", s.height(), "resize", s.resize().name().toLowerCase(),
                    "format", s.imageFormat()));
            manifest.put("caption_target", s.captionTarget());
            manifest.put("max_tokens", s.maxTokens());
            manifest.put("timings_seconds", timings);
            manifest.put("config", config.render());
            HadoopFiles.writeAtomically(hadoop, new Path(staging, DatasetSchema.VOCAB), vocab.toJson());
            HadoopFiles.writeAtomically(hadoop, new Path(staging, DatasetSchema.CONFIG), config.render());
            HadoopFiles.writeAtomically(hadoop, new Path(staging, DatasetSchema.MANIFEST),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
            if (req.failBeforePublish()) {
                throw new IllegalStateException("injected failure before publishing v" + version);
            }
            Path published = versions.publish(staging, version);
            stage.count("version", version).count("rows_in", rowsIn).count("rows_written", rowsWritten)
                    .count("rows_rejected", rejectCount).count("samples", totalSamples).ok();
            return new Result(published.toString(), version, rowsIn, rowsWritten, rejectCount, totalSamples, rejectsByReason,
                    samplesBySplit, vocab.hash(), vocab.size());
        } catch (RuntimeException | IOException e) {
            versions.discard(staging);
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        } finally {
            rawRows.unpersist();
            decisions.unpersist();
            aligned.unpersist();
            processed.unpersist();
            unique.unpersist();
        }
    }

    private static double lap(long started) {
        return Math.round((System.nanoTime() - started) / 1e7) / 100.0;
    }

    // ---- row checks ----

    static Outcome<Candidate> check(Row r, IngestSettings s) {
        String source = r.getString(0);
        String ref = r.getString(1);
        long ord = r.getLong(2);
        String id = r.isNullAt(3) ? null : r.getString(3);
        if (!r.isNullAt(9)) {
            return new Outcome<>(null, List.of(new Reject(source, ref, id, r.getString(9), r.isNullAt(10) ? null : r.getString(10))));
        }
        try {
            String caption = CaptionRules.normalize(r.isNullAt(7) ? null : r.getString(7), s.maxCaptionChars());
            byte[] bytes = r.isNullAt(6) ? null : (byte[]) r.get(6);
            String imageRef = r.isNullAt(5) ? null : r.getString(5);
            String base = r.isNullAt(4) ? null : r.getString(4);
            if (bytes == null) {
                if (imageRef == null || imageRef.isBlank()) {
                    throw new Rejection(RejectReason.CAPTION_WITHOUT_IMAGE, "no image reference");
                }
                // validate the reference now, so bad paths are rejected per row before any I/O
                io.fusionpipe.ingest.source.ImageRefs.resolve(imageRef, s.allowedHosts());
            }
            String key = bytes != null ? "sha256:" + Hashing.sha256Hex(bytes) : base + "|" + imageRef;
            Map<String, String> fields = r.isNullAt(8) ? Map.of() : new LinkedHashMap<>(r.getJavaMap(8));
            return new Outcome<>(new Candidate(source, ref, ord, id, base, imageRef, bytes, key, caption, fields), List.of());
        } catch (Rejection e) {
            return new Outcome<>(null, List.of(new Reject(source, ref, id, e.reason().code(), e.getMessage())));
        }
    }

    /** Rows sharing an id: the earliest row's image wins; same image adds captions, another image is a conflict. */
    static Outcome<Sample> align(String id, Iterable<Candidate> rows) {
        List<Candidate> sorted = new ArrayList<>();
        rows.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(Candidate::ord));
        Candidate first = sorted.get(0);
        List<String> captions = new ArrayList<>();
        List<Input> inputs = new ArrayList<>();
        List<Reject> rejects = new ArrayList<>();
        for (Candidate c : sorted) {
            if (!c.imageKey().equals(first.imageKey())) {
                rejects.add(new Reject(c.source(), c.ref(), id, RejectReason.DUPLICATE_ID_CONFLICT.code(),
                        "id '" + id + "' has another image at " + first.ref()));
            } else if (captions.contains(c.caption())) {
                rejects.add(new Reject(c.source(), c.ref(), id, RejectReason.DUPLICATE_ROW.code(), "same id, image and caption as an earlier row"));
            } else {
                captions.add(c.caption());
                inputs.add(new Input(c.source(), c.ref()));
            }
        }
        return new Outcome<>(new Sample(id, first.ord(), first.source(), first.imageBase(), first.imageRef(), first.imageBytes(),
                captions, first.fields(), inputs), rejects);
    }

    static Outcome<Item> processImage(Sample x, IngestSettings s, Configuration hadoop) {
        try {
            byte[] data = ImageLoader.load(x.imageBase(), x.imageRef(), x.imageBytes(), s, hadoop);
            ImageProcessor.Processed p = ImageProcessor.process(data, s);
            return new Outcome<>(new Item(x.id(), x.ord(), x.source(), x.captions(), x.fields(), x.inputs(), p.bytes(), p.width(),
                    p.height(), p.origWidth(), p.origHeight(), p.sha256(), p.phash(), null), List.of());
        } catch (Rejection e) {
            return new Outcome<>(null, Reject.fanOut(x.inputs(), x.id(), e.reason(), e.getMessage()));
        }
    }

    /** The light part of an item that duplicate decisions need. */
    record DedupKey(long ord, String id, String sha256, String phash, String caption, boolean existing) implements Serializable {
    }

    /** In a group of equal bytes, every row but the earliest (and rows of the previous version) is rejected. */
    static List<Tuple2<Long, String[]>> exactDuplicates(Iterable<DedupKey> group) {
        List<DedupKey> sorted = new ArrayList<>();
        group.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(DedupKey::ord));
        DedupKey winner = sorted.get(0);
        List<Tuple2<Long, String[]>> out = new ArrayList<>();
        for (DedupKey k : sorted) {
            if (k != winner && !k.existing()) {
                out.add(new Tuple2<>(k.ord(), new String[]{RejectReason.DUPLICATE_IMAGE.name(),
                        "same bytes (sha256 " + k.sha256().substring(0, 12) + "...) as id '" + winner.id() + "'"}));
            }
        }
        return out;
    }

    /**
     * Candidate pairs share one of (distance + 1) hash bands (pigeonhole), optionally keyed by caption;
     * a pair within the distance rejects its later row. Returns ord -> (reason, detail).
     */
    static JavaPairRDD<Long, String[]> nearDuplicates(JavaRDD<DedupKey> keys, IngestSettings s, int partitions) {
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

    // ---- split, vocabulary, rows ----

    static String groupKey(Item it, IngestSettings s) {
        if (s.groupKey().equals("id")) {
            return it.id();
        }
        String v = it.fields() == null ? null : it.fields().get(s.groupKey());
        return v == null || v.isBlank() ? it.id() : v;
    }

    /** train/val/test from SHA-256(salt, key): stable forever, whatever else is in the dataset. */
    static String split(String key, IngestSettings s) {
        byte[] h = Hashing.sha256(s.splitSalt() + "\u0000" + key);
        long v = 0;
        for (int i = 0; i < 7; i++) {
            v = (v << 8) | (h[i] & 0xFF);
        }
        double u = v / (double) (1L << 56);
        return u < s.trainShare() ? "train" : u < s.trainShare() + s.valShare() ? "val" : "test";
    }

    static Vocabulary fitVocabulary(JavaPairRDD<String, Item> bySplit, IngestSettings s) {
        Tokenizer tokenizer = new Tokenizer(s.lowercase());
        String target = s.captionTarget();
        long minCount = s.minCount();
        Map<String, Long> counts = bySplit.filter(t -> t._1().equals("train"))
                .flatMap(t -> tokenizer.tokenize(CaptionRules.target(t._2().captions().get(0), target)).iterator())
                .mapToPair(w -> new Tuple2<>(w, 1L)).reduceByKey(Long::sum)
                .filter(t -> t._2() >= minCount).collectAsMap();
        return Vocabulary.fit(new HashMap<>(counts), minCount, s.maxVocab(), tokenizer);
    }

    static Row toRow(Item it, String split, Vocabulary vocab, IngestSettings s) {
        String caption = CaptionRules.target(it.captions().get(0), s.captionTarget());
        int[] ids = vocab.encode(caption, s.maxTokens());
        List<Integer> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            tokens.add(id);
        }
        String ext = s.imageFormat().equals("jpeg") ? ".jpg" : ".png";
        return RowFactory.create(RowFactory.create(it.image(), it.id() + ext), it.id(),
                scala.collection.JavaConverters.asScalaBuffer(new ArrayList<>(it.captions())).toSeq(), caption,
                scala.collection.JavaConverters.asScalaBuffer(tokens).toSeq(), it.width(), it.height(), it.origWidth(), it.origHeight(),
                it.sha256(), it.phash(), it.source(), groupKey(it, s), it.fields() == null ? null : scala.collection.JavaConverters.mapAsScalaMap(it.fields()),
                split);
    }

    /** The latest version's rows, as items that always win duplicate checks (append mode). */
    static JavaRDD<Item> readExisting(SparkSession spark, Path version) {
        Dataset<Row> df = spark.read().parquet(version.toString());
        return df.toJavaRDD().map(r -> {
            Row img = r.getStruct(r.fieldIndex(DatasetSchema.IMAGE));
            List<String> captions = new ArrayList<>(r.getList(r.fieldIndex(DatasetSchema.CAPTIONS)));
            int fi = r.fieldIndex(DatasetSchema.FIELDS);
            Map<String, String> fields = r.isNullAt(fi) ? Map.of() : new LinkedHashMap<>(r.getJavaMap(fi));
            return new Item(r.getString(r.fieldIndex(DatasetSchema.ID)), -1L, r.getString(r.fieldIndex(DatasetSchema.SOURCE)), captions,
                    fields, List.of(), (byte[]) img.get(0), r.getInt(r.fieldIndex(DatasetSchema.WIDTH)), r.getInt(r.fieldIndex(DatasetSchema.HEIGHT)),
                    r.getInt(r.fieldIndex(DatasetSchema.ORIG_WIDTH)), r.getInt(r.fieldIndex(DatasetSchema.ORIG_HEIGHT)),
                    r.getString(r.fieldIndex(DatasetSchema.SHA256)), r.getString(r.fieldIndex(DatasetSchema.PHASH)),
                    r.getString(r.fieldIndex(DatasetSchema.SPLIT_COLUMN)));
        });
    }

    /** rows in = rows written + rows rejected, for every source; anything else fails the run before publishing. */
    static void checkConservation(Map<String, Long> in, Map<String, Long> written, Map<String, Long> rejected) {
        List<String> problems = new ArrayList<>();
        for (String source : new TreeSet<>(in.keySet())) {
            long i = in.get(source);
            long w = written.getOrDefault(source, 0L);
            long r = rejected.getOrDefault(source, 0L);
            if (i != w + r) {
                problems.add(source + ": in " + i + " != written " + w + " + rejected " + r);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("conservation check failed, nothing published: " + String.join("; ", problems));
        }
    }

    /** Path, size and modification time of every input file (the run's input fingerprint). */
    static List<Map<String, Object>> fingerprints(List<InputSpec> inputs, Configuration hadoop) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (InputSpec in : inputs) {
            Path p = new Path(in.path());
            FileStatus st = p.getFileSystem(hadoop).getFileStatus(p);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", in.source());
            m.put("format", in.format());
            m.put("path", st.getPath().toString());
            m.put("bytes", st.isDirectory() ? null : st.getLen());
            m.put("modified", st.getModificationTime());
            out.add(m);
        }
        return out;
    }
}
