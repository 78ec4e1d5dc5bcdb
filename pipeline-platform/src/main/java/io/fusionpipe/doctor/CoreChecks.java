package io.fusionpipe.doctor;

import io.fusionpipe.BuildInfo;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The checks pipeline-platform itself registers: Java, JVM flags, disk, Spark. */
public final class CoreChecks {

    private CoreChecks() {
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    /** Java 17 is what Spark 3.5 + DL4J M2.1 are tested on. */
    public static final class JavaVersion implements DoctorCheck {
        @Override
        public String name() {
            return "java";
        }

        @Override
        public int order() {
            return 10;
        }

        @Override
        public CheckResult run(FusionConfig config) {
            int feature = Runtime.version().feature();
            String detail = System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") at "
                    + System.getProperty("java.home");
            if (feature < 17) {
                return CheckResult.fail(detail, "Fusionpipe needs Java 17: install a JDK 17 and point JAVA_HOME at it");
            }
            if (feature > 17) {
                return CheckResult.warn(detail, "tested on Java 17 only; if Spark or ND4J fail, point JAVA_HOME at a JDK 17");
            }
            return CheckResult.ok(detail);
        }
    }

    /** The add-opens and Aeron flags (build.properties jvm.flags) must be in effect in this JVM. */
    public static final class JvmFlags implements DoctorCheck {
        @Override
        public String name() {
            return "jvm-flags";
        }

        @Override
        public int order() {
            return 20;
        }

        @Override
        public CheckResult run(FusionConfig config) {
            List<String> missing = missingFlags(BuildInfo.jvmFlags());
            if (!missing.isEmpty()) {
                return CheckResult.fail("missing: " + String.join(" ", missing),
                        "run through bin/fusionpipe, or pass these to the JVM (JAVA_OPTS, spark.driver.extraJavaOptions)");
            }
            return CheckResult.ok(BuildInfo.jvmFlags().size() + " flags in effect (add-opens, Aeron unblock timeout)");
        }

        /** The flags of {@code expected} that this JVM does not have in effect. */
        public static List<String> missingFlags(List<String> expected) {
            List<String> missing = new ArrayList<>();
            Module unnamed = JvmFlags.class.getClassLoader().getUnnamedModule();
            for (String flag : expected) {
                if (flag.startsWith("--add-opens=")) {
                    String target = flag.substring("--add-opens=".length());
                    String[] moduleAndPackage = target.substring(0, target.indexOf('=')).split("/");
                    var module = ModuleLayer.boot().findModule(moduleAndPackage[0]);
                    if (module.isPresent() && !module.get().isOpen(moduleAndPackage[1], unnamed)) {
                        missing.add(flag);
                    }
                } else if (flag.startsWith("-D")) {
                    String kv = flag.substring(2);
                    int eq = kv.indexOf('=');
                    String key = eq < 0 ? kv : kv.substring(0, eq);
                    if (System.getProperty(key) == null) {
                        missing.add(flag);
                    }
                }
            }
            return missing;
        }
    }

    /** The root is reachable, the scratch directory writable, and there is disk to spare. */
    public static final class Disk implements DoctorCheck {
        @Override
        public String name() {
            return "disk";
        }

        @Override
        public int order() {
            return 30;
        }

        @Override
        public CheckResult run(FusionConfig config) throws Exception {
            FusionRoot root = FusionRoot.of(config);
            long minFree = config.config().getBytes("fusionpipe.doctor.min-free-disk");
            Path scratch = root.scratch();
            Files.createDirectories(scratch);
            Path probe = Files.createTempFile(scratch, "doctor", ".probe");
            Files.delete(probe);
            long free;
            if (root.isLocal()) {
                File existing = new File(root.root().toUri());
                while (existing != null && !existing.exists()) {
                    existing = existing.getParentFile();
                }
                free = existing == null ? 0 : existing.getUsableSpace();
            } else {
                FileSystem fs = root.root().getFileSystem(SparkSessions.hadoopConfiguration(config));
                free = fs.getStatus(root.root()).getRemaining();
            }
            String detail = gib(free) + " free under " + root + "; scratch " + scratch;
            if (free < minFree) {
                return CheckResult.fail(detail + " (need " + gib(minFree) + ")",
                        "free disk space, point fusionpipe.root elsewhere, or lower fusionpipe.doctor.min-free-disk");
            }
            return CheckResult.ok(detail);
        }
    }

    /** An embedded local SparkSession starts and runs a job. */
    public static final class Spark implements DoctorCheck {
        @Override
        public String name() {
            return "spark";
        }

        @Override
        public int order() {
            return 50;
        }

        @Override
        public CheckResult run(FusionConfig config) throws Exception {
            if (SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined()) {
                SparkSession s = SparkSession.active();
                return CheckResult.ok("Spark " + s.version() + " session already running (" + s.sparkContext().master() + ")");
            }
            Duration timeout = config.config().getDuration("fusionpipe.doctor.spark-start-timeout");
            ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "doctor-spark");
                t.setDaemon(true);
                return t;
            });
            try {
                Future<String> f = pool.submit(() -> {
                    long t0 = System.nanoTime();
                    SparkConf conf = new SparkConf().setMaster("local[1]").setAppName("fusionpipe-doctor")
                            .set("spark.ui.enabled", "false");
                    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
                    try {
                        long started = System.nanoTime();
                        long n = spark.range(0, 10_000, 1, 2).filter("id % 3 = 0").count();
                        long done = System.nanoTime();
                        if (n != 3334) {
                            throw new IllegalStateException("local job counted " + n + " rows, expected 3334");
                        }
                        return String.format(Locale.ROOT, "Spark %s local session started in %.1f s, test job %.1f s",
                                spark.version(), (started - t0) / 1e9, (done - started) / 1e9);
                    } finally {
                        spark.stop();
                    }
                });
                return CheckResult.ok(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                return CheckResult.fail("local SparkSession did not start within " + timeout.toSeconds() + " s",
                        "check that the host name resolves (set SPARK_LOCAL_IP=127.0.0.1) and that the JVM flags are in effect");
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
