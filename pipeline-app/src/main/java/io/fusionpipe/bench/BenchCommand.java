package io.fusionpipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.cli.JsonLine;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersions;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.JvmEnvironment;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.TrainPipeline;
import io.fusionpipe.train.model.Variant;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fusionpipe bench}: every benchmark command in one go, in this JVM, one after the other
 * (generate-bench, score-bench, ingest-bench, then train-bench per variant on a generated dataset it
 * makes once under the root), each printing its own table as it goes; then one table of the ratios
 * the performance targets are stated in ({@link BenchTable}) and one JSON line with every benchmark's.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run every benchmark in one go (generate-bench, score-bench, ingest-bench, train-bench per variant) and",
                "print one table of their figures against the baselines they measure in the same run, and JSON."})
public final class BenchCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--generate-cards", paramLabel = "N", defaultValue = "200", description = "generate-bench cards per style (default ${DEFAULT-VALUE}).")
    int generateCards;

    @Option(names = "--score-images", paramLabel = "N", defaultValue = "5000", description = "score-bench images (default ${DEFAULT-VALUE}).")
    int scoreImages;

    @Option(names = "--coco-toolkit", paramLabel = "DIR", description = "A pycocoevalcap checkout for score-bench's baseline (without it, no score ratio).")
    String cocoToolkit;

    @Option(names = "--ingest-cards", paramLabel = "N", defaultValue = "2000", description = "ingest-bench cards (default ${DEFAULT-VALUE}).")
    int ingestCards;

    @Option(names = "--train-cards", paramLabel = "N", defaultValue = "400",
            description = "Cards of the dataset train-bench measures on, made once as dataset bench-train-N (default ${DEFAULT-VALUE}).")
    int trainCards;

    @Option(names = "--train-batches", paramLabel = "N", defaultValue = "24", description = "train-bench batches (default ${DEFAULT-VALUE}).")
    int trainBatches;

    @Option(names = "--variants", paramLabel = "LIST", defaultValue = "early,intermediate,late", description = "train-bench variants (default ${DEFAULT-VALUE}).")
    String variants;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (generateCards < 1 || scoreImages < 1 || ingestCards < 10 || trainCards < 40 || trainBatches < 1) {
            throw new UsageException("--generate-cards and --score-images must be positive, --ingest-cards at least 10, "
                    + "--train-cards at least 40, --train-batches at least 1");
        }
        List<Variant> models = new ArrayList<>();
        for (String v : variants.split(",")) {
            models.add(Variant.parse(v.trim()));
        }
        FusionConfig config = options.load();
        JvmEnvironment.of(config).apply();
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        Map<String, JsonNode> results = new LinkedHashMap<>();
        results.put("generate", run(out, "generate-bench", "--cards", Integer.toString(generateCards)));
        List<String> score = new ArrayList<>(List.of("score-bench", "--images", Integer.toString(scoreImages)));
        if (cocoToolkit != null) {
            score.addAll(List.of("--coco-toolkit", cocoToolkit));
        }
        results.put("score", JsonLine.last(command(out, false, score.toArray(String[]::new)), "score-bench"));
        results.put("ingest", run(out, "ingest-bench", "--cards", Integer.toString(ingestCards)));
        String dataset = trainDataset(config, out);
        for (Variant v : models) {
            results.put("train " + v.id(), run(out, "train-bench", "--dataset", dataset, "--variant", v.id(), "--batches", Integer.toString(trainBatches)));
        }
        List<BenchTable.Row> rows = BenchTable.rows(results);
        out.println();
        out.printf(Locale.ROOT, "bench: %d benchmarks in %.0f s on %d cores%n", results.size(), (System.nanoTime() - t0) / 1e9,
                Runtime.getRuntime().availableProcessors());
        out.print(BenchTable.text(rows));
        JsonLine.print(out, BenchTable.json(rows, results));
        return ExitCodes.OK;
    }

    /** Dataset {@code bench-train-N}: generated and ingested the first time, then reused. */
    private String trainDataset(FusionConfig config, PrintWriter out) {
        String name = "bench-train-" + trainCards;
        FusionRoot root = FusionRoot.of(config);
        SparkSession spark = SparkSessions.getOrCreate(config, "bench", TrainPipeline.SPARK_CONF);
        if (new DatasetVersions(root.dataset(name), spark.sparkContext().hadoopConfiguration()).latest().isPresent()) {
            out.println("bench: reusing dataset " + name);
            return name;
        }
        String cards = root.scratch("bench").resolve("train-cards-" + trainCards).toString();
        command(out, true, "generate", "--out", cards, "--count", Integer.toString(trainCards), "--style", "mixed", "--seed", "42");
        command(out, true, "ingest", "--name", name, "--input", cards);
        return name;
    }

    /** Runs one benchmark command in this JVM with this command's configuration options; its JSON line. */
    private JsonNode run(PrintWriter out, String... args) {
        return JsonLine.last(command(out, true, args), args[0]);
    }

    /**
     * Runs {@code fusionpipe ARGS} in this JVM (with this command's configuration options when
     * {@code configured}: score-bench takes none), its output shown as it comes and returned; fails when it fails.
     */
    private String command(PrintWriter out, boolean configured, String... args) {
        out.println();
        out.println("== fusionpipe " + String.join(" ", args));
        out.flush();
        StringWriter captured = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        if (configured) {
            all.addAll(options.args());
        }
        int code = Fusionpipe.execute(new PrintWriter(new Tee(out, captured)), new PrintWriter(new Tee(spec.commandLine().getErr(), captured)),
                all.toArray(String[]::new));
        if (code != ExitCodes.OK) {
            throw new IllegalStateException("bench: fusionpipe " + args[0] + " failed (exit " + code + "); its output is above");
        }
        return captured.toString();
    }

    /** Writes to the terminal and to the captured text. */
    private static final class Tee extends Writer {
        private final Writer a;
        private final Writer b;

        Tee(Writer a, Writer b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(char[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }
}
