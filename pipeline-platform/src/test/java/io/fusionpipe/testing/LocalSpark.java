package io.fusionpipe.testing;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One {@code local[2]} SparkSession per test class, made by the production factory
 * ({@link SparkSessions}) over a fresh test root, UI off. Use as
 * <pre>
 * &#64;RegisterExtension static final LocalSpark SPARK = new LocalSpark();
 * ... SPARK.session() ... SPARK.root() ... SPARK.config()
 * </pre>
 * Extra {@code --set} style overrides and stage Spark properties may be passed to the constructor.
 */
public final class LocalSpark implements BeforeAllCallback, AfterAllCallback {

    private final List<String> sets;
    private final Map<String, String> stageConf;
    private SparkSession session;
    private FusionConfig config;
    private Path root;

    public LocalSpark(String... sets) {
        this(Map.of(), sets);
    }

    public LocalSpark(Map<String, String> stageConf, String... sets) {
        this.stageConf = stageConf;
        this.sets = Arrays.asList(sets);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        root = TestRoots.newRoot(context.getRequiredTestClass().getSimpleName());
        List<String> all = new ArrayList<>(List.of(
                "fusionpipe.root=" + root,
                "fusionpipe.spark.master=local[2]",
                "fusionpipe.spark.ui-enabled=false",
                "fusionpipe.spark.shuffle-partitions=2"));
        all.addAll(sets);
        config = ConfigLoader.fromClasspath().sets(all).load();
        session = SparkSessions.getOrCreate(config, "test", stageConf);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (session != null) {
            session.stop();
            session = null;
        }
    }

    public SparkSession session() {
        return session;
    }

    public FusionConfig config() {
        return config;
    }

    public Path root() {
        return root;
    }
}
