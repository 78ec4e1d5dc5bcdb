package io.fusionpipe.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
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
    public record Run(String id, JsonNode json) {
        public String variant() {
            return json.path("variant").asText();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Runs() {
    }

    /** A run's run.json; a usage error naming the run when there is none or it is not JSON. */
    public static JsonNode read(Configuration hadoop, Path runDir) {
        Path file = new Path(runDir, "run.json");
        try {
            if (!file.getFileSystem(hadoop).exists(file)) {
                throw new UsageException("no run " + runDir.getName() + " (no run at " + runDir + ": no run.json)");
            }
            return JSON.readTree(HadoopFiles.readString(hadoop, file));
        } catch (IOException e) {
            throw new UsageException(file + " is not valid JSON: " + e.getMessage());
        }
    }

    /** The epochs a run has recorded in metrics.jsonl, in order (none before its first epoch ends). */
    public static List<TrainPipeline.EpochMetrics> epochs(Configuration hadoop, Path runDir) {
        Path metrics = new Path(runDir, "metrics.jsonl");
        List<TrainPipeline.EpochMetrics> out = new ArrayList<>();
        try {
            if (metrics.getFileSystem(hadoop).exists(metrics)) {
                for (String line : HadoopFiles.readString(hadoop, metrics).split("\n")) {
                    if (!line.isBlank()) {
                        out.add(JSON.readValue(line, TrainPipeline.EpochMetrics.class));
                    }
                }
            }
        } catch (IOException e) {
            throw new UsageException(metrics + " is not readable: " + e.getMessage());
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
        return completed(root, hadoop, run -> run.path("dataset").path("name").asText().equals(ds.name())
                && run.path("dataset").path("version").asInt() == ds.version()
                && run.path("vocab_hash").asText().equals(ds.vocabulary().hash()));
    }

    /** Completed runs on any version of dataset {@code name} with this vocabulary hash, oldest run id first. */
    public static List<Run> completed(FusionRoot root, Configuration hadoop, String name, String vocabHash) {
        return completed(root, hadoop, run -> run.path("dataset").path("name").asText().equals(name)
                && run.path("vocab_hash").asText().equals(vocabHash));
    }

    private static List<Run> completed(FusionRoot root, Configuration hadoop, java.util.function.Predicate<JsonNode> which) {
        List<Run> out = new ArrayList<>();
        Path runs = root.runs();
        try {
            if (!runs.getFileSystem(hadoop).exists(runs)) {
                return out;
            }
            FileStatus[] all = runs.getFileSystem(hadoop).listStatus(runs);
            Arrays.sort(all, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
            for (FileStatus st : all) {
                Path runJson = new Path(st.getPath(), "run.json");
                if (!st.isDirectory() || !runJson.getFileSystem(hadoop).exists(runJson)) {
                    continue;
                }
                JsonNode run = JSON.readTree(HadoopFiles.readString(hadoop, runJson));
                if (run.path("status").asText().equals("completed") && which.test(run)) {
                    out.add(new Run(st.getPath().getName(), run));
                }
            }
        } catch (IOException e) {
            throw new UsageException("listing runs under " + runs + ": " + e.getMessage());
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
            throw new UsageException("cannot read the configuration run " + runDir.getName() + " saved (" + conf + "): " + e.getMessage());
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
}
