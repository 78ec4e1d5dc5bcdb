package io.fusionpipe.spark;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.layout.ConfigSnapshot;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.testing.LocalSpark;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkSessionsTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(Map.of("spark.sql.ansi.enabled", "true", "spark.task.maxFailures", "2"),
            "spark.conf.spark.task.maxFailures=3");

    @Test
    void sessionIsLocalTwoWithUiOffAndDerivedSettings() {
        SparkSession s = SPARK.session();
        assertEquals("local[2]", s.sparkContext().master());
        assertEquals("false", s.conf().get("spark.ui.enabled"));
        assertEquals("2", s.conf().get("spark.sql.shuffle.partitions"));
        assertEquals("fusionpipe-test", s.sparkContext().appName());
        assertEquals("true", s.conf().get("spark.sql.ansi.enabled"), "stage properties applied");
        assertEquals("3", s.conf().get("spark.task.maxFailures"), "fusionpipe.spark.conf wins over stage properties");
        String executorOpts = s.sparkContext().getConf().get("spark.executor.extraJavaOptions");
        assertTrue(executorOpts.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
                && executorOpts.contains("-Daeron.publication.unblock.timeout=60000000000"), executorOpts);
        assertEquals(3334L, s.range(0, 10_000, 1, 4).filter("id % 3 = 0").count());
    }

    @SuppressWarnings("unchecked")
    private static scala.Tuple2<String, String>[] props(String... kv) {
        scala.Tuple2<String, String>[] out = new scala.Tuple2[kv.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = new scala.Tuple2<>(kv[2 * i], kv[2 * i + 1]);
        }
        return out;
    }

    @Test
    void theAuthenticationSecretComesFromTheEnvironmentAndAStandaloneMasterNeedsIt() {
        Map<String, String> env = Map.of(SparkSessions.AUTH_SECRET_ENV, " s3cr3t ");
        assertEquals(java.util.Optional.of("s3cr3t"), SparkSessions.authSecret(props("spark.authenticate", "true", "spark.master", "spark://h:7077"), env));
        assertEquals(java.util.Optional.empty(), SparkSessions.authSecret(props("spark.authenticate", "false", "spark.master", "spark://h:7077"), env),
                "authentication off: nothing added");
        assertEquals(java.util.Optional.empty(), SparkSessions.authSecret(props("spark.authenticate", "true", "spark.authenticate.secret", "given",
                "spark.master", "spark://h:7077"), env), "a submitted secret wins");
        assertEquals(java.util.Optional.empty(), SparkSessions.authSecret(props("spark.authenticate", "true", "spark.master", "yarn"), Map.of()),
                "YARN makes its own");
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.fusionpipe.errors.BadInputException.class,
                () -> SparkSessions.authSecret(props("spark.authenticate", "true", "spark.master", "spark://h:7077"), Map.of()));
        assertTrue(e.getMessage().contains(SparkSessions.AUTH_SECRET_ENV) && e.getMessage().contains("spark://h:7077"), e.getMessage());
    }

    @Test
    void whatTheSubmissionSetsWinsAndJavaOptionsAreMerged() {
        Map<String, String> submitted = Map.of("spark.executor.memory", "6g",
                "spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=2G -Xss4m -XX:+UseG1GC -Dmine=1");
        Map<String, String> ours = new java.util.LinkedHashMap<>();
        ours.put("spark.executor.memory", "4g");
        ours.put("spark.ui.enabled", "false");
        ours.put("spark.executor.extraJavaOptions", "--add-opens=java.base/java.nio=ALL-UNNAMED -Daeron.publication.unblock.timeout=60000000000 "
                + "-Dorg.bytedeco.javacpp.maxbytes=6442450944 -Dorg.bytedeco.javacpp.maxphysicalbytes=12884901888 -XX:-UseG1GC");
        Map<String, String> set = SparkSessions.resolve(submitted, ours);
        assertFalse(set.containsKey("spark.executor.memory"), "the submission's 6g is kept: " + set);
        assertEquals("false", set.get("spark.ui.enabled"), "what the submission leaves unset is ours");
        assertEquals("--add-opens=java.base/java.nio=ALL-UNNAMED -Daeron.publication.unblock.timeout=60000000000 "
                + "-Dorg.bytedeco.javacpp.maxphysicalbytes=12884901888 "
                + "-Dorg.bytedeco.javacpp.maxbytes=2G -Xss4m -XX:+UseG1GC -Dmine=1", set.get("spark.executor.extraJavaOptions"));
    }

    @Test
    void scratchLivesUnderTheRootsTmp() {
        FusionRoot root = FusionRoot.of(SPARK.config());
        assertEquals(SPARK.root().resolve("tmp"), root.scratch());
        assertTrue(System.getProperty("org.bytedeco.javacpp.cachedir") != null);
        assertEquals(root.scratch("java-tmp").toString(), System.getProperty("java.io.tmpdir"));
        assertTrue(Files.isDirectory(root.scratch("aeron")));
        assertEquals(root.scratch("hadoop").toString(), SPARK.session().sparkContext().hadoopConfiguration().get("hadoop.tmp.dir"));
    }

    @Test
    void configSnapshotIsWrittenAtomicallyAndReloadsToTheSameConfig() throws Exception {
        FusionConfig config = SPARK.config();
        Path out = new Path(FusionRoot.of(config).runs(), "snap");
        Path written = ConfigSnapshot.write(SPARK.session().sparkContext().hadoopConfiguration(), config, out);
        ConfigSnapshot.write(SPARK.session().sparkContext().hadoopConfiguration(), config, out); // replace in place
        java.nio.file.Path dir = java.nio.file.Paths.get(out.toUri());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> !p.getFileName().toString().endsWith(".crc")).count(), "no temp files left");
        }
        String text = HadoopFiles.readString(SPARK.session().sparkContext().hadoopConfiguration(), written);
        FusionConfig reloaded = ConfigLoader.fromClasspath().systemProperties(new java.util.Properties())
                .file(java.nio.file.Paths.get(written.toUri())).load();
        assertEquals(config.config().getConfig("fusionpipe").root().unwrapped(),
                reloaded.config().getConfig("fusionpipe").root().unwrapped(), text);
        assertFalse(text.contains("reference.conf @"), "no origin comments in snapshots");
    }
}
