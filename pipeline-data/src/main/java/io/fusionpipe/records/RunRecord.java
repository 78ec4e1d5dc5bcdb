package io.fusionpipe.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.fusionpipe.json.Json;

import java.util.Map;

/**
 * {@code runs/<run id>/run.json}: what a training run is, where it stands and how it ended. {@code seed}
 * is the training seed; {@code seedGroup} is the same for runs whose training differs only in the seed
 * (a variant's runs of one {@code train --seeds N}): eval reports their mean and spread. Both are absent
 * in runs written before them.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRecord(int schemaVersion, String runId, String variant, Status status, DatasetRef dataset, String vocabHash,
                        String initFrom, Map<String, Long> parameters, Map<String, String> versions, String master, String started,
                        Integer resumedAfterEpoch, Integer stoppedEarlyAfterEpoch, Double bestValLoss, Integer epochs, String finished,
                        String error, Long seed, String seedGroup) {

    public static final String FILE = "run.json";
    public static final int VERSION = 1;

    public enum Status {
        RUNNING, COMPLETED, FAILED;

        @JsonValue
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The dataset version a run trained on; {@code inputsSha256} identifies its inputs across re-ingests. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DatasetRef(String name, int version, String path, String inputsSha256) {
    }

    /** A run that starts (or resumes after {@code resumedAfterEpoch} epochs, null for a new run). */
    public static RunRecord started(String runId, String variant, DatasetRef dataset, String vocabHash, String initFrom,
                                    Map<String, Long> parameters, Map<String, String> versions, String master, String started,
                                    Integer resumedAfterEpoch, long seed, String seedGroup) {
        return new RunRecord(VERSION, runId, variant, Status.RUNNING, dataset, vocabHash, initFrom, parameters, versions, master,
                started, resumedAfterEpoch, null, null, null, null, null, seed, seedGroup);
    }

    public RunRecord stoppedEarly(int afterEpoch) {
        return new RunRecord(schemaVersion, runId, variant, status, dataset, vocabHash, initFrom, parameters, versions, master, started,
                resumedAfterEpoch, afterEpoch, bestValLoss, epochs, finished, error, seed, seedGroup);
    }

    public RunRecord completed(double bestValLoss, int epochs, String finished) {
        return new RunRecord(schemaVersion, runId, variant, Status.COMPLETED, dataset, vocabHash, initFrom, parameters, versions, master,
                started, resumedAfterEpoch, stoppedEarlyAfterEpoch, bestValLoss, epochs, finished, error, seed, seedGroup);
    }

    /** Failed, with the error when there is a message to keep. */
    public RunRecord failed(String error) {
        return new RunRecord(schemaVersion, runId, variant, Status.FAILED, dataset, vocabHash, initFrom, parameters, versions, master,
                started, resumedAfterEpoch, stoppedEarlyAfterEpoch, bestValLoss, epochs, finished, error, seed, seedGroup);
    }

    public boolean isCompleted() {
        return status == Status.COMPLETED;
    }

    /** Total trainable parameters (0 when not recorded). */
    public long totalParameters() {
        return parameters == null ? 0 : parameters.getOrDefault("total", 0L);
    }

    public String toJson() {
        return Json.pretty(this);
    }

    /** Parses run.json text; {@code file} names it in errors. */
    public static RunRecord fromJson(String text, String file) {
        RunRecord r = Json.read(text, RunRecord.class, file);
        SchemaVersion.check(file, r.schemaVersion(), VERSION);
        if (r.runId() == null || r.variant() == null || r.status() == null || r.dataset() == null) {
            throw new io.fusionpipe.errors.BadInputException(file + " is not a run record (run_id, variant, status and dataset are required)");
        }
        return r;
    }
}
