package io.fusionpipe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.layout.FileLock;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
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

    public static final String FILE = "registry.json";
    private static final ObjectMapper JSON = new ObjectMapper();

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
    public ObjectNode read() {
        try {
            Path f = file();
            if (!f.getFileSystem(hadoop).exists(f)) {
                ObjectNode empty = JSON.createObjectNode();
                empty.put("schema_version", 1);
                empty.put("revision", 0);
                empty.putObject("champions");
                empty.putArray("history");
                return empty;
            }
            JsonNode n = JSON.readTree(HadoopFiles.readString(hadoop, f));
            if (!(n instanceof ObjectNode o) || !o.path("champions").isObject() || !o.path("history").isArray()) {
                throw new IllegalStateException("registry " + f + " is not a Fusionpipe registry (expected an object with champions{} and history[])");
            }
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException("reading registry " + file() + ": " + e.getMessage(), e);
        }
    }

    /** The champion entry of {@code model}, or null. */
    public JsonNode champion(String model) {
        JsonNode c = read().path("champions").path(model);
        return c.isMissingNode() || c.isNull() ? null : c;
    }

    /**
     * Applies {@code change} to the current state under the lock and writes the result as the next
     * revision. The change gets a copy; it returns the new state (revision and time are set here).
     */
    public ObjectNode update(UnaryOperator<ObjectNode> change, Duration lockWait) {
        Path lock = new Path(dir, ".lock");
        FileLock held = FileLock.acquire(hadoop, lock, lockWait, "").orElseThrow(() -> new IllegalStateException("registry " + dir
                + " is locked by " + FileLock.holder(hadoop, lock) + " (waited " + lockWait.toSeconds() + " s); if no promote is running, delete " + lock));
        try {
            ObjectNode current = read();
            ObjectNode next = change.apply(current.deepCopy());
            long revision = current.path("revision").asLong() + 1;
            next.put("schema_version", 1);
            next.put("revision", revision);
            next.put("updated", ZonedDateTime.now(ZoneOffset.UTC).toString());
            String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(next) + "\n";
            HadoopFiles.writeAtomically(hadoop, new Path(dir, String.format("history/rev-%06d.json", revision)), text);
            HadoopFiles.writeAtomically(hadoop, file(), text);
            return next;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            held.close();
        }
    }

    /** The history entries (oldest first). */
    public ArrayNode history() {
        return (ArrayNode) read().path("history");
    }

    /** The runs that have been champion of {@code model}: the current one first, then every earlier one, oldest first. */
    public List<String> championRuns(String model) {
        ObjectNode state = read();
        List<String> runs = new ArrayList<>();
        JsonNode champion = state.path("champions").path(model);
        if (!champion.isMissingNode()) {
            runs.add(champion.path("run_id").asText());
        }
        for (JsonNode h : state.path("history")) {
            if (h.path("model").asText().equals(model) && Promotion.Outcome.crowns(h.path("outcome").asText())
                    && !runs.contains(h.path("challenger_run").asText())) {
                runs.add(h.path("challenger_run").asText());
            }
        }
        return runs;
    }
}
