package io.fusionpipe.records;

import io.fusionpipe.json.Json;

/**
 * One line of {@code runs/<run id>/metrics.jsonl}: an epoch's figures. Field names are camelCase as
 * written since the first runs (resume and the notebooks read them); the run's schema version is
 * run.json's.
 */
public record EpochMetrics(int epoch, double learningRate, double trainLoss, double valLoss, double valTokenAccuracy,
                           double valPerplexity, double samplesPerSecond, double seconds, long peakHeapMiB) {

    public static final String FILE = "metrics.jsonl";

    public String toJsonLine() {
        return Json.compact(this);
    }

    /** One line; {@code where} names the file and line in errors. */
    public static EpochMetrics fromJsonLine(String line, String where) {
        return Json.read(line, EpochMetrics.class, where);
    }
}
