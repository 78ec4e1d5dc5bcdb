package io.fusionpipe.dataset;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Versions of a dataset: {@code v<k>} directories that hold a {@code _manifest.json}. A run builds
 * the next version in a hidden staging directory and publishes it with one rename, so readers
 * never see a partial version and a failed run leaves the previous ones untouched.
 */
public final class DatasetVersions {

    private final FileSystem fs;
    private final Path dataset;

    public DatasetVersions(Path dataset, Configuration hadoop) {
        this.dataset = dataset;
        try {
            this.fs = dataset.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The highest published version, if any. */
    public OptionalInt latest() {
        try {
            if (!fs.exists(dataset)) {
                return OptionalInt.empty();
            }
            int best = -1;
            for (FileStatus st : fs.listStatus(dataset)) {
                String n = st.getPath().getName();
                if (st.isDirectory() && n.matches("v\\d+") && fs.exists(new Path(st.getPath(), DatasetSchema.MANIFEST))) {
                    best = Math.max(best, Integer.parseInt(n.substring(1)));
                }
            }
            return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dataset + ": " + e.getMessage(), e);
        }
    }

    public Path version(int k) {
        return new Path(dataset, "v" + k);
    }

    public Path newStaging(int k) {
        return new Path(dataset, ".staging-v" + k + "-" + UUID.randomUUID());
    }

    /** Renames staging to v<k>; fails (leaving staging for inspection) if v<k> appeared meanwhile. */
    public Path publish(Path staging, int k) {
        Path target = version(k);
        try {
            if (fs.exists(target)) {
                throw new IllegalStateException(target + " already exists (another ingest run published it first); "
                        + "this run's output stays in " + staging);
            }
            if (!fs.rename(staging, target)) {
                throw new IOException("rename " + staging + " -> " + target + " failed");
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("publishing " + target + ": " + e.getMessage(), e);
        }
    }

    /** Removes a failed run's staging directory (best effort). */
    public void discard(Path staging) {
        try {
            fs.delete(staging, true);
        } catch (IOException ignored) {
            // left behind: hidden, never read as a version
        }
    }
}
