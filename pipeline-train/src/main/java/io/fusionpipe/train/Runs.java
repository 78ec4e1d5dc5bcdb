package io.fusionpipe.train;

import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.errors.NotFoundException;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.records.EpochMetrics;
import io.fusionpipe.records.RunRecord;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The runs under {@code ROOT/runs/}: finding completed runs of a dataset version by their run.json. */
public final class Runs {

    /** A run directory's id and its run.json. */
    public record Run(String id, RunRecord record) {
        public String variant() {
            return record.variant();
        }
    }

    private Runs() {
    }

    /** A run's run.json; a usage error naming the run when there is none or it is not JSON. */
    public static RunRecord read(Configuration hadoop, Path runDir) {
        Path file = new Path(runDir, RunRecord.FILE);
        String text;
        try {
            if (!file.getFileSystem(hadoop).exists(file)) {
                throw new NotFoundException("no run " + runDir.getName() + " (no run at " + runDir + ": no run.json)");
            }
            text = HadoopFiles.readString(hadoop, file);
        } catch (IOException e) {
            throw new BadInputException(file + " is not readable: " + e.getMessage());
        }
        return RunRecord.fromJson(text, file.toString());
    }

    /** The epochs a run has recorded in metrics.jsonl, in order (none before its first epoch ends). */
    public static List<EpochMetrics> epochs(Configuration hadoop, Path runDir) {
        Path metrics = new Path(runDir, EpochMetrics.FILE);
        List<EpochMetrics> out = new ArrayList<>();
        try {
            if (metrics.getFileSystem(hadoop).exists(metrics)) {
                String[] lines = HadoopFiles.readString(hadoop, metrics).split("\n");
                for (int i = 0; i < lines.length; i++) {
                    if (!lines[i].isBlank()) {
                        out.add(EpochMetrics.fromJsonLine(lines[i], metrics + " line " + (i + 1)));
                    }
                }
            }
        } catch (IOException e) {
            throw new BadInputException(metrics + " is not readable: " + e.getMessage());
        }
        return out;
    }

    /** A run's checkpoint after {@code epoch}. */
    public static Path checkpoint(Path runDir, int epoch) {
        return new Path(runDir, "checkpoints/epoch-" + epoch + ".zip");
    }

    /**
     * The last epoch a run can be resumed after: the newest epoch recorded in metrics.jsonl whose
     * checkpoint exists; 0 when there is none (the run must start anew).
     */
    public static int lastCheckpoint(Configuration hadoop, Path runDir) {
        int last = epochs(hadoop, runDir).size();
        try {
            while (last > 0 && !checkpoint(runDir, last).getFileSystem(hadoop).exists(checkpoint(runDir, last))) {
                last--;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return last;
    }

    /** Completed runs trained on exactly this dataset version and vocabulary, oldest run id first. */
    public static List<Run> completed(FusionRoot root, Configuration hadoop, DatasetVersion ds) {
        return completed(root, hadoop, run -> run.dataset().name().equals(ds.name()) && run.dataset().version() == ds.version()
                && ds.vocabulary().hash().equals(run.vocabHash()));
    }

    /** Completed runs on any version of dataset {@code name} with this vocabulary hash, oldest run id first. */
    public static List<Run> completed(FusionRoot root, Configuration hadoop, String name, String vocabHash) {
        return completed(root, hadoop, run -> run.dataset().name().equals(name) && vocabHash.equals(run.vocabHash()));
    }

    private static List<Run> completed(FusionRoot root, Configuration hadoop, java.util.function.Predicate<RunRecord> which) {
        List<Run> out = new ArrayList<>();
        Path runs = root.runs();
        try {
            if (!runs.getFileSystem(hadoop).exists(runs)) {
                return out;
            }
            FileStatus[] all = runs.getFileSystem(hadoop).listStatus(runs);
            Arrays.sort(all, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
            for (FileStatus st : all) {
                Path runJson = new Path(st.getPath(), RunRecord.FILE);
                if (!st.isDirectory() || !runJson.getFileSystem(hadoop).exists(runJson)) {
                    continue;
                }
                RunRecord run = RunRecord.fromJson(HadoopFiles.readString(hadoop, runJson), runJson.toString());
                if (run.isCompleted() && which.test(run)) {
                    out.add(new Run(st.getPath().getName(), run));
                }
            }
        } catch (IOException e) {
            throw new BadInputException("listing runs under " + runs + ": " + e.getMessage());
        }
        return out;
    }

    /** Keys of {@code fusionpipe.train} that do not change what a run learns (scheduling, transport, what to train next). */
    static final List<String> NOT_RESULT_SETTINGS = List.of("variants", "epochs", "progress-interval", "stall-timeout", "shared.port",
            "shared.controller-address", "shared.network-mask");

    /**
     * The {@code fusionpipe.train} settings that shape a run's result (model, optimiser, data order,
     * gradient sharing) in a canonical form — keys sorted, numbers by value (0 = 0.0) — so two runs
     * with equal strings were trained alike.
     */
    public static String resultSettings(Config config) {
        Config train = config.getConfig("fusionpipe.train");
        for (String key : NOT_RESULT_SETTINGS) {
            train = train.withoutPath(key);
        }
        return canonical(train.root().unwrapped()).toString();
    }

    private static Object canonical(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> sorted = new java.util.TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), canonical(v)));
            return sorted;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(Runs::canonical).toList();
        }
        if (value instanceof Number n) {
            return new java.math.BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
        }
        return value;
    }

    /** {@link #resultSettings} of the configuration a run saved ({@code fusionpipe.conf} in its directory). */
    public static String resultSettings(Configuration hadoop, Path runDir) {
        Path conf = new Path(runDir, FusionRoot.CONFIG_SNAPSHOT);
        try {
            return resultSettings(ConfigFactory.parseString(HadoopFiles.readString(hadoop, conf)).resolve());
        } catch (RuntimeException e) {
            throw new BadInputException("cannot read the configuration run " + runDir.getName() + " saved (" + conf + "): " + e.getMessage());
        }
    }

    /** The newest completed run of each variant on this dataset version (run ids sort by start time). */
    public static Map<String, Run> latestPerVariant(FusionRoot root, Configuration hadoop, DatasetVersion ds) {
        Map<String, Run> out = new LinkedHashMap<>();
        for (Run r : completed(root, hadoop, ds)) {
            out.put(r.variant(), r);
        }
        return out;
    }

    /** The newest completed run of each variant on a dataset version (the newest when {@code version} is null). */
    public static List<String> latestOnDataset(FusionRoot root, Configuration hadoop, String name, Integer version) {
        DatasetVersion ds = DatasetVersion.open(root, name, version, hadoop);
        List<String> ids = latestPerVariant(root, hadoop, ds).values().stream().map(Run::id).toList();
        if (ids.isEmpty()) {
            throw new NotFoundException("no completed run on dataset " + name + " v" + ds.version() + " under " + root.runs()
                    + " (run: fusionpipe train --dataset " + name + ")");
        }
        return ids;
    }
}
