package io.fusionpipe.registry;

import io.fusionpipe.layout.FileLock;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.layout.LockSettings;
import io.fusionpipe.records.RegistryRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The champion registry, {@code ROOT/registry/registry.json}: the current champion per model name
 * and the history of every promotion decision. Updates hold {@code ROOT/registry/.lock} (a lease,
 * {@link FileLock}), re-read the state, write {@code history/rev-NNNNNN.json} (an immutable copy of
 * the new revision, created exclusively) and then replace registry.json atomically.
 */
public final class Registry {

    public static final String FILE = RegistryRecord.FILE;
    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
    private static final Pattern REVISION = Pattern.compile("rev-(\\d+)\\.json");

    private final Configuration hadoop;
    private final Path dir;

    public Registry(FusionRoot root, Configuration hadoop) {
        this.hadoop = hadoop;
        this.dir = root.registry();
    }

    public Path file() {
        return new Path(dir, FILE);
    }

    /**
     * The registry's current state (an empty registry when none was written yet): registry.json, or
     * the newest {@code history/rev-N.json} when that is newer (a promote killed between the two writes)
     * or registry.json is missing.
     */
    public RegistryRecord read() {
        Path f = file();
        try {
            FileSystem fs = f.getFileSystem(hadoop);
            RegistryRecord current = fs.exists(f) ? RegistryRecord.fromJson(HadoopFiles.readString(hadoop, f), f.toString()) : null;
            long newest = newestRevision(fs);
            if (newest > 0 && (current == null || current.revision() < newest)) {
                Path rev = revision(newest);
                LOG.warn("{} {}; reading revision {} from {}", f, current == null ? "is missing" : "is at revision " + current.revision()
                        + " (a promote was interrupted)", newest, rev);
                return RegistryRecord.fromJson(HadoopFiles.readString(hadoop, rev), rev.toString());
            }
            return current != null ? current : RegistryRecord.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading registry " + f + ": " + e.getMessage(), e);
        }
    }

    private long newestRevision(FileSystem fs) throws IOException {
        Path history = new Path(dir, "history");
        if (!fs.exists(history)) {
            return 0;
        }
        long newest = 0;
        for (FileStatus st : fs.listStatus(history)) {
            Matcher m = REVISION.matcher(st.getPath().getName());
            if (m.matches()) {
                newest = Math.max(newest, Long.parseLong(m.group(1)));
            }
        }
        return newest;
    }

    /** The champion entry of {@code model}, or null. */
    public RegistryRecord.Champion champion(String model) {
        return read().champion(model);
    }

    /**
     * Applies {@code change} to the current state under the lock and writes the result (the next
     * revision, see {@link RegistryRecord#with}) to {@code history/rev-N.json} and {@code registry.json}.
     */
    public RegistryRecord update(UnaryOperator<RegistryRecord> change, LockSettings lockSettings) {
        Path lock = new Path(dir, ".lock");
        FileLock held = FileLock.acquire(hadoop, lock, lockSettings, "promote").orElseThrow(() -> new IllegalStateException("registry " + dir
                + " is locked by " + FileLock.holder(hadoop, lock) + " (waited " + lockSettings.maxWait().toSeconds() + " s, "
                + "fusionpipe.registry.lock-wait); a holder that stops renewing is taken over after fusionpipe.locks.lease ("
                + lockSettings.lease().toSeconds() + " s)"));
        try {
            RegistryRecord next = change.apply(read());
            String text = next.toJson();
            // the revision first, created exclusively: a revision is never rewritten, and registry.json
            // trails it by at most one step, which read() recovers
            Path revision = revision(next.revision());
            if (!HadoopFiles.createExclusive(hadoop, revision, text)) {
                throw new IllegalStateException("registry revision " + revision + " already exists: another promote wrote it; nothing was changed");
            }
            held.check();
            HadoopFiles.writeAtomically(hadoop, file(), text);
            return next;
        } finally {
            held.close();
        }
    }

    private Path revision(long k) {
        return new Path(dir, String.format("history/rev-%06d.json", k));
    }

    /** The history entries (oldest first). */
    public List<RegistryRecord.Decision> history() {
        return read().history();
    }

    /** The runs that have been champion of {@code model}: the current one first, then every earlier one, oldest first. */
    public List<String> championRuns(String model) {
        RegistryRecord state = read();
        List<String> runs = new ArrayList<>();
        RegistryRecord.Champion champion = state.champion(model);
        if (champion != null) {
            runs.add(champion.runId());
        }
        for (RegistryRecord.Decision h : state.history()) {
            if (h.model().equals(model) && Promotion.Outcome.crowns(h.outcome()) && !runs.contains(h.challengerRun())) {
                runs.add(h.challengerRun());
            }
        }
        return runs;
    }
}
