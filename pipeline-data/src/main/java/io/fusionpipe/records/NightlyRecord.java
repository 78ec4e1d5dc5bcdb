package io.fusionpipe.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.json.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nightly/<date>/nightly.json}: one night's run log, rewritten after every change so that a
 * rerun for the same date continues where the last attempt stopped. {@code steps} holds ingest,
 * train-&lt;variant&gt;, eval, report and promote, in the order they started.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NightlyRecord(int schemaVersion, String date, String dataset, List<String> inputs, int epochs, int attempts, String status,
                            String reason, Integer exitCode, String lastAttempt, String finished, Map<String, Step> steps) {

    public static final String FILE = "nightly.json";
    public static final int VERSION = 1;

    /**
     * One step: its lifecycle (status running/ok/failed, times, one-line summary or error) and what it
     * produced, by step: ingest (before_version, version, rows), train (run_id, init_from, best_val_loss,
     * epochs), eval (eval_id, runs), promote (outcome, reason, challenger_run, champion_run).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String status, String started, String finished, String summary, String error, Integer beforeVersion, Integer version,
                       Long rowsIn, Long rowsWritten, Long rowsRejected, String runId, String initFrom, Double bestValLoss, Integer epochs,
                       String evalId, List<String> runs, String outcome, String reason, String challengerRun, String championRun) {

        public static final Step NEW = new Step(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);

        public boolean isDone() {
            return "ok".equals(status);
        }

        /** Started (again): running, the earlier error cleared. */
        public Step running(String now) {
            return new Step("running", now, finished, summary, null, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId,
                    initFrom, bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }

        public Step ok(String now, String summary) {
            return new Step("ok", started, now, summary, error, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId, initFrom,
                    bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }

        public Step failed(String error) {
            return new Step("failed", started, finished, summary, error, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId,
                    initFrom, bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }

        public Step ingestStarted(int beforeVersion) {
            return new Step(status, started, finished, summary, error, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId,
                    initFrom, bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }

        public Step ingested(int version, Long rowsIn, Long rowsWritten, Long rowsRejected) {
            return new Step(status, started, finished, summary, error, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId,
                    initFrom, bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }

        public Step trainStarted(String runId, String initFrom) {
            return new Step(status, started, finished, summary, error, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId,
                    initFrom, bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }

        public Step trained(double bestValLoss, int epochs) {
            return new Step(status, started, finished, summary, error, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId,
                    initFrom, bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }

        public Step evaluated(String evalId, List<String> runs) {
            return new Step(status, started, finished, summary, error, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId,
                    initFrom, bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }

        public Step promoted(String outcome, String reason, String challengerRun, String championRun) {
            return new Step(status, started, finished, summary, error, beforeVersion, version, rowsIn, rowsWritten, rowsRejected, runId,
                    initFrom, bestValLoss, epochs, evalId, runs, outcome, reason, challengerRun, championRun);
        }
    }

    /** A night's first attempt. */
    public static NightlyRecord start(String date, String dataset, List<String> inputs, int epochs) {
        return new NightlyRecord(VERSION, date, dataset, inputs, epochs, 1, null, null, null, null, null, new LinkedHashMap<>());
    }

    /** The step named {@code name} ({@link Step#NEW} before it first ran). */
    public Step step(String name) {
        return steps.getOrDefault(name, Step.NEW);
    }

    public NightlyRecord withStep(String name, Step step) {
        Map<String, Step> s = new LinkedHashMap<>(steps);
        s.put(name, step);
        return new NightlyRecord(schemaVersion, date, dataset, inputs, epochs, attempts, status, reason, exitCode, lastAttempt, finished, s);
    }

    /** The next attempt, with the inputs it names (they may only differ while nothing was appended). */
    public NightlyRecord nextAttempt(List<String> inputs) {
        return new NightlyRecord(VERSION, date, dataset, inputs, epochs, attempts + 1, status, reason, exitCode, lastAttempt, finished, steps);
    }

    public NightlyRecord running(String now) {
        return new NightlyRecord(schemaVersion, date, dataset, inputs, epochs, attempts, "running", null, exitCode, now, finished, steps);
    }

    public NightlyRecord finished(String status, String reason, int exitCode, String now) {
        return new NightlyRecord(schemaVersion, date, dataset, inputs, epochs, attempts, status, reason, exitCode, lastAttempt, now, steps);
    }

    public String toJson() {
        return Json.pretty(this);
    }

    public static NightlyRecord fromJson(String text, String file) {
        String expected = file + " is not a nightly run log (expected an object with steps{})";
        NightlyRecord r;
        try {
            r = Json.read(text, NightlyRecord.class, file);
        } catch (BadInputException e) {
            throw new BadInputException(expected + ": " + e.getMessage(), e);
        }
        SchemaVersion.check(file, r.schemaVersion(), VERSION);
        if (r.steps() == null || r.dataset() == null) {
            throw new BadInputException(expected);
        }
        return r;
    }
}
