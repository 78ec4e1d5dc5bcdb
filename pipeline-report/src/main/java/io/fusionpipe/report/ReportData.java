package io.fusionpipe.report;

import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.records.RegistryRecord;

import java.util.List;
import java.util.Map;

/**
 * Everything a report shows, loaded by {@link ReportPipeline} and rendered by {@link ReportWriter}
 * (which does no I/O, so it is tested on hand-made data too).
 *
 * @param metrics      the evaluation's metrics.json
 * @param trend        evaluations for the trend chart, oldest first (the report's own included)
 * @param championRuns runs that were champion at some time (marked in the trend), current champion first
 * @param champion     the registry's current champion entry of the model, or null
 * @param gallery      sample images with each variant's caption
 * @param configDiff   config keys whose values differ between the compared runs: key -> label -> value
 * @param significance p-value below which a paired difference is marked significant
 */
record ReportData(EvalRecord metrics, List<EvalRecord> trend, List<String> championRuns, RegistryRecord.Champion champion, String model,
                  List<Sample> gallery, Map<String, Map<String, String>> configDiff, double significance) {

    /** One gallery image: id, JPEG thumbnail (may be null when the image is not in the shards), reference, and per-label captions. */
    record Sample(String id, byte[] thumbnailJpeg, String reference, Map<String, Caption> captions, String why) {
    }

    /** A variant's caption of an image, its primary-metric score and the card fields it got wrong. */
    record Caption(String text, double score, List<String> fieldErrors, Map<String, String> fields) {
    }
}
