package io.fusionpipe.records;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.fusionpipe.json.Json;

import java.util.List;
import java.util.Map;

/**
 * {@code datasets/<name>/v<k>/_manifest.json}: what a dataset version holds and how it was made.
 * Its {@code schema_version} is the shards' (DatasetSchema.VERSION), which DatasetVersion checks.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DatasetManifest(int schemaVersion, String name, int version, String mode, Integer previousVersion, long rowsIn,
                              long rowsWritten, long rowsRejected, Map<String, Long> rejectsByReason, long samples,
                              Map<String, Long> samplesBySplit, Map<String, Long> rowsInBySource, Map<String, Long> rowsWrittenBySource,
                              Map<String, Long> rowsRejectedBySource, String vocabHash, int vocabSize, List<Input> inputs, Image image,
                              String captionTarget, int maxTokens, Map<String, Double> timingsSeconds, String config) {

    public static final String FILE = "_manifest.json";

    /** An input file or folder as it was when ingested ({@code bytes} null for a folder): the version's input fingerprint. */
    public record Input(String source, String format, String path, Long bytes, long modified) {
    }

    /** The stored images: size, resize policy, encoding. */
    public record Image(int width, int height, String resize, String format) {
    }

    /** Samples in {@code split} (0 when it has none). */
    public long rows(String split) {
        return samplesBySplit == null ? 0 : samplesBySplit.getOrDefault(split, 0L);
    }

    public String toJson() {
        return Json.pretty(this);
    }

    public static DatasetManifest fromJson(String text, String file) {
        return Json.read(text, DatasetManifest.class, file);
    }
}
