package io.fusionpipe.ingest.source;

import io.fusionpipe.errors.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** One {@code --input}: its path (any Hadoop file system), format and source tag. */
public record InputSpec(String path, String format, String source) implements Serializable {

    public static final java.util.List<String> FORMATS = java.util.List.of("jsonl", "csv", "parquet", "coco", "webdataset");

    /**
     * Resolves the format ({@code auto} infers it) and checks the path exists.
     * A directory holding manifest.jsonl (the generator's output) reads that manifest.
     */
    public static InputSpec resolve(String path, String format, String source, Configuration hadoop) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(hadoop);
            if (!fs.exists(p)) {
                throw new BadInputException("--input " + path + ": does not exist");
            }
            FileStatus st = fs.getFileStatus(p);
            if (st.isDirectory() && fs.exists(new Path(p, "manifest.jsonl")) && (format.equals("auto") || format.equals("jsonl"))) {
                return new InputSpec(new Path(p, "manifest.jsonl").toString(), "jsonl", source);
            }
            String f = format.equals("auto") ? infer(fs, st) : format;
            if (!FORMATS.contains(f)) {
                throw new BadInputException("--format " + f + ": expected one of " + String.join(", ", FORMATS));
            }
            return new InputSpec(p.toString(), f, source);
        } catch (IOException e) {
            throw new BadInputException("--input " + path + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static String infer(FileSystem fs, FileStatus st) throws IOException {
        Path p = st.getPath();
        if (st.isDirectory()) {
            for (FileStatus child : fs.listStatus(p)) {
                String n = child.getPath().getName().toLowerCase(Locale.ROOT);
                if (n.endsWith(".tar")) {
                    return "webdataset";
                }
                if (n.endsWith(".parquet")) {
                    return "parquet";
                }
            }
            throw new BadInputException("--input " + p + ": a directory without manifest.jsonl, .tar shards or .parquet files;"
                    + " name the file, or give --format");
        }
        String n = p.getName().toLowerCase(Locale.ROOT);
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return "jsonl";
        }
        if (n.endsWith(".csv") || n.endsWith(".tsv")) {
            return "csv";
        }
        if (n.endsWith(".parquet")) {
            return "parquet";
        }
        if (n.endsWith(".tar")) {
            return "webdataset";
        }
        if (n.endsWith(".json")) {
            byte[] head = new byte[65536];
            int len;
            try (InputStream in = fs.open(p)) {
                len = in.readNBytes(head, 0, head.length);
            }
            String text = new String(head, 0, len, StandardCharsets.UTF_8);
            return text.contains("\"annotations\"") || text.contains("\"images\"") ? "coco" : "jsonl";
        }
        throw new BadInputException("--input " + p + ": cannot tell the format from the name; give --format "
                + String.join("|", FORMATS));
    }

    /** Inputs with their formats resolved and a unique source tag each (the file or folder name). */
    public static List<InputSpec> resolveAll(List<String> inputs, String format, Configuration hadoop) {
        List<InputSpec> out = new ArrayList<>();
        Set<String> tags = new HashSet<>();
        for (String in : inputs) {
            String base = new Path(in).getName();
            String tag = base.contains(".") ? base.substring(0, base.lastIndexOf('.')) : base;
            String unique = tag;
            for (int i = 2; !tags.add(unique); i++) {
                unique = tag + "-" + i;
            }
            out.add(resolve(in, format, unique, hadoop));
        }
        return out;
    }
}
