package io.fusionpipe.build;

import io.fusionpipe.BuildInfo;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/ parsed and checked against the build: Kubernetes manifests (valid YAML, the Spark operator's
 * required fields, main classes, commands and job jars that exist, the image the Dockerfiles build, the
 * JVM flags of build.properties, the gradient-sharing UDP port of reference.conf on driver and
 * executors), the Dockerfiles' inputs, and the cron, systemd and Airflow schedules.
 */
class DeployManifestsTest {

    static final Path DEPLOY = TestRoots.projectDir().resolve("deploy");
    static final int PORT = ConfigLoader.fromClasspath().load().config().getInt("fusionpipe.train.shared.port");

    static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
            assertTrue(doc instanceof Map, file + ": every document is a mapping");
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) doc;
            out.add(m);
        }
        assertFalse(out.isEmpty(), file + " has no YAML document");
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what) {
        assertTrue(o instanceof Map, what + " is a mapping: " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String what) {
        assertTrue(o instanceof List, what + " is a list: " + o);
        return (List<Object>) o;
    }

    static List<Path> files(String glob) throws IOException {
        try (Stream<Path> s = Files.list(DEPLOY.resolve("k8s"))) {
            return s.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName())).sorted().toList();
        }
    }

    /** Command names the modules register (what the job jars' shared main class dispatches on). */
    static Set<String> commands() {
        Set<String> out = new TreeSet<>();
        for (FusionCommand c : Fusionpipe.discover()) {
            out.add(new CommandLine(c).getCommandName());
        }
        return out;
    }

    @Test
    void sparkApplicationsRunRealCommandsFromRealJarsWithTheClusterSettings() throws Exception {
        List<Path> manifests = files("*.yaml");
        int apps = 0;
        boolean scheduled = false;
        for (Path f : manifests) {
            for (Map<String, Object> doc : documents(f)) {
                String kind = String.valueOf(doc.get("kind"));
                assertTrue(doc.get("apiVersion") != null && kind != null && doc.get("metadata") != null, f + ": apiVersion, kind, metadata");
                if (!kind.endsWith("SparkApplication")) {
                    continue;
                }
                assertEquals("sparkoperator.k8s.io/v1beta2", doc.get("apiVersion"), f.toString());
                Map<String, Object> spec = map(doc.get("spec"), f + " spec");
                if (kind.equals("ScheduledSparkApplication")) {
                    scheduled = true;
                    assertEquals(5, String.valueOf(spec.get("schedule")).trim().split("\\s+").length, f + ": a 5-field cron schedule");
                    assertEquals("Forbid", spec.get("concurrencyPolicy"), f + ": nights must not overlap");
                    spec = map(spec.get("template"), f + " template");
                }
                checkApplication(f, spec);
                apps++;
            }
        }
        assertTrue(apps >= 4, "ingest, train, eval and the nightly schedule: " + apps + " in " + manifests);
        assertTrue(scheduled, "a ScheduledSparkApplication for the nightly run");
    }

    /** Spark's authentication and encryption switches, on wherever Fusionpipe is deployed. */
    private static final List<String> SECURITY = List.of("spark.authenticate", "spark.network.crypto.enabled", "spark.io.encryption.enabled");

    private static void checkApplication(Path f, Map<String, Object> spec) throws Exception {
        for (String key : List.of("type", "mode", "image", "mainClass", "mainApplicationFile", "sparkVersion", "driver", "executor")) {
            assertTrue(spec.containsKey(key), f + ": spec." + key + " is required");
        }
        assertEquals("Java", spec.get("type"), f.toString());
        String mainClass = String.valueOf(spec.get("mainClass"));
        Class.forName(mainClass); // the class exists in the build
        String jar = String.valueOf(spec.get("mainApplicationFile"));
        Matcher m = Pattern.compile("local:///opt/fusionpipe/jars/pipeline-(ingest|train|app)-(.+)-job\\.jar").matcher(jar);
        assertTrue(m.matches(), f + ": " + jar + " is a job jar the Dockerfiles copy to /opt/fusionpipe/jars");
        assertEquals(BuildInfo.version(), m.group(2), f + ": the jar of this version");
        assertTrue(Files.isDirectory(TestRoots.projectDir().resolve("pipeline-" + m.group(1))), f + ": module pipeline-" + m.group(1));
        assertEquals("fusionpipe/executor-cpu:" + BuildInfo.version(), spec.get("image"), f + ": the image deploy/docker/Dockerfile.cpu builds");
        assertEquals(BuildInfo.get("spark.version"), String.valueOf(spec.get("sparkVersion")), f + ": the Spark the jars were built for");

        List<Object> args = list(spec.get("arguments"), f + " arguments");
        String command = String.valueOf(args.get(0));
        assertTrue(commands().contains(command), f + ": command " + command + " is one of " + commands());
        String needs = command.equals("ingest") || command.equals("generate") ? "ingest" : command.startsWith("train") ? "train" : "app";
        assertTrue(m.group(1).equals(needs) || m.group(1).equals("app"), f + ": " + command + " is in the " + m.group(1) + " jar");
        assertTrue(args.contains("--root") && args.contains("--config"), f + ": a shared root and conf/cluster.conf");
        Path conf = Path.of(String.valueOf(args.get(args.indexOf("--config") + 1)).replace("/opt/fusionpipe/", TestRoots.projectDir() + "/"));
        assertTrue(Files.exists(conf), f + ": " + conf + " ships in conf/");

        Map<String, Object> sparkConf = map(spec.get("sparkConf"), f + " sparkConf");
        String flags = BuildInfo.get("jvm.flags");
        assertEquals(flags, sparkConf.get("spark.driver.extraJavaOptions"), f + ": driver JVM flags = build.properties jvm.flags");
        assertEquals(flags, sparkConf.get("spark.executor.extraJavaOptions"), f + ": executor JVM flags = build.properties jvm.flags");
        for (String on : SECURITY) {
            assertEquals("true", sparkConf.get(on), f + ": " + on + " (cluster security is on by default)");
        }
        for (String role : List.of("driver", "executor")) {
            Map<String, Object> pod = map(spec.get(role), f + " " + role);
            assertTrue(pod.containsKey("memoryOverhead"), f + ": " + role + ".memoryOverhead for ND4J's off-heap memory");
            List<Object> ports = list(pod.get("ports"), f + " " + role + ".ports");
            assertTrue(ports.stream().map(p -> map(p, "port")).anyMatch(p -> "UDP".equals(p.get("protocol"))
                    && Integer.valueOf(PORT).equals(p.get("containerPort"))), f + ": " + role + " exposes UDP " + PORT);
            String env = String.valueOf(pod.get("env"));
            assertTrue(env.contains("DL4J_VOID_IP") && env.contains("status.podIP"), f + ": " + role + " binds gradient sharing to its pod IP");
            if (role.equals("executor")) {
                assertTrue(env.contains("OMP_NUM_THREADS=" + pod.get("cores")) || env.contains("value=" + pod.get("cores")),
                        f + ": OMP_NUM_THREADS = executor cores: " + env);
            }
        }
    }

    @Test
    void rbacAndPodTemplateOpenTheGradientSharingPort() throws Exception {
        String policy = documents(DEPLOY.resolve("k8s/rbac.yaml")).stream().filter(d -> "NetworkPolicy".equals(d.get("kind")))
                .findFirst().map(String::valueOf).orElseThrow();
        assertTrue(policy.contains("protocol=UDP, port=" + PORT), policy);
        String template = String.valueOf(documents(DEPLOY.resolve("k8s/pod-template.yaml")).get(0));
        assertTrue(template.contains("containerPort=" + PORT) && template.contains("status.podIP"), template);
    }

    @Test
    void dockerfilesCopyWhatTheBuildProduces() throws Exception {
        for (String name : List.of("Dockerfile.cpu", "Dockerfile.cuda")) {
            String text = Files.readString(DEPLOY.resolve("docker").resolve(name));
            Matcher copy = Pattern.compile("(?m)^COPY (?!--from)((?:[^\\n\\\\]|\\\\\\n)*)").matcher(text);
            int sources = 0;
            while (copy.find()) {
                String[] parts = copy.group(1).replace("\\\n", " ").trim().split("\\s+");
                for (int i = 0; i < parts.length - 1; i++) {
                    String src = parts[i];
                    Path base = TestRoots.projectDir().resolve(src.contains("*") ? src.substring(0, src.lastIndexOf('/')) : src);
                    assertTrue(Files.exists(base), name + ": COPY source " + src + " (" + base + ")");
                    if (src.endsWith("-job.jar")) {
                        assertTrue(src.matches("pipeline-(ingest|train|app)/target/pipeline-\\1-\\*-job\\.jar"), name + ": " + src);
                    }
                    sources++;
                }
            }
            assertTrue(sources >= 4, name + ": copies the three job jars and conf/");
            assertTrue(text.contains("/opt/fusionpipe/jars/"), name);
        }
        String cuda = Files.readString(DEPLOY.resolve("docker/Dockerfile.cuda"));
        assertTrue(cuda.contains("FROM nvidia/cuda:11.6") && cuda.contains("cudnn8"), "CUDA 11.6 + cuDNN 8 base for nd4j-cuda-11.6");
        assertTrue(Files.readString(TestRoots.projectDir().resolve("pom.xml")).contains("<nd4j.backend.artifact>nd4j-cuda-11.6</nd4j.backend.artifact>"),
                "the cuda profile builds for the image's CUDA version");
    }

    @Test
    void theS3ConnectorShippedMatchesTheBuildsHadoop() throws Exception {
        String hadoop = org.apache.hadoop.util.VersionInfo.getVersion();
        // the SDK bundle hadoop-aws was built with: the one Maven resolved for it on this classpath
        String sdkJar = Path.of(com.amazonaws.auth.AWSCredentials.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getFileName().toString();
        Matcher sdk = Pattern.compile("aws-java-sdk-bundle-(.+)\\.jar").matcher(sdkJar);
        assertTrue(sdk.matches(), sdkJar);
        for (String name : List.of("Dockerfile.cpu", "Dockerfile.cuda")) {
            String text = Files.readString(DEPLOY.resolve("docker").resolve(name));
            assertTrue(text.contains("ARG HADOOP_AWS_VERSION=" + hadoop + "\n"), name + ": hadoop-aws " + hadoop);
            assertTrue(text.contains("ARG AWS_SDK_BUNDLE_VERSION=" + sdk.group(1) + "\n"), name + ": aws-java-sdk-bundle " + sdk.group(1));
            assertTrue(text.contains("/opt/spark/jars/"), name + ": on Spark's classpath");
        }
        String submit = Files.readString(DEPLOY.resolve("submit.sh"));
        assertTrue(submit.contains("org.apache.hadoop:hadoop-aws:" + hadoop + "}"), "deploy/submit.sh --packages hadoop-aws:" + hadoop);
        Class.forName("org.apache.hadoop.fs.s3a.S3AFileSystem"); // and the tests' connector loads with this Hadoop client
    }

    @Test
    void schedulesRunTheNightlyCommand() throws Exception {
        assertTrue(commands().contains("nightly"));
        String cron = Files.readAllLines(DEPLOY.resolve("schedule/fusionpipe-nightly.cron")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.matches("[A-Z_]+=.*")).findFirst().orElseThrow();
        assertTrue(cron.matches("(\\S+\\s+){5}\\S+\\s+.*bin/fusionpipe nightly .*"), "minute hour dom month dow user command: " + cron);
        String service = Files.readString(DEPLOY.resolve("schedule/fusionpipe-nightly.service"));
        assertTrue(service.contains("Type=oneshot") && service.contains("ExecStart=/opt/fusionpipe/bin/fusionpipe nightly"), service);
        String timer = Files.readString(DEPLOY.resolve("schedule/fusionpipe-nightly.timer"));
        assertTrue(timer.contains("OnCalendar=") && timer.contains("Persistent=true"), timer);
        String dag = Files.readString(DEPLOY.resolve("schedule/fusionpipe_nightly_dag.py"));
        assertTrue(dag.contains("SparkSubmitOperator") && dag.contains("java_class=\"io.fusionpipe.cli.Fusionpipe\"")
                && dag.contains("\"nightly\"") && dag.contains("max_active_runs=1"), "Airflow DAG submits nightly");
        assertTrue(dag.contains("VERSION = \"" + BuildInfo.version() + "\""), "the DAG names this version's jar");
        // one task per step, in the nightly pipeline's order; promote (exit 3 = regression) is never retried
        assertTrue(dag.contains("STEPS = [" + String.join(", ", io.fusionpipe.nightly.NightlyPipeline.STEPS.stream().map(x -> "\"" + x + "\"").toList())
                + "]") && dag.contains("\"--step\", step") && dag.contains("retries=0 if step == \"promote\""), "one task per step");
        // the night is the day the run starts, as cron/systemd/Kubernetes (nightly without --date) take it, not Airflow's ds
        assertTrue(dag.contains("NIGHT = \"{{ data_interval_end | ds }}\"") && !dag.contains("{{ ds }}"), "night date convention");
        // nothing is read while the scheduler parses the file: the jar is opened only inside the macro, when a task renders
        for (String line : dag.split("\n")) {
            assertTrue(line.startsWith(" ") || line.startsWith("def ") || !line.contains("jvm_flags("), "module-level jar read: " + line);
        }
        for (Path conf : List.of(TestRoots.projectDir().resolve("conf/nightly.conf"), TestRoots.projectDir().resolve("conf/cluster.conf"))) {
            ConfigLoader.fromClasspath().file(conf).load(); // every key of the shipped overlays is known and well-typed
        }
        var cluster = ConfigLoader.fromClasspath().file(TestRoots.projectDir().resolve("conf/cluster.conf")).load().config();
        for (String on : SECURITY) {
            assertEquals("true", cluster.getString("fusionpipe.spark.conf.\"" + on + "\""), "conf/cluster.conf: " + on);
        }
        assertFalse(cluster.getBoolean("fusionpipe.spark.ui-enabled"), "conf/cluster.conf: the UI is off (no ACLs without an auth filter)");
        String submit = Files.readString(DEPLOY.resolve("submit.sh"));
        for (String on : SECURITY) {
            assertTrue(submit.contains("--conf " + on + "=true"), "deploy/submit.sh sets " + on);
        }
    }
}
