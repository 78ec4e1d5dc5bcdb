package io.fusionpipe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reading published evaluations, {@code ROOT/evals/<eval-id>/metrics.json}: one place for reports, promotion and the demo. */
public final class Evals {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Evals() {
    }

    /** metrics.json of {@code evalId}; a usage error naming the eval and the ones that exist when it is unknown or unreadable. */
    public static JsonNode read(FusionRoot root, Configuration hadoop, String evalId) {
        FusionRoot.checkName("eval id", evalId);
        Path m = new Path(root.eval(evalId), "metrics.json");
        try {
            if (!m.getFileSystem(hadoop).exists(m)) {
                List<String> known = list(root, hadoop).stream().map(n -> n.path("eval_id").asText()).toList();
                throw new UsageException("unknown eval " + evalId + ": no " + m + (known.isEmpty() ? " (no evaluations under " + root.evals() + ")"
                        : " (known: " + String.join(", ", known.subList(Math.max(0, known.size() - 10), known.size())) + ")"));
            }
            JsonNode n = JSON.readTree(HadoopFiles.readString(hadoop, m));
            if (!n.path("variants").isObject() || !n.path("eval_id").isTextual()) {
                throw new UsageException(m + " is not an evaluation's metrics.json (no eval_id or variants)");
            }
            return n;
        } catch (IOException e) {
            throw new UsageException(m + " is not readable JSON: " + e.getMessage());
        }
    }

    /** Every published evaluation's metrics.json, oldest first (by creation time, then id); hidden staging dirs are skipped. */
    public static List<JsonNode> list(FusionRoot root, Configuration hadoop) {
        Path evals = root.evals();
        List<JsonNode> out = new ArrayList<>();
        try {
            FileSystem fs = evals.getFileSystem(hadoop);
            if (!fs.exists(evals)) {
                return out;
            }
            for (FileStatus st : fs.listStatus(evals)) {
                Path m = new Path(st.getPath(), "metrics.json");
                if (st.getPath().getName().startsWith(".") || !fs.exists(m)) {
                    continue;
                }
                out.add(JSON.readTree(HadoopFiles.readString(hadoop, m)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + evals + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing((JsonNode n) -> n.path("created").asText()).thenComparing(n -> n.path("eval_id").asText()));
        return out;
    }

    /** The evaluations of dataset {@code name} (any version), oldest first. */
    public static List<JsonNode> ofDataset(FusionRoot root, Configuration hadoop, String name) {
        return list(root, hadoop).stream().filter(n -> n.path("dataset").path("name").asText().equals(name)).toList();
    }

    /** The run ids of an evaluation's variants, in its order. */
    public static List<String> runIds(JsonNode metrics) {
        List<String> ids = new ArrayList<>();
        metrics.path("run_ids").forEach(n -> ids.add(n.asText()));
        return ids;
    }

    /** The label (variant name, or run id when a variant appears twice) under which {@code runId} is reported, or null. */
    public static String labelOf(JsonNode metrics, String runId) {
        var it = metrics.path("variants").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getValue().path("run_id").asText().equals(runId)) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Value of {@code metric} for variant {@code label} (NaN when absent). */
    public static double value(JsonNode metrics, String label, String metric) {
        return metrics.path("variants").path(label).path("metrics").path(metric).path("value").asDouble(Double.NaN);
    }

    /** Paired bootstrap p-value between two labels for a metric (NaN when the eval has none). */
    public static double pValue(JsonNode metrics, String a, String b, String metric) {
        for (JsonNode p : metrics.path("pairwise")) {
            if (p.path("metric").asText().equals(metric)
                    && (p.path("a").asText().equals(a) && p.path("b").asText().equals(b) || p.path("a").asText().equals(b) && p.path("b").asText().equals(a))) {
                return p.path("p_value").isNumber() ? p.path("p_value").asDouble() : Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** The label with the highest value of {@code metric}, as the evaluation recorded it ({@code best.<metric>}), or null. */
    public static String best(JsonNode metrics, String metric) {
        JsonNode best = metrics.path("best").path(metric);
        return best.isTextual() ? best.asText() : null;
    }
}
