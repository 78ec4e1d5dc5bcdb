package io.fusionpipe.layout;

import io.fusionpipe.json.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The commit protocol for an output directory (a dataset version, an evaluation, a report): built in
 * a hidden staging directory, moved into place, then {@code _COMMITTED} written last. On an object
 * store the move is a copy, file by file, so only the marker says every file is in place; readers
 * ignore a directory without it. Directories published before markers existed were moved by one
 * atomic rename (local, HDFS): {@link #committed} accepts those there when the caller's main file is present.
 */
public final class Commits {

    public static final String MARKER = "_COMMITTED";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Commits.class);

    private Commits() {
    }

    public static Path marker(Path dir) {
        return new Path(dir, MARKER);
    }

    /**
     * Moves {@code staging} to {@code dir} and writes the marker (with {@code facts}); returns the
     * marker's path. An uncommitted {@code dir} (a killed earlier publish) is removed first; a committed one fails.
     */
    public static Path publish(Configuration conf, Path staging, Path dir, Map<String, Object> facts) {
        return publish(conf, staging, dir, facts, true);
    }

    /** As above; with {@code replaceUncommitted} false any existing {@code dir} fails the publish (a directory a user named). */
    public static Path publish(Configuration conf, Path staging, Path dir, Map<String, Object> facts, boolean replaceUncommitted) {
        try {
            FileSystem fs = HadoopFiles.fileSystem(dir, conf);
            if (fs.exists(dir)) {
                if (!replaceUncommitted || fs.exists(marker(dir))) {
                    throw new IllegalStateException(dir + " already exists; this run's output stays in " + staging);
                }
                LOG.warn("removing {} before publishing: it has no {} (a publish that did not finish)", dir, MARKER);
                fs.delete(dir, true);
            }
            fs.mkdirs(dir.getParent());
            if (!fs.rename(staging, dir)) {
                throw new IOException("rename " + staging + " -> " + dir + " failed");
            }
            Map<String, Object> body = new LinkedHashMap<>(facts);
            body.put("committed", Instant.now().toString());
            Path marker = marker(dir);
            if (!HadoopFiles.createExclusive(conf, marker, Json.pretty(body))) {
                throw new IllegalStateException(marker + " already exists: another writer committed " + dir);
            }
            return marker;
        } catch (IOException e) {
            throw new UncheckedIOException("publishing " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * True when {@code dir} has its marker, or holds {@code mainFile} on a store whose directory
     * rename is atomic (an output published before markers existed).
     */
    public static boolean committed(Configuration conf, Path dir, String mainFile) {
        try {
            FileSystem fs = HadoopFiles.fileSystem(dir, conf);
            if (fs.exists(marker(dir))) {
                return true;
            }
            return !HadoopFiles.isObjectStore(fs) && fs.exists(new Path(dir, mainFile));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dir + ": " + e.getMessage(), e);
        }
    }
}
