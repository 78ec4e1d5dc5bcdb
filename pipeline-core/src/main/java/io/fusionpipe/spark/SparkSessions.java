package io.fusionpipe.spark;

import io.fusionpipe.BuildInfo;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.JvmEnvironment;
import io.fusionpipe.log.Logging;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place a SparkSession is made. Embedded runs get {@code fusionpipe.spark.master};
 * under spark-submit the master (and anything else set on the command line) is left alone.
 */
public final class SparkSessions {

    private SparkSessions() {
    }

    /**
     * Spark properties for a stage, lowest precedence first: Fusionpipe's derived defaults, the
     * stage's own needs (e.g. Kryo registrator), then {@code fusionpipe.spark.conf}.
     */
    public static Map<String, String> properties(FusionConfig config, String stage, Map<String, String> stageConf) {
        SparkSettings s = SparkSettings.of(config);
        FusionRoot root = FusionRoot.of(config);
        // Spark's local dirs (shuffle, blocks) default to java.io.tmpdir, which JvmEnvironment points
        // into the scratch dir on the driver; on a cluster the cluster manager decides.
        JvmEnvironment jvm = JvmEnvironment.of(config);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spark.app.name", s.appNamePrefix() + "-" + stage);
        p.put("spark.ui.enabled", Boolean.toString(s.uiEnabled()));
        p.put("spark.ui.showConsoleProgress", "false");
        p.put("spark.sql.shuffle.partitions", Integer.toString(s.shufflePartitions()));
        p.put("spark.hadoop.hadoop.tmp.dir", root.scratch("hadoop").toString());
        p.put("spark.executor.extraJavaOptions", String.join(" ", jvm.executorJavaOptions(BuildInfo.jvmFlags())));
        p.putAll(stageConf);
        p.putAll(s.extraConf());
        return p;
    }

    /** Gets or creates the session for a stage. */
    public static SparkSession getOrCreate(FusionConfig config, String stage, Map<String, String> stageConf) {
        SparkSettings s = SparkSettings.of(config);
        JvmEnvironment.of(config).apply();
        Logging.quietInternals(s.logLevel());
        SparkConf conf = new SparkConf();
        properties(config, stage, stageConf).forEach((k, v) -> {
            // Whatever spark-submit (or the user's -Dspark.*) already set wins over derived defaults.
            if (!conf.contains(k) || s.extraConf().containsKey(k)) {
                conf.set(k, v);
            }
        });
        if (!conf.contains("spark.master")) {
            conf.setMaster(s.master());
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    public static SparkSession getOrCreate(FusionConfig config, String stage) {
        return getOrCreate(config, stage, Map.of());
    }

    /**
     * A Hadoop configuration for commands that only read and write files under the root (no Spark
     * job): the running session's when there is one, else one carrying the same {@code spark.hadoop.*}
     * properties a session would get.
     */
    public static org.apache.hadoop.conf.Configuration hadoopConfiguration(FusionConfig config) {
        var active = SparkSession.getActiveSession();
        if (active.isDefined()) {
            return active.get().sparkContext().hadoopConfiguration();
        }
        org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
        properties(config, "files", Map.of()).forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                hadoop.set(k.substring("spark.hadoop.".length()), v);
            }
        });
        return hadoop;
    }
}
