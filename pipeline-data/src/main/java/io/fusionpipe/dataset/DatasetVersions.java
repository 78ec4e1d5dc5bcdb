package io.fusionpipe.dataset;

import io.fusionpipe.layout.Commits;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.records.DatasetManifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Versions of a dataset: {@code v<k>} directories. A run builds the next version in a hidden staging
 * directory, moves it to {@code v<k>} and then writes {@code v<k>/_COMMITTED} last: a version is
 * visible to readers only with its marker, so a publish killed mid-move (on an object store a rename
 * is a copy, file by file) is never read as a version. Versions written before markers existed
 * (dataset schema 2 and older, published by one atomic rename) count as committed.
 */
public final class DatasetVersions {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetVersions.class);

    private final Configuration hadoop;
    private final FileSystem fs;
    private final Path dataset;

    public DatasetVersions(Path dataset, Configuration hadoop) {
        this.dataset = dataset;
        this.hadoop = hadoop;
        try {
            this.fs = HadoopFiles.fileSystem(dataset, hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The highest committed version, if any; uncommitted {@code v<k>} directories are skipped with a log line. */
    public OptionalInt latest() {
        for (int k : numbered()) {
            String why = uncommitted(version(k));
            if (why == null) {
                return OptionalInt.of(k);
            }
            LOG.warn("dataset {}: ignoring v{}: {}", dataset, k, why);
        }
        return OptionalInt.empty();
    }

    /** The {@code v<k>} directories present, committed or not, highest first. */
    public List<Integer> numbered() {
        List<Integer> out = new ArrayList<>();
        try {
            if (!fs.exists(dataset)) {
                return out;
            }
            for (FileStatus st : fs.listStatus(dataset)) {
                String n = st.getPath().getName();
                if (st.isDirectory() && n.matches("v\\d{1,9}")) {
                    out.add(Integer.parseInt(n.substring(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dataset + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.reverseOrder());
        return out;
    }

    /** Null when {@code dir} is a committed version; otherwise why it is not one. */
    public String uncommitted(Path dir) {
        try {
            if (fs.exists(Commits.marker(dir))) {
                return null;
            }
            Path manifest = new Path(dir, DatasetSchema.MANIFEST);
            if (!fs.exists(manifest)) {
                return "no " + Commits.MARKER + " and no " + DatasetSchema.MANIFEST + " (a publish that did not finish)";
            }
            int schema = DatasetManifest.fromJson(HadoopFiles.readString(hadoop, manifest), manifest.toString()).schemaVersion();
            return schema < DatasetSchema.COMMIT_MARKER_SINCE ? null
                    : "no " + Commits.MARKER + " (a publish that did not finish; the next ingest removes it)";
        } catch (IOException | RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    public Path version(int k) {
        return new Path(dataset, "v" + k);
    }

    public Path newStaging(int k) {
        return new Path(dataset, ".staging-v" + k + "-" + UUID.randomUUID());
    }

    /**
     * Moves staging to {@code v<k>} and writes its commit marker ({@link Commits}); returns the
     * marker's path. The caller holds the dataset's lock and {@code k} is above every committed
     * version, so a {@code v<k>} already there is what a killed publish left: it is removed first.
     */
    public Path publish(Path staging, int k, String manifestJson) {
        return Commits.publish(hadoop, staging, version(k), Map.of("version", k, "manifest_sha256", io.fusionpipe.Hashing.sha256Hex(manifestJson)));
    }

    /** Removes a failed run's staging directory (best effort). */
    public void discard(Path staging) {
        try {
            fs.delete(staging, true);
        } catch (IOException ignored) {
            // left behind: hidden, never read as a version, removed by a later writer once old
        }
    }
}
