package io.fusionpipe.nightly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.eval.EvalPipeline;
import io.fusionpipe.eval.EvalSettings;
import io.fusionpipe.ingest.IngestCommand;
import io.fusionpipe.ingest.IngestPipeline;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.layout.FileLock;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.registry.PromotePipeline;
import io.fusionpipe.registry.Promotion;
import io.fusionpipe.registry.Registry;
import io.fusionpipe.report.ReportPipeline;
import io.fusionpipe.train.Runs;
import io.fusionpipe.train.TrainPipeline;
import io.fusionpipe.train.TrainSettings;
import io.fusionpipe.train.model.Variant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The nightly retraining a scheduler runs once per date: ingest the night's inputs in append mode →
 * train each variant starting from the champion (same variant) or the variant's newest run → evaluate
 * the new runs with the champion on the new version's test split → report → promote.
 *
 * <p>Every step's outcome goes to the run log {@code ROOT/nightly/<date>/nightly.json}, rewritten
 * atomically after each change. A rerun for the same date continues: finished steps are reused, a
 * training run that was cut off resumes from its last checkpoint (its run id is logged before it
 * starts), an ingest that published before the crash is adopted. {@code ROOT/nightly/.lock} keeps
 * two nightly runs from overlapping; the second fails at once, naming the holder.
 */
public final class NightlyPipeline {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One night: its date, the dataset appended to, the inputs appended, epochs per variant. */
    public record Request(LocalDate date, String dataset, List<String> inputs, int epochs) {
    }

    /** The exit code for the scheduler, the final status and its reason, the run log. */
    public record Result(int exitCode, String status, String reason, Path log, ObjectNode state) {
    }

    private NightlyPipeline() {
    }

    public static Path lockFile(FusionRoot root) {
        return new Path(new Path(root.root(), "nightly"), ".lock");
    }

    public static Path logFile(FusionRoot root, LocalDate date) {
        return new Path(new Path(new Path(root.root(), "nightly"), date.toString()), "nightly.json");
    }

    /** Runs (or continues) the night; never throws for a failed step: the failure is logged and returned. */
    public static Result run(SparkSession spark, FusionConfig config, Request req, PrintWriter out) {
        FusionRoot root = FusionRoot.of(config);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path lock = lockFile(root);
        Optional<FileLock> held = FileLock.acquire(hadoop, lock, Duration.ZERO, "nightly " + req.date());
        if (held.isEmpty()) {
            String reason = "another nightly run holds " + lock + " (" + FileLock.holder(hadoop, lock) + "); if that process is gone, delete the file";
            out.println("nightly: " + reason);
            return new Result(ExitCodes.FAILURE, "locked", reason, logFile(root, req.date()), null);
        }
        try {
            return new Night(spark, config, root, hadoop, req, out).run();
        } finally {
            try {
                held.get().close();
            } catch (UncheckedIOException e) {
                out.println("nightly: could not remove the lock " + lock + ": " + e.getMessage());
            }
        }
    }

    /** One night's state and steps. */
    private static final class Night {
        private final SparkSession spark;
        private final FusionConfig config;
        private final FusionRoot root;
        private final Configuration hadoop;
        private final Request req;
        private final PrintWriter out;
        private final Path log;
        private final ObjectNode state;

        Night(SparkSession spark, FusionConfig config, FusionRoot root, Configuration hadoop, Request req, PrintWriter out) {
            this.spark = spark;
            this.config = config;
            this.root = root;
            this.hadoop = hadoop;
            this.req = req;
            this.out = out;
            this.log = logFile(root, req.date());
            this.state = load();
        }

        private ObjectNode load() {
            try {
                if (log.getFileSystem(hadoop).exists(log)) {
                    JsonNode n = JSON.readTree(HadoopFiles.readString(hadoop, log));
                    if (!(n instanceof ObjectNode o) || !o.path("steps").isObject()) {
                        throw new IllegalStateException(log + " is not a nightly run log (expected an object with steps{})");
                    }
                    if (!o.path("dataset").asText().equals(req.dataset())) {
                        throw new IllegalStateException("the run log " + log + " is for dataset " + o.path("dataset").asText()
                                + ", not " + req.dataset() + ": one nightly run per date and root");
                    }
                    checkSameInputs(o);
                    o.put("attempts", o.path("attempts").asInt(1) + 1);
                    return o;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + log + ": " + e.getMessage(), e);
            }
            ObjectNode o = JSON.createObjectNode();
            o.put("date", req.date().toString());
            o.put("dataset", req.dataset());
            req.inputs().forEach(o.putArray("inputs")::add);
            o.put("epochs", req.epochs());
            o.put("attempts", 1);
            o.putObject("steps");
            return o;
        }

        /**
         * A rerun continues the logged night, so it must name the same inputs once they may have been
         * appended (ingest done, or a version published since it started); before that (e.g. the
         * ingest failed on a wrong path) the new inputs replace the logged ones.
         */
        private void checkSameInputs(ObjectNode o) {
            List<String> logged = new java.util.ArrayList<>();
            o.path("inputs").forEach(n -> logged.add(n.asText()));
            if (logged.equals(req.inputs())) {
                return;
            }
            JsonNode ingest = o.path("steps").path("ingest");
            boolean appended = ingest.path("status").asText().equals("ok")
                    || (ingest.has("before_version") && latestVersion() > ingest.path("before_version").asInt());
            if (appended) {
                throw new IllegalStateException("nightly " + req.date() + " already ingested " + logged + " (run log " + log
                        + "); this rerun names " + req.inputs() + ": a rerun continues that night with the same inputs"
                        + " (append other inputs under another --date)");
            }
            req.inputs().forEach(o.putArray("inputs")::add);
        }

        private void save() {
            try {
                HadoopFiles.writeAtomically(hadoop, log, JSON.writeValueAsString(state));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private ObjectNode step(String name) {
            return state.with("steps").with(name);
        }

        private static boolean done(ObjectNode step) {
            return step.path("status").asText().equals("ok");
        }

        /** Runs {@code body} as step {@code name} unless it is done; logs start, end and failures. */
        private JsonNode once(String name, Supplier<String> body) {
            ObjectNode st = step(name);
            if (done(st)) {
                out.println("  " + name + ": done earlier (" + st.path("summary").asText() + ")");
                return st;
            }
            st.put("status", "running");
            st.put("started", ZonedDateTime.now(ZoneOffset.UTC).toString());
            st.remove("error");
            save();
            out.println("  " + name + " ...");
            out.flush();
            String summary = body.get();
            st.put("status", "ok");
            st.put("finished", ZonedDateTime.now(ZoneOffset.UTC).toString());
            st.put("summary", summary);
            save();
            out.println("  " + name + ": " + summary);
            out.flush();
            return st;
        }

        Result run() {
            state.put("status", "running");
            state.put("last_attempt", ZonedDateTime.now(ZoneOffset.UTC).toString());
            state.remove("reason");
            HadoopFiles.writeAtomically(hadoop, new Path(log.getParent(), FusionRoot.CONFIG_SNAPSHOT), config.render());
            save();
            out.printf("nightly %s: dataset %s, log %s%n", req.date(), req.dataset(), log);
            String current = "ingest";
            try {
                DatasetVersion ds = ingest();
                List<String> runs = new ArrayList<>();
                TrainSettings ts = TrainSettings.of(config).withEpochs(req.epochs());
                for (Variant v : ts.variants()) {
                    current = "train-" + v.id();
                    runs.add(train(ds, ts, v));
                }
                current = "eval";
                String evalId = eval(ds, runs);
                current = "report";
                once("report", () -> "report " + ReportPipeline.report(spark, config, evalId,
                        ReportPipeline.sameDataset(spark, config, evalId)).html());
                current = "promote";
                JsonNode promote = once("promote", () -> promote(evalId));
                boolean regression = promote.path("outcome").asText().equals(Promotion.Outcome.REGRESSION.id());
                String reason = promote.path("reason").asText();
                return finish(regression ? ExitCodes.REGRESSION : ExitCodes.OK, regression ? "regression" : "ok", reason);
            } catch (Exception e) { // including Spark's checked SparkException, which Scala code throws undeclared
                ObjectNode st = step(current);
                st.put("status", "failed");
                st.put("error", io.fusionpipe.cli.Fusionpipe.describe(e));
                return finish(ExitCodes.FAILURE, "failed", "step " + current + " failed: " + st.path("error").asText());
            }
        }

        private Result finish(int code, String status, String reason) {
            state.put("status", status);
            state.put("reason", reason);
            state.put("exit_code", code);
            state.put("finished", ZonedDateTime.now(ZoneOffset.UTC).toString());
            save();
            out.printf("nightly %s: %s (exit %d): %s%n", req.date(), status, code, reason);
            out.flush();
            return new Result(code, status, reason, log, state);
        }

        private DatasetVersion ingest() {
            ObjectNode st = step("ingest");
            once("ingest", () -> {
                int latest = latestVersion();
                if (st.has("before_version") && latest > st.path("before_version").asInt()) {
                    // published before the previous attempt died, not yet logged: adopt it, do not append twice
                    st.put("version", latest);
                    return "adopted v" + latest + ", published by the previous attempt";
                }
                st.put("before_version", latest);
                save();
                IngestSettings s = IngestSettings.of(config);
                if (!s.append()) {
                    throw new IllegalStateException("nightly ingests with fusionpipe.ingest.mode = append (got " + s.mode() + ")");
                }
                IngestPipeline.Result r = IngestPipeline.run(spark, config, s,
                        new IngestPipeline.Request(req.dataset(), IngestCommand.inputSpecs(req.inputs(), s.format(), hadoop)));
                st.put("version", r.version());
                st.put("rows_in", r.rowsIn());
                st.put("rows_written", r.rowsWritten());
                st.put("rows_rejected", r.rowsRejected());
                return String.format(Locale.ROOT, "v%d: %d rows in, %d written, %d rejected %s", r.version(), r.rowsIn(), r.rowsWritten(),
                        r.rowsRejected(), r.rejectsByReason());
            });
            return DatasetVersion.open(root, req.dataset(), st.path("version").asInt(), hadoop);
        }

        private int latestVersion() {
            try {
                return DatasetVersion.open(root, req.dataset(), null, hadoop).version();
            } catch (io.fusionpipe.cli.UsageException e) {
                return 0; // no version yet: the first night creates v1
            }
        }

        /** Trains (or resumes) one variant; returns its run id. */
        private String train(DatasetVersion ds, TrainSettings ts, Variant v) {
            ObjectNode st = step("train-" + v.id());
            once("train-" + v.id(), () -> {
                String runId = st.path("run_id").asText(null);
                TrainPipeline.Result r;
                if (runId != null && Runs.lastCheckpoint(hadoop, root.run(runId)) > 0) {
                    out.println("    resuming run " + runId + " from its last checkpoint");
                    r = TrainPipeline.resume(spark, config, ts, runId);
                } else {
                    String source = initSource(ds, v);
                    if (runId == null) {
                        runId = TrainPipeline.newRunId(ds, v);
                        st.put("run_id", runId);
                    }
                    st.put("init_from", source);
                    save();
                    out.println("    run " + runId + (source == null ? " from scratch" : " from run " + source));
                    out.flush();
                    r = source == null ? TrainPipeline.train(spark, config, ts, ds, v, runId)
                            : TrainPipeline.initFrom(spark, config, ts, ds, source, runId);
                }
                st.put("best_val_loss", r.bestValLoss());
                st.put("epochs", r.epochs().size());
                return String.format(Locale.ROOT, "run %s, %d epoch(s), best val loss %.3f", r.runId(), r.epochs().size(), r.bestValLoss());
            });
            return st.path("run_id").asText();
        }

        /**
         * What variant {@code v} starts from: the champion when it is this variant (and shares the
         * vocabulary), else the variant's newest completed run on this dataset with the same
         * vocabulary, else nothing (a fresh model).
         */
        private String initSource(DatasetVersion ds, Variant v) {
            JsonNode champion = new Registry(root, hadoop).champion(PromotePipeline.Settings.of(config).modelName());
            if (champion != null && champion.path("variant").asText().equals(v.id()) && usable(champion.path("run_id").asText(), ds)) {
                return champion.path("run_id").asText();
            }
            // the newest version's newest run (run ids sort by start time within a version)
            return Runs.completed(root, hadoop, ds.name(), ds.vocabulary().hash()).stream()
                    .filter(r -> r.variant().equals(v.id()))
                    .max(Comparator.comparingInt((Runs.Run r) -> r.json().path("dataset").path("version").asInt()).thenComparing(Runs.Run::id))
                    .map(Runs.Run::id).orElse(null);
        }

        private boolean usable(String runId, DatasetVersion ds) {
            try {
                JsonNode run = Runs.read(hadoop, root.run(runId));
                return run.path("status").asText().equals("completed") && run.path("vocab_hash").asText().equals(ds.vocabulary().hash());
            } catch (io.fusionpipe.cli.UsageException e) {
                return false;
            }
        }

        /** Evaluates tonight's runs and the champion (when it is not one of them) on tonight's version. */
        private String eval(DatasetVersion ds, List<String> runs) {
            ObjectNode st = step("eval");
            once("eval", () -> {
                List<String> ids = new ArrayList<>(runs);
                JsonNode champion = new Registry(root, hadoop).champion(PromotePipeline.Settings.of(config).modelName());
                if (champion != null && !ids.contains(champion.path("run_id").asText()) && usable(champion.path("run_id").asText(), ds)) {
                    ids.add(champion.path("run_id").asText());
                }
                EvalPipeline.Result r = EvalPipeline.evaluate(spark, config, EvalSettings.of(config), ids, ds);
                st.put("eval_id", r.evalId());
                st.putPOJO("runs", ids);
                return "eval " + r.evalId() + " of " + ids.size() + " runs";
            });
            return st.path("eval_id").asText();
        }

        private String promote(String evalId) {
            ObjectNode st = step("promote");
            PromotePipeline.Result r = PromotePipeline.promote(config, hadoop, evalId, null, null);
            st.put("outcome", r.decision().outcome().id());
            st.put("reason", r.decision().reason());
            st.put("challenger_run", r.challengerRun());
            st.put("champion_run", r.registry().path("champions").path(r.model()).path("run_id").asText());
            return r.decision().outcome().id() + ": " + r.decision().reason();
        }
    }
}
