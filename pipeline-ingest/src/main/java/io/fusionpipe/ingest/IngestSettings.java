package io.fusionpipe.ingest;

import io.fusionpipe.config.ConfigProblem;
import io.fusionpipe.config.ConfigValidationException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.ingest.fetch.AddressPolicy;
import io.fusionpipe.ingest.image.Resizer;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Typed view of {@code fusionpipe.ingest.*}; serializable, it travels to executors. */
public record IngestSettings(String format, String mode, String idColumn, String imageColumn, String captionColumn,
                             List<String> fields, int width, int height, Resizer.Policy resize, String imageFormat,
                             double jpegQuality, long maxBytes, long maxPixels, int minSide, double maxAspectRatio,
                             int maxCaptionChars, String captionTarget, int maxTokens, boolean lowercase, int minCount,
                             int maxVocab, boolean nearEnabled, int nearMaxDistance, String nearScope, String groupKey,
                             double trainShare, double valShare, double testShare, String splitSalt, long shardBytes,
                             long rowGroupBytes, Duration connectTimeout, Duration readTimeout, int retries, Duration backoff,
                             int perHostConcurrency, List<String> allowedHosts, AddressPolicy addressPolicy,
                             int maxRedirects, Duration totalTimeout, String cocoImageDir, int partitions,
                             String splitColumn)
        implements Serializable {

    public static IngestSettings of(FusionConfig config) {
        var c = config.config();
        String p = "fusionpipe.ingest.";
        IngestSettings s = new IngestSettings(
                c.getString(p + "format"), c.getString(p + "mode"),
                c.getString(p + "columns.id"), c.getString(p + "columns.image"), c.getString(p + "columns.caption"),
                c.getStringList(p + "fields"),
                c.getInt(p + "image.width"), c.getInt(p + "image.height"), Resizer.Policy.parse(c.getString(p + "image.resize")),
                c.getString(p + "image.format"), c.getDouble(p + "image.jpeg-quality"), c.getBytes(p + "image.max-bytes"),
                c.getLong(p + "image.max-pixels"), c.getInt(p + "image.min-side"), c.getDouble(p + "image.max-aspect-ratio"),
                c.getInt(p + "caption.max-chars"), c.getString(p + "caption.target"), c.getInt(p + "caption.max-tokens"),
                c.getBoolean(p + "caption.lowercase"), c.getInt(p + "caption.min-count"), c.getInt(p + "caption.max-vocab"),
                c.getBoolean(p + "dedup.near-enabled"), c.getInt(p + "dedup.near-max-distance"), c.getString(p + "dedup.near-scope"),
                c.getString(p + "split.group-key"), c.getDouble(p + "split.train"), c.getDouble(p + "split.val"),
                c.getDouble(p + "split.test"), c.getString(p + "split.salt"),
                c.getBytes(p + "output.shard-bytes"), c.getBytes(p + "output.row-group-bytes"),
                c.getDuration(p + "fetch.connect-timeout"), c.getDuration(p + "fetch.read-timeout"), c.getInt(p + "fetch.retries"),
                c.getDuration(p + "fetch.backoff"), c.getInt(p + "fetch.per-host-concurrency"),
                c.getStringList(p + "fetch.allowed-hosts").stream().map(h -> h.toLowerCase(Locale.ROOT)).toList(),
                addressPolicy(c.getStringList(p + "fetch.allow-private")), c.getInt(p + "fetch.max-redirects"),
                c.getDuration(p + "fetch.total-timeout"),
                c.getString(p + "coco.image-dir"), c.getInt(p + "partitions"), c.getString(p + "split.column"));
        double sum = s.trainShare() + s.valShare() + s.testShare();
        if (Math.abs(sum - 1.0) > 1e-9) {
            throw new ConfigValidationException(List.of(new ConfigProblem(p + "split", String.format(Locale.ROOT,
                    "train %s + val %s + test %s = %s", s.trainShare(), s.valShare(), s.testShare(), sum), null,
                    "the split shares must add up to 1")));
        }
        return s;
    }

    private static AddressPolicy addressPolicy(List<String> entries) {
        try {
            return AddressPolicy.allowing(entries);
        } catch (IllegalArgumentException e) {
            throw new ConfigValidationException(List.of(new ConfigProblem("fusionpipe.ingest.fetch.allow-private",
                    String.valueOf(entries), null, e.getMessage())));
        }
    }

    /** True when splits come from an input column ({@code split.column}) rather than the hash. */
    public boolean givenSplits() {
        return !splitColumn.isEmpty();
    }

    public boolean append() {
        return mode.equals("append");
    }
}
