package io.fusionpipe.layout;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * An exclusive lock file under the root (created in one step, {@link HadoopFiles#createExclusive}),
 * holding who took it: "pid N on HOST since TIME". Released by deleting it ({@link #close}).
 */
public final class FileLock implements AutoCloseable {

    private final Configuration conf;
    private final Path file;

    private FileLock(Configuration conf, Path file) {
        this.conf = conf;
        this.file = file;
    }

    /**
     * Takes {@code file}, retrying every 200 ms for up to {@code wait}; empty when another holder
     * keeps it that long ({@link #holder} says who). {@code note} is added to the holder text.
     */
    public static Optional<FileLock> acquire(Configuration conf, Path file, Duration wait, String note) {
        String owner = owner() + (note.isEmpty() ? "" : " (" + note + ")");
        long deadline = System.nanoTime() + wait.toNanos();
        while (!HadoopFiles.createExclusive(conf, file, owner)) {
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the lock " + file, e);
            }
        }
        return Optional.of(new FileLock(conf, file));
    }

    /** What the lock file says about its holder, or "unknown" when it cannot be read. */
    public static String holder(Configuration conf, Path file) {
        try {
            return HadoopFiles.readString(conf, file).strip();
        } catch (UncheckedIOException e) {
            return "unknown";
        }
    }

    public Path file() {
        return file;
    }

    /** Releases the lock (deletes the file). */
    @Override
    public void close() {
        try {
            file.getFileSystem(conf).delete(file, false);
        } catch (IOException e) {
            throw new UncheckedIOException("releasing lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static String owner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return "pid " + ManagementFactory.getRuntimeMXBean().getPid() + " on " + host + " since " + ZonedDateTime.now(ZoneOffset.UTC);
    }
}
