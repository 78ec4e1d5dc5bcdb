package io.fusionpipe.layout;

import io.fusionpipe.config.ConfigProblem;
import io.fusionpipe.config.ConfigValidationException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.errors.BadInputException;
import org.apache.hadoop.fs.Path;

import java.net.URI;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * Where everything lives under {@code fusionpipe.root}: the one place that knows the layout.
 * <pre>
 * ROOT/datasets/NAME/v&lt;k&gt;/     ingest output (Parquet shards, manifest, rejects)
 * ROOT/runs/RUN_ID/               training runs (checkpoints, metrics, run.json)
 * ROOT/evals/EVAL_ID/             evaluations
 * ROOT/reports/                   HTML and Markdown reports
 * ROOT/registry/                  champion registry
 * ROOT/demo/                      the demo's generated inputs
 * ROOT/quality/                   quality-bench's generated cards
 * ROOT/tmp/                       scratch (local roots only; see {@link #scratch()})
 * </pre>
 * Paths are Hadoop paths, so the root may be local, hdfs:// or s3a://.
 */
public final class FusionRoot {

    public static final String CONFIG_SNAPSHOT = "fusionpipe.conf";

    /** The JVM's temp dir before {@link JvmEnvironment#apply()} points it into the scratch dir. */
    private static final String JVM_TMP = System.getProperty("java.io.tmpdir");

    private final Path root;
    private final java.nio.file.Path scratch;

    public FusionRoot(String root, String scratchDir) {
        this.root = qualify(root);
        this.scratch = scratchDir == null || scratchDir.isBlank() ? defaultScratch(this.root) : Paths.get(scratchDir).toAbsolutePath().normalize();
    }

    public static FusionRoot of(FusionConfig config) {
        String root = config.config().getString("fusionpipe.root");
        requireConnector(root, config.config().getValue("fusionpipe.root").origin().description(), S3A_CLASS);
        return new FusionRoot(root, config.config().getString("fusionpipe.scratch-dir"));
    }

    static final String S3A_CLASS = "org.apache.hadoop.fs.s3a.S3AFileSystem";

    /**
     * An s3a:// root needs Hadoop's S3A connector (hadoop-aws), which Spark does not ship: say so, and how to
     * add it, here rather than as Hadoop's "No FileSystem for scheme" deep inside the first write. s3:// and
     * s3n:// are not Hadoop 3 schemes.
     */
    static void requireConnector(String root, String origin, String connectorClass) {
        String scheme = root.contains("://") ? root.substring(0, root.indexOf("://")).toLowerCase(Locale.ROOT) : "";
        if (scheme.equals("s3") || scheme.equals("s3n")) {
            throw new ConfigValidationException(List.of(new ConfigProblem("fusionpipe.root", root, origin,
                    "Hadoop 3 reads S3 through the s3a:// scheme: write s3a://" + root.substring(scheme.length() + 3))));
        }
        if (!scheme.equals("s3a")) {
            return;
        }
        try {
            Class.forName(connectorClass, false, FusionRoot.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            String hadoop = org.apache.hadoop.util.VersionInfo.getVersion();
            throw new ConfigValidationException(List.of(new ConfigProblem("fusionpipe.root", root, origin,
                    "an s3a:// root needs Hadoop's S3A connector, org.apache.hadoop:hadoop-aws:" + hadoop + " (the version of "
                            + "the Hadoop client here), and it is not on the classpath (" + connectorClass + " missing). "
                            + "bin/fusionpipe: FUSIONPIPE_MAVEN_ARGS=-Ps3; spark-submit: deploy/submit.sh adds it "
                            + "(--packages org.apache.hadoop:hadoop-aws:" + hadoop + "); images: deploy/docker. See docs/storage.md")));
        }
    }

    private static Path qualify(String root) {
        URI uri = URI.create(root.replace(" ", "%20"));
        if (uri.getScheme() == null || uri.getScheme().length() == 1) {
            return new Path(Paths.get(root).toAbsolutePath().normalize().toUri());
        }
        return new Path(root);
    }

    private static java.nio.file.Path defaultScratch(Path root) {
        if (isLocal(root)) {
            return Paths.get(root.toUri()).resolve("tmp");
        }
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
        return Paths.get(JVM_TMP, "fusionpipe-" + user).toAbsolutePath();
    }

    private static boolean isLocal(Path p) {
        String scheme = p.toUri().getScheme();
        return scheme == null || scheme.toLowerCase(Locale.ROOT).equals("file");
    }

    public boolean isLocal() {
        return isLocal(root);
    }

    public Path root() {
        return root;
    }

    public Path datasets() {
        return new Path(root, "datasets");
    }

    public Path dataset(String name) {
        return new Path(datasets(), checkName("dataset name", name));
    }

    public Path datasetVersion(String name, int version) {
        if (version < 1) {
            throw new IllegalArgumentException("dataset version must be >= 1, got " + version);
        }
        return new Path(dataset(name), "v" + version);
    }

    public Path runs() {
        return new Path(root, "runs");
    }

    public Path run(String runId) {
        return new Path(runs(), checkName("run id", runId));
    }

    public Path evals() {
        return new Path(root, "evals");
    }

    public Path eval(String evalId) {
        return new Path(evals(), checkName("eval id", evalId));
    }

    public Path reports() {
        return new Path(root, "reports");
    }

    /** Where {@code fusionpipe quality-bench} keeps its generated cards. */
    public Path quality() {
        return new Path(root, "quality");
    }

    /** Where {@code fusionpipe demo} keeps its own inputs (the generated cards). */
    public Path demo() {
        return new Path(root, "demo");
    }

    public Path registry() {
        return new Path(root, "registry");
    }

    /** Local scratch directory (Hadoop tmp, JavaCPP cache, Aeron, Spark local dirs). */
    public java.nio.file.Path scratch() {
        return scratch;
    }

    public java.nio.file.Path scratch(String what) {
        return scratch.resolve(what);
    }

    /**
     * Names that become path segments: letters, digits, '.', '_', '-'; no leading dot. A bad name is
     * the user's input, so it is a usage error (exit 2) wherever it is checked.
     */
    public static String checkName(String what, String name) {
        if (name == null || !name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
            throw new BadInputException(what + " '" + name
                    + "' is not valid: use 1-128 letters, digits, '.', '_' or '-', not starting with '.' or '-'");
        }
        return name;
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
