package io.fusionpipe.registry;

import io.fusionpipe.layout.FileLock;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.records.RegistryRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The champion registry, {@code ROOT/registry/registry.json}: the current champion per model name
 * and the history of every promotion decision. Updates hold {@code ROOT/registry/.lock} (created
 * exclusively; waits up to {@code lockWait}), re-read the file, and replace it atomically; each
 * update also writes {@code history/rev-NNNNNN.json}, an immutable copy of that revision.
 */
public final class Registry {

    public static final String FILE = RegistryRecord.FILE;

    private final Configuration hadoop;
    private final Path dir;

    public Registry(FusionRoot root, Configuration hadoop) {
        this.hadoop = hadoop;
        this.dir = root.registry();
    }

    public Path file() {
        return new Path(dir, FILE);
    }

    /** The registry's current state (an empty registry when none was written yet). */
    public RegistryRecord read() {
        Path f = file();
        String text;
        try {
            if (!f.getFileSystem(hadoop).exists(f)) {
                return RegistryRecord.empty();
            }
            text = HadoopFiles.readString(hadoop, f);
        } catch (IOException e) {
            throw new UncheckedIOException("reading registry " + f + ": " + e.getMessage(), e);
        }
        return RegistryRecord.fromJson(text, f.toString());
    }

    /** The champion entry of {@code model}, or null. */
    public RegistryRecord.Champion champion(String model) {
        return read().champion(model);
    }

    /**
     * Applies {@code change} to the current state under the lock and writes the result (the next
     * revision, see {@link RegistryRecord#with}) to {@code history/rev-N.json} and {@code registry.json}.
     */
    public RegistryRecord update(UnaryOperator<RegistryRecord> change, Duration lockWait) {
        Path lock = new Path(dir, ".lock");
        FileLock held = FileLock.acquire(hadoop, lock, lockWait, "").orElseThrow(() -> new IllegalStateException("registry " + dir
                + " is locked by " + FileLock.holder(hadoop, lock) + " (waited " + lockWait.toSeconds() + " s); if no promote is running, delete " + lock));
        try {
            RegistryRecord next = change.apply(read());
            String text = next.toJson();
            HadoopFiles.writeAtomically(hadoop, new Path(dir, String.format("history/rev-%06d.json", next.revision())), text);
            HadoopFiles.writeAtomically(hadoop, file(), text);
            return next;
        } finally {
            held.close();
        }
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
