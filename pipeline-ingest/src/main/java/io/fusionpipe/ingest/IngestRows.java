package io.fusionpipe.ingest;

import io.fusionpipe.Hashing;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.ingest.image.ImageLoader;
import io.fusionpipe.ingest.image.ImageProcessor;
import io.fusionpipe.text.Vocabulary;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What flows between ingest's steps, and the steps that work on one row or one group of rows at a
 * time. No Spark here beyond the Row type: {@link IngestPipeline} runs these inside its RDD
 * operations, and IngestRowsTest tests them on a few hand-made rows.
 */
final class IngestRows {

    private IngestRows() {
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

    // ---- validate, align, load ----

    /** A source row to a candidate (an image reference or bytes, a normalised caption), or the reason it is rejected. */
    static Outcome<Candidate> validate(Row r, IngestSettings s) {
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
            if (s.givenSplits() && givenSplit(fields.get(s.splitColumn())) == null) {
                throw new Rejection(RejectReason.BAD_SPLIT, "column '" + s.splitColumn() + "' is "
                        + (fields.get(s.splitColumn()) == null ? "missing" : "'" + fields.get(s.splitColumn()) + "'"));
            }
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

    // ---- split, rows ----

    static String groupKey(Item it, IngestSettings s) {
        if (s.groupKey().equals("id")) {
            return it.id();
        }
        String v = it.fields() == null ? null : it.fields().get(s.groupKey());
        return v == null || v.isBlank() ? it.id() : v;
    }

    /** An input's own split name as ours: train; val, validation, valid, dev; test (any case); else null. */
    static String givenSplit(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "train" -> "train";
            case "val", "validation", "valid", "dev" -> "val";
            case "test" -> "test";
            default -> null;
        };
    }

    /** The split of a new item: the input's own ({@code split.column}) or the hash of its group key. */
    static String splitOf(Item it, IngestSettings s) {
        return s.givenSplits() ? givenSplit(it.fields().get(s.splitColumn())) : split(groupKey(it, s), s);
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
                it.sha256(), it.phash(), it.source(), groupKey(it, s), DatasetSchema.fieldsJson(it.fields()),
                split);
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
}
