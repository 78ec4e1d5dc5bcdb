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
 * under spark-submit what the submission set wins over Fusionpipe's settings, and the JVM option
 * lists are merged ({@link #resolve}).
 */
public final class SparkSessions {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SparkSessions.class);

    private SparkSessions() {
    }

    /**
     * Fusionpipe's Spark properties for a stage, lowest precedence first: derived defaults, the
     * stage's own needs (e.g. Kryo registrator), then {@code fusionpipe.spark.conf}. What a
     * submission sets wins over all of them ({@link #resolve}).
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
        Map<String, String> submitted = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : conf.getAll()) {
            submitted.put(kv._1(), kv._2());
        }
        Map<String, String> ours = properties(config, stage, stageConf);
        resolve(submitted, ours).forEach(conf::set);
        for (String k : s.extraConf().keySet()) {
            if (submitted.containsKey(k) && !JAVA_OPTIONS.contains(k) && !submitted.get(k).equals(ours.get(k))) {
                LOG.info("{}={} from the submission wins over fusionpipe.spark.conf's {}", k, shown(k, submitted.get(k)), shown(k, ours.get(k)));
            }
        }
        if (!conf.contains("spark.master")) {
            conf.setMaster(s.master());
        }
        if (conf.get("spark.master").startsWith("local") && !conf.contains("spark.locality.wait")) {
            // one executor, so locality buys nothing; and a local backend offers cores again only when a
            // task ends, so tasks that prefer an HDFS DataNode's host name were never launched (a stage hung)
            conf.set("spark.locality.wait", "0s");
        }
        authSecret(conf.getAll(), System.getenv()).ifPresent(secret -> conf.set(AUTH_SECRET, secret));
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** The environment variable a standalone cluster's shared secret comes from; it is never written to a file. */
    public static final String AUTH_SECRET_ENV = "FUSIONPIPE_SPARK_AUTH_SECRET";
    static final String AUTH_SECRET = "spark.authenticate.secret";

    /**
     * The secret to add to a session's properties: with {@code spark.authenticate} on and no secret set,
     * the one in {@link #AUTH_SECRET_ENV}. A standalone master needs it (its master and workers were
     * started with it); YARN, Kubernetes and local mode make one per application, so there it may be
     * absent. Without it a standalone session would fail inside Spark with a message that does not
     * say where the secret comes from here.
     */
    static java.util.Optional<String> authSecret(scala.Tuple2<String, String>[] properties, Map<String, String> env) {
        Map<String, String> p = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : properties) {
            p.put(kv._1(), kv._2());
        }
        if (!Boolean.parseBoolean(p.getOrDefault("spark.authenticate", "false").trim()) || p.containsKey(AUTH_SECRET)) {
            return java.util.Optional.empty();
        }
        String secret = env.getOrDefault(AUTH_SECRET_ENV, "").trim();
        if (!secret.isEmpty()) {
            return java.util.Optional.of(secret);
        }
        String master = p.getOrDefault("spark.master", "");
        if (master.startsWith("spark://")) {
            throw new io.fusionpipe.errors.BadInputException("spark.authenticate is on and " + master + " is a standalone cluster,"
                    + " whose master and workers share one secret: set the environment variable " + AUTH_SECRET_ENV
                    + " to it (or turn authentication off with --set 'fusionpipe.spark.conf.\"spark.authenticate\"=false',"
                    + " only on a network nobody else can reach)");
        }
        return java.util.Optional.empty();
    }

    /** A property's value for a log line: secrets redacted. */
    private static String shown(String key, String value) {
        return value != null && io.fusionpipe.config.FusionConfig.isSecret(key) ? io.fusionpipe.config.FusionConfig.REDACTED : value;
    }

    /** JVM option lists that are merged rather than replaced. */
    static final java.util.Set<String> JAVA_OPTIONS = java.util.Set.of("spark.executor.extraJavaOptions", "spark.driver.extraJavaOptions");

    /**
     * What to set on a SparkConf that already holds the submission's properties ({@code submitted}:
     * spark-submit's --conf, a manifest's sparkConf, -Dspark.* system properties): each of
     * Fusionpipe's properties the submission does not set; for the JVM option lists, the
     * submission's options plus each of ours it does not set itself (so the project's off-heap caps
     * and Aeron timeout survive an {@code extraJavaOptions} of the user's, and the user's values win).
     */
    static Map<String, String> resolve(Map<String, String> submitted, Map<String, String> ours) {
        Map<String, String> out = new LinkedHashMap<>();
        ours.forEach((k, v) -> {
            if (!submitted.containsKey(k)) {
                out.put(k, v);
            } else if (JAVA_OPTIONS.contains(k)) {
                out.put(k, mergeJavaOptions(v, submitted.get(k)));
            }
        });
        return out;
    }

    /**
     * {@code theirs} plus every option of {@code ours} that {@code theirs} does not set, ours first
     * (for a repeated -D the JVM keeps the last). Options are whitespace-separated; one is "set" by
     * theirs when it names the same -D property, -X size (-Xmx, -Xms, -Xss), -XX flag or the same
     * option text.
     */
    static String mergeJavaOptions(String ours, String theirs) {
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (String t : theirs.trim().split("\\s+")) {
            taken.add(optionKey(t));
        }
        StringBuilder merged = new StringBuilder();
        for (String o : ours.trim().split("\\s+")) {
            if (!o.isEmpty() && !taken.contains(optionKey(o))) {
                merged.append(o).append(' ');
            }
        }
        return (merged + theirs.trim()).trim();
    }

    private static String optionKey(String option) {
        if (option.startsWith("-D")) {
            int eq = option.indexOf('=');
            return eq < 0 ? option : option.substring(0, eq);
        }
        for (String size : new String[]{"-Xmx", "-Xms", "-Xss"}) {
            if (option.startsWith(size)) {
                return size;
            }
        }
        if (option.startsWith("-XX:")) {
            String flag = option.substring(4).replaceFirst("^[+-]", "");
            int eq = flag.indexOf('=');
            return "-XX:" + (eq < 0 ? flag : flag.substring(0, eq));
        }
        return option;
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
