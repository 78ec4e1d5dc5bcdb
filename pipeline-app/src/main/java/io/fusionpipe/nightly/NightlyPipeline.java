package io.fusionpipe.nightly;

import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.errors.NotFoundException;
import io.fusionpipe.eval.EvalPipeline;
import io.fusionpipe.eval.EvalSettings;
import io.fusionpipe.ingest.IngestPipeline;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.layout.ConfigSnapshot;
import io.fusionpipe.layout.FileLock;
import io.fusionpipe.layout.LockSettings;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.records.NightlyRecord;
import io.fusionpipe.records.RegistryRecord;
import io.fusionpipe.records.RunRecord;
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
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NightlyPipeline.class);

    /** The night's steps in order; {@code train} trains every variant. */
    public static final List<String> STEPS = List.of("ingest", "train", "eval", "report", "promote");

    /**
     * One night: its date, the dataset appended to, the inputs appended, epochs per variant, and the
     * one step to run ({@code null}: all). A scheduler that runs one task per step passes each in
     * turn; a step whose earlier steps have not finished for that date is refused before anything starts.
     */
    public record Request(LocalDate date, String dataset, List<String> inputs, int epochs, String step) {
        public Request {
            if (step != null && !STEPS.contains(step)) {
                throw new BadInputException("--step " + step + ": expected one of " + String.join(", ", STEPS));
            }
        }

        public Request(LocalDate date, String dataset, List<String> inputs, int epochs) {
            this(date, dataset, inputs, epochs, null);
        }
    }

    /** The exit code for the scheduler, the final status and its reason, the run log. */
    public record Result(int exitCode, String status, String reason, Path log, NightlyRecord state) {
    }

    private NightlyPipeline() {
    }

    public static Path lockFile(FusionRoot root) {
        return new Path(new Path(root.root(), "nightly"), ".lock");
    }

    public static Path logFile(FusionRoot root, LocalDate date) {
        return new Path(new Path(new Path(root.root(), "nightly"), date.toString()), NightlyRecord.FILE);
    }

    /**
     * Runs (or continues) the night; never throws for a failed step: the failure is logged and returned.
     * Throws BadInputException (nothing started) when a requested step's earlier steps have not finished.
     */
    public static Result run(SparkSession spark, FusionConfig config, Request req, PrintWriter out) {
        FusionRoot root = FusionRoot.of(config);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path lock = lockFile(root);
        LockSettings locks = LockSettings.of(config);
        Optional<FileLock> held = FileLock.acquire(hadoop, lock, locks, "nightly " + req.date());
        if (held.isEmpty()) {
            String reason = "another nightly run holds " + lock + " (" + FileLock.holder(hadoop, lock) + "); waited "
                    + locks.maxWait().toSeconds() + " s (fusionpipe.locks.wait); a holder that stops renewing is taken over after "
                    + locks.lease().toSeconds() + " s (fusionpipe.locks.lease)";
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
        private NightlyRecord state;

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

        private NightlyRecord load() {
            try {
                if (log.getFileSystem(hadoop).exists(log)) {
                    NightlyRecord logged = NightlyRecord.fromJson(HadoopFiles.readString(hadoop, log), log.toString());
                    if (!logged.dataset().equals(req.dataset())) {
                        throw new IllegalStateException("the run log " + log + " is for dataset " + logged.dataset()
                                + ", not " + req.dataset() + ": one nightly run per date and root");
                    }
                    checkSameInputs(logged);
                    return logged.nextAttempt(req.inputs());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + log + ": " + e.getMessage(), e);
            }
            return NightlyRecord.start(req.date().toString(), req.dataset(), req.inputs(), req.epochs());
        }

        /**
         * A rerun continues the logged night, so it must name the same inputs once they may have been
         * appended (ingest done, or a version published since it started); before that (e.g. the
         * ingest failed on a wrong path) the new inputs replace the logged ones.
         */
        private void checkSameInputs(NightlyRecord logged) {
            if (req.inputs().equals(logged.inputs())) {
                return;
            }
            NightlyRecord.Step ingest = logged.step("ingest");
            boolean appended = ingest.isDone() || (ingest.beforeVersion() != null && latestVersion() > ingest.beforeVersion());
            if (appended) {
                throw new IllegalStateException("nightly " + req.date() + " already ingested " + logged.inputs() + " (run log " + log
                        + "); this rerun names " + req.inputs() + ": a rerun continues that night with the same inputs"
                        + " (append other inputs under another --date)");
            }
        }

        private void save() {
            HadoopFiles.writeAtomically(hadoop, log, state.toJson());
        }

        private NightlyRecord.Step step(String name) {
            return state.step(name);
        }

        private void update(String name, UnaryOperator<NightlyRecord.Step> change) {
            state = state.withStep(name, change.apply(state.step(name)));
        }

        private static String now() {
            return ZonedDateTime.now(ZoneOffset.UTC).toString();
        }

        /** Runs {@code body} as step {@code name} unless it is done; logs start, end and failures. */
        private NightlyRecord.Step once(String name, Supplier<String> body) {
            NightlyRecord.Step st = step(name);
            if (st.isDone()) {
                out.println("  " + name + ": done earlier (" + st.summary() + ")");
                return st;
            }
            update(name, s -> s.running(now()));
            save();
            out.println("  " + name + " ...");
            out.flush();
            String summary = body.get();
            update(name, s -> s.ok(now(), summary));
            save();
            out.println("  " + name + ": " + summary);
            out.flush();
            return step(name);
        }

        /** True when every step of {@code group} finished on an earlier attempt of this night. */
        private boolean done(String group, List<Variant> variants) {
            if (group.equals("train")) {
                return variants.stream().allMatch(v -> step("train-" + v.id()).isDone());
            }
            return step(group).isDone();
        }

        /** With one step requested, every earlier step must have finished for this date. */
        private void checkEarlierSteps(List<Variant> variants) {
            if (req.step() == null) {
                return;
            }
            for (String group : STEPS.subList(0, STEPS.indexOf(req.step()))) {
                if (!done(group, variants)) {
                    throw new BadInputException("nightly " + req.date() + " --step " + req.step() + ": step " + group
                            + " has not finished for this date (run log " + log + "); run --step " + group + " first");
                }
            }
        }

        /** After the requested step: the night so far, exit 0 (the scheduler's next task runs the next step). */
        private Result stepDone(String group) {
            String next = group.equals("promote") ? null : STEPS.get(STEPS.indexOf(group) + 1);
            return finish(ExitCodes.OK, "partial", "step " + group + " done" + (next == null ? "" : "; next: --step " + next));
        }

        Result run() {
            TrainSettings ts = TrainSettings.of(config).withEpochs(req.epochs());
            checkEarlierSteps(ts.variants());
            state = state.running(now());
            ConfigSnapshot.write(hadoop, config, log.getParent());
            save();
            out.printf("nightly %s: dataset %s, log %s%n", req.date(), req.dataset(), log);
            String current = "ingest";
            try {
                DatasetVersion ds = ingest();
                if ("ingest".equals(req.step())) {
                    return stepDone("ingest");
                }
                List<String> runs = new ArrayList<>();
                for (Variant v : ts.variants()) {
                    current = "train-" + v.id();
                    runs.add(train(ds, ts, v));
                }
                if ("train".equals(req.step())) {
                    return stepDone("train");
                }
                current = "eval";
                String evalId = eval(ds, runs);
                if ("eval".equals(req.step())) {
                    return stepDone("eval");
                }
                current = "report";
                once("report", () -> "report " + ReportPipeline.report(spark, config, evalId,
                        ReportPipeline.sameDataset(spark, config, evalId)).html());
                if ("report".equals(req.step())) {
                    return stepDone("report");
                }
                current = "promote";
                NightlyRecord.Step promote = once("promote", () -> promote(evalId));
                boolean regression = Promotion.Outcome.REGRESSION.id().equals(promote.outcome());
                return finish(regression ? ExitCodes.REGRESSION : ExitCodes.OK, regression ? "regression" : "ok", promote.reason());
            } catch (Exception e) { // including Spark's checked SparkException, which Scala code throws undeclared
                String error = io.fusionpipe.cli.Fusionpipe.describe(e);
                update(current, s -> s.failed(error));
                return finish(ExitCodes.FAILURE, "failed", "step " + current + " failed: " + error);
            }
        }

        private Result finish(int code, String status, String reason) {
            state = state.finished(status, reason, code, now());
            save();
            out.printf("nightly %s: %s (exit %d): %s%n", req.date(), status, code, reason);
            out.flush();
            return new Result(code, status, reason, log, state);
        }

        private DatasetVersion ingest() {
            once("ingest", () -> {
                int latest = latestVersion();
                Integer before = step("ingest").beforeVersion();
                IngestSettings s = IngestSettings.of(config);
                List<InputSpec> inputs = InputSpec.resolveAll(req.inputs(), s.format(), hadoop);
                if (before != null && latest > before) {
                    OptionalInt own = publishedFrom(inputs, before, latest);
                    if (own.isPresent()) {
                        // published before the previous attempt died, not yet logged: adopt it, do not append twice
                        update("ingest", st -> st.ingested(own.getAsInt(), null, null, null));
                        return "adopted v" + own.getAsInt() + ", published by the previous attempt";
                    }
                    LOG.warn("nightly {}: v{}..v{} were published by other ingests (other inputs); appending tonight's inputs",
                            req.date(), before + 1, latest);
                }
                update("ingest", st -> st.ingestStarted(latest));
                save();
                if (!s.append()) {
                    throw new IllegalStateException("nightly ingests with fusionpipe.ingest.mode = append (got " + s.mode() + ")");
                }
                IngestPipeline.Result r = IngestPipeline.run(spark, config, s, new IngestPipeline.Request(req.dataset(), inputs));
                update("ingest", st -> st.ingested(r.version(), r.rowsIn(), r.rowsWritten(), r.rowsRejected()));
                return String.format(Locale.ROOT, "v%d: %d rows in, %d written, %d rejected %s", r.version(), r.rowsIn(), r.rowsWritten(),
                        r.rowsRejected(), r.rejectsByReason());
            });
            return DatasetVersion.open(root, req.dataset(), step("ingest").version(), hadoop);
        }

        /** The newest version in (before, latest] whose manifest lists exactly tonight's inputs: the previous attempt's own publish. */
        private OptionalInt publishedFrom(List<InputSpec> inputs, int before, int latest) {
            java.util.Set<String> wanted = new java.util.TreeSet<>();
            for (InputSpec in : inputs) {
                org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(in.path());
                try {
                    wanted.add(p.getFileSystem(hadoop).makeQualified(p).toString());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            for (int k = latest; k > before; k--) {
                try {
                    DatasetVersion v = DatasetVersion.open(root, req.dataset(), k, hadoop);
                    java.util.Set<String> had = new java.util.TreeSet<>();
                    v.manifest().inputs().forEach(in -> had.add(in.path()));
                    if (had.equals(wanted)) {
                        return OptionalInt.of(k);
                    }
                } catch (NotFoundException e) {
                    // an uncommitted version: not adoptable
                }
            }
            return OptionalInt.empty();
        }

        private int latestVersion() {
            try {
                return DatasetVersion.open(root, req.dataset(), null, hadoop).version();
            } catch (NotFoundException e) {
                return 0; // no version yet: the first night creates v1
            }
        }

        /** Trains (or resumes) one variant; returns its run id. */
        private String train(DatasetVersion ds, TrainSettings ts, Variant v) {
            String name = "train-" + v.id();
            once(name, () -> {
                String runId = step(name).runId();
                TrainPipeline.Result r;
                if (runId != null && Runs.lastCheckpoint(hadoop, root.run(runId)) > 0) {
                    out.println("    resuming run " + runId + " from its last checkpoint");
                    r = TrainPipeline.resume(spark, config, ts, runId);
                } else {
                    String source = initSource(ds, v);
                    String id = runId != null ? runId : TrainPipeline.newRunId(ds, v);
                    update(name, s -> s.trainStarted(id, source));
                    save();
                    out.println("    run " + id + (source == null ? " from scratch" : " from run " + source));
                    out.flush();
                    r = source == null ? TrainPipeline.train(spark, config, ts, ds, v, id)
                            : TrainPipeline.initFrom(spark, config, ts, ds, source, id);
                }
                update(name, s -> s.trained(r.bestValLoss(), r.epochs().size()));
                return String.format(Locale.ROOT, "run %s, %d epoch(s), best val loss %.3f", r.runId(), r.epochs().size(), r.bestValLoss());
            });
            return step(name).runId();
        }

        /**
         * What variant {@code v} starts from: the champion when it is this variant (and shares the
         * vocabulary), else the variant's newest completed run on this dataset with the same
         * vocabulary, else nothing (a fresh model).
         */
        private String initSource(DatasetVersion ds, Variant v) {
            RegistryRecord.Champion champion = new Registry(root, hadoop).champion(PromotePipeline.Settings.of(config).modelName());
            if (champion != null && champion.variant().equals(v.id()) && usable(champion.runId(), ds)) {
                return champion.runId();
            }
            // the newest version's newest run (run ids sort by start time within a version)
            return Runs.completed(root, hadoop, ds.name(), ds.vocabulary().hash()).stream()
                    .filter(r -> r.variant().equals(v.id()))
                    .max(Comparator.comparingInt((Runs.Run r) -> r.record().dataset().version()).thenComparing(Runs.Run::id))
                    .map(Runs.Run::id).orElse(null);
        }

        private boolean usable(String runId, DatasetVersion ds) {
            try {
                RunRecord run = Runs.read(hadoop, root.run(runId));
                return run.isCompleted() && ds.vocabulary().hash().equals(run.vocabHash());
            } catch (BadInputException e) {
                return false;
            }
        }

        /** Evaluates tonight's runs and the champion (when it is not one of them) on tonight's version. */
        private String eval(DatasetVersion ds, List<String> runs) {
            once("eval", () -> {
                List<String> ids = new ArrayList<>(runs);
                RegistryRecord.Champion champion = new Registry(root, hadoop).champion(PromotePipeline.Settings.of(config).modelName());
                if (champion != null && !ids.contains(champion.runId()) && usable(champion.runId(), ds)) {
                    ids.add(champion.runId());
                }
                EvalPipeline.Result r = EvalPipeline.evaluate(spark, config, EvalSettings.of(config), ids, ds);
                update("eval", s -> s.evaluated(r.evalId(), ids));
                return "eval " + r.evalId() + " of " + ids.size() + " runs";
            });
            return step("eval").evalId();
        }

        private String promote(String evalId) {
            PromotePipeline.Result r = PromotePipeline.promote(config, hadoop, evalId, null, null);
            RegistryRecord.Champion champion = r.registry().champion(r.model());
            update("promote", s -> s.promoted(r.decision().outcome().id(), r.decision().reason(), r.challengerRun(),
                    champion == null ? null : champion.runId()));
            return r.decision().outcome().id() + ": " + r.decision().reason();
        }
    }
}
