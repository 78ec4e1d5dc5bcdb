package io.fusionpipe.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
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

    private Runs() {
    }

    /** Completed runs trained on exactly this dataset version and vocabulary, oldest run id first. */
    public static List<Run> completed(FusionRoot root, Configuration hadoop, DatasetVersion ds) {
        List<Run> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
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
                JsonNode run = json.readTree(HadoopFiles.readString(hadoop, runJson));
                if (run.path("status").asText().equals("completed") && run.path("dataset").path("name").asText().equals(ds.name())
                        && run.path("dataset").path("version").asInt() == ds.version()
                        && run.path("vocab_hash").asText().equals(ds.vocabulary().hash())) {
                    out.add(new Run(st.getPath().getName(), run));
                }
            }
        } catch (IOException e) {
            throw new UsageException("listing runs under " + runs + ": " + e.getMessage());
        }
        return out;
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
