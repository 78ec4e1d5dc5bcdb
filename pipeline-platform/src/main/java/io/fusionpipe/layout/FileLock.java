package io.fusionpipe.layout;

import io.fusionpipe.json.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A lease on a lock file under the root. The file is created in one step ({@link HadoopFiles#createExclusive})
 * and holds a {@link Holder}: who, a token unique to this acquisition, and when it was last renewed.
 * A daemon thread renews it every lease/3. Another process takes the lock over (with a log line naming
 * the old holder) once the holder has stopped renewing for a whole lease, or at once when the holder
 * ran on this machine and its process is gone. {@link #close} removes the file only while it still
 * holds this acquisition's token.
 *
 * <p>On object stores (s3a, gs, ...) a create is not atomic: the lease is written, left to settle
 * and read back, so two writers that start within the settle time still both see the race and one
 * backs off; a writer paused between its check and its write longer than that can still collide.
 * See docs/storage.md: use one writer per dataset and registry there.
 */
public final class FileLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileLock.class);
    /** How long a lease written to an object store is left before it is read back. */
    static final Duration OBJECT_STORE_SETTLE = Duration.ofSeconds(1);

    /** The content of a lock file. {@code process} identifies this machine's process table (see {@link ProcessIdentity}). */
    public record Holder(String owner, String token, long pid, String host, String process, long processStart, long acquired,
                         long renewed) {

        String toJson() {
            return Json.compact(this);
        }

        /** A holder parsed from a lock file; a file this build did not write (or a half-written one) gets a synthetic holder. */
        static Holder parse(String text, FileStatus status) {
            try {
                Holder h = Json.read(text, Holder.class, "lock");
                if (h.token() != null) {
                    return h;
                }
            } catch (RuntimeException ignored) {
                // fall through: not a lease
            }
            long mtime = status.getModificationTime();
            String owner = text.strip().isEmpty() ? "unknown" : text.strip();
            return new Holder(owner, "legacy-" + mtime + "-" + owner.hashCode(), -1, "", "", 0, mtime, mtime);
        }

        Holder renewedNow() {
            return new Holder(owner, token, pid, host, process, processStart, acquired, System.currentTimeMillis());
        }

        /** "pid N on HOST (note), renewed 12 s ago". */
        public String describe() {
            long ago = Math.max(0, System.currentTimeMillis() - renewed) / 1000;
            return owner + ", last renewed " + ago + " s ago";
        }
    }

    private final Configuration conf;
    private final Path file;
    private final Holder mine;
    private final ScheduledExecutorService renewer;
    private volatile String lost;

    private FileLock(Configuration conf, Path file, Holder mine, Duration lease) {
        this.conf = conf;
        this.file = file;
        this.mine = mine;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fusionpipe-lease " + file.getName());
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(50, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes {@code file}, retrying every 200 ms for up to {@code s.maxWait()}; empty when a live holder
     * keeps it that long ({@link #holder} says who). {@code note} is added to the holder text.
     */
    public static Optional<FileLock> acquire(Configuration conf, Path file, LockSettings s, String note) {
        Holder mine = newHolder(note);
        long start = System.nanoTime();
        long deadline = start + s.maxWait().toNanos();
        Holder seen = null;
        long seenSince = 0;
        while (true) {
            FileSystem fs = fileSystem(file, conf);
            Holder me = mine.renewedNow();
            if (create(fs, file, me)) {
                return Optional.of(new FileLock(conf, file, me, s.lease()));
            }
            Optional<Holder> current = read(fs, file);
            if (current.isPresent()) {
                Holder h = current.get();
                if (seen == null || !seen.token().equals(h.token()) || seen.renewed() != h.renewed()) {
                    seen = h;
                    seenSince = System.nanoTime();
                }
                String why = staleBecause(h, s.lease(), System.nanoTime() - seenSince);
                if (why != null && takeOver(fs, file, h, me, s.lease())) {
                    LOG.warn("took over the lock {} from {} ({})", file, h.owner(), why);
                    return Optional.of(new FileLock(conf, file, me, s.lease()));
                }
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            sleep(200);
        }
    }

    /** What the lock file says about its holder, or "unknown" when it cannot be read. */
    public static String holder(Configuration conf, Path file) {
        try {
            return read(fileSystem(file, conf), file).map(Holder::describe).orElse("unknown (the lock is free now)");
        } catch (UncheckedIOException e) {
            return "unknown";
        }
    }

    public Path file() {
        return file;
    }

    /** This acquisition's holder record. */
    public Holder holder() {
        return mine;
    }

    /**
     * Fails when this lease was lost (another process took the lock over because renewals stopped
     * for a whole lease): a step about to publish calls it so it never writes over a new holder's work.
     */
    public void check() {
        renew();
        if (lost != null) {
            throw new IllegalStateException("lost the lock " + file + ": " + lost + "; nothing was published");
        }
    }

    /** Stops renewing and removes the lock file if it still holds this acquisition; a taken-over lock is left to its new holder. */
    @Override
    public void close() {
        renewer.shutdownNow();
        try {
            renewer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FileSystem fs = fileSystem(file, conf);
        Optional<Holder> now = read(fs, file);
        if (now.isEmpty() || !now.get().token().equals(mine.token())) {
            LOG.warn("not removing the lock {}: it is no longer this process's ({})", file,
                    now.map(Holder::describe).orElse("already removed"));
            return;
        }
        try {
            fs.delete(file, false);
        } catch (IOException e) {
            throw new UncheckedIOException("releasing lock " + file + ": " + e.getMessage(), e);
        }
    }

    private synchronized void renew() {
        if (lost != null) {
            return;
        }
        try {
            FileSystem fs = fileSystem(file, conf);
            Optional<Holder> now = read(fs, file);
            if (now.isEmpty() || !now.get().token().equals(mine.token())) {
                lost = now.map(h -> "now held by " + h.describe()).orElse("the lock file was removed");
                LOG.error("lost the lock {}: {}", file, lost);
                return;
            }
            HadoopFiles.writeAtomically(conf, file, mine.renewedNow().toJson());
        } catch (RuntimeException e) {
            LOG.warn("could not renew the lock {}: {}", file, e.getMessage());
        }
    }

    /** Why {@code h} no longer holds its lock, or null while it may still be alive. */
    static String staleBecause(Holder h, Duration lease, long unchangedNanos) {
        if (ProcessIdentity.THIS.sameProcessTable(h.process()) && h.pid() > 0 && !ProcessIdentity.alive(h.pid(), h.processStart())) {
            return "its process " + h.pid() + " on this machine is gone";
        }
        long since = System.currentTimeMillis() - h.renewed();
        if (since > lease.toMillis()) {
            return "not renewed for " + since / 1000 + " s, lease " + lease.toSeconds() + " s";
        }
        if (unchangedNanos > lease.toNanos()) {
            return "not renewed while this process waited " + unchangedNanos / 1_000_000_000L + " s, lease " + lease.toSeconds() + " s";
        }
        return null;
    }

    /**
     * Replaces a stale holder: first claims the takeover with an exclusive marker named after the
     * stale token (so two processes never both take it over), then checks the stale holder is still
     * the one in the file, removes it and creates this process's lease.
     */
    private static boolean takeOver(FileSystem fs, Path file, Holder stale, Holder me, Duration lease) {
        Path claim = new Path(file.getParent(), file.getName() + ".takeover-" + Integer.toHexString(stale.token().hashCode()));
        if (!HadoopFiles.createExclusive(fs.getConf(), claim, me.toJson())) {
            removeIfOlder(fs, claim, lease); // a claimant that died mid-takeover does not block the lock forever
            return false;
        }
        try {
            Optional<Holder> now = read(fs, file);
            if (now.isPresent() && !(now.get().token().equals(stale.token()) && now.get().renewed() == stale.renewed())) {
                return false; // renewed or replaced meanwhile
            }
            if (now.isPresent()) {
                fs.delete(file, false);
            }
            return create(fs, file, me);
        } catch (IOException e) {
            throw new UncheckedIOException("taking over the lock " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                fs.delete(claim, false);
            } catch (IOException ignored) {
                // a leftover claim is removed by the next takeover once older than a lease
            }
        }
    }

    private static void removeIfOlder(FileSystem fs, Path p, Duration age) {
        try {
            FileStatus st = fs.getFileStatus(p);
            if (System.currentTimeMillis() - st.getModificationTime() > age.toMillis()) {
                fs.delete(p, false);
            }
        } catch (IOException ignored) {
            // gone already
        }
    }

    /** Creates the lock file holding {@code me}; on a store without atomic create, reads it back after it settles. */
    private static boolean create(FileSystem fs, Path file, Holder me) {
        if (!HadoopFiles.createExclusive(fs.getConf(), file, me.toJson())) {
            return false;
        }
        if (HadoopFiles.hasAtomicCreate(fs)) {
            return true;
        }
        sleep(OBJECT_STORE_SETTLE.toMillis());
        return read(fs, file).map(h -> h.token().equals(me.token())).orElse(false);
    }

    private static Optional<Holder> read(FileSystem fs, Path file) {
        try {
            FileStatus st = fs.getFileStatus(file);
            String text;
            try (var in = fs.open(file)) {
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            return Optional.of(Holder.parse(text, st));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static FileSystem fileSystem(Path file, Configuration conf) {
        try {
            return HadoopFiles.fileSystem(file, conf);
        } catch (IOException e) {
            throw new UncheckedIOException("lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static Holder newHolder(String note) {
        ProcessIdentity p = ProcessIdentity.THIS;
        long now = System.currentTimeMillis();
        String owner = "pid " + p.pid() + " on " + p.host() + " since " + Instant.ofEpochMilli(now) + (note.isEmpty() ? "" : " (" + note + ")");
        return new Holder(owner, UUID.randomUUID().toString(), p.pid(), p.host(), p.processTable(), p.start(), now, now);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a lock", e);
        }
    }
}
