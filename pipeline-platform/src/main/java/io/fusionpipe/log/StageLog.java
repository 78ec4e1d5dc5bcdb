package io.fusionpipe.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line when a stage starts and one when it ends, with its counts and seconds:
 * <pre>stage=ingest.read status=start
 * stage=ingest.read status=ok rows=1200 rejects=3 seconds=4.21</pre>
 * Use with try-with-resources; call {@link #ok()} on success, otherwise close() logs a failure.
 */
public final class StageLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("io.fusionpipe.stage");

    private final String stage;
    private final long startNanos = System.nanoTime();
    private final Map<String, Object> counts = new LinkedHashMap<>();
    private boolean finished;

    private StageLog(String stage) {
        this.stage = stage;
    }

    public static StageLog start(String stage) {
        LOG.info("stage={} status=start", stage);
        return new StageLog(stage);
    }

    public StageLog count(String name, Object value) {
        counts.put(name, value);
        return this;
    }

    public double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public void ok() {
        finish("ok");
    }

    private void finish(String status) {
        if (finished) {
            return;
        }
        finished = true;
        StringBuilder s = new StringBuilder("stage=").append(stage).append(" status=").append(status);
        counts.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
        s.append(String.format(Locale.ROOT, " seconds=%.2f", seconds()));
        if (status.equals("ok")) {
            LOG.info(s.toString());
        } else {
            LOG.error(s.toString());
        }
    }

    @Override
    public void close() {
        finish("failed");
    }
}
