package io.fusionpipe.ingest;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.JsonLine;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.generate.GeneratePipeline;
import io.fusionpipe.generate.GenerateSettings;
import io.fusionpipe.image.ImageCodec;
import io.fusionpipe.ingest.image.Resizer;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code fusionpipe ingest-bench}: ingest throughput per core against the bare cost of
 * decode + resize + encode of the same images in one thread, on local[1] and local[N], with the
 * driver JVM's peak heap. Prints a table and one JSON line.
 */
@Command(name = "ingest-bench", mixinStandardHelpOptions = true,
        description = {"Generate N cards, then time (a) decode+resize+encode of their images on one thread and",
                "(b) the full ingest pipeline on local[1] and local[N]; prints images/s, per-core ratios and peak heap."})
public final class IngestBenchCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--cards", paramLabel = "N", defaultValue = "20000", description = "Cards to generate (default ${DEFAULT-VALUE}).")
    int cards;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "MIXED", description = "scan, photo or mixed (default ${DEFAULT-VALUE}).")
    GenerateSettings.Style style;

    @Option(names = "--cores", paramLabel = "N", description = "Cores of the parallel run (default: all).")
    Integer cores;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (cards < 10) {
            throw new UsageException("--cards must be at least 10, got " + cards);
        }
        int n = cores != null ? cores : Runtime.getRuntime().availableProcessors();
        PrintWriter out = spec.commandLine().getOut();
        FusionConfig config = options.load();
        FusionRoot root = FusionRoot.of(config);
        Path dir = root.scratch("bench").resolve("ingest-" + cards + "-" + style.name().toLowerCase(Locale.ROOT));
        SparkSession spark = SparkSessions.getOrCreate(config, "ingest-bench");
        if (!Files.exists(dir.resolve(GeneratePipeline.MANIFEST))) {
            out.printf("generating %d %s cards into %s ...%n", cards, style.name().toLowerCase(Locale.ROOT), dir);
            out.flush();
            GeneratePipeline.run(spark, GenerateSettings.of(config), new GeneratePipeline.Request(dir.toString(), cards, 1, style, null, false, true));
        }
        IngestSettings s = IngestSettings.of(config);
        spark.stop();

        // (a) bare decode + resize + encode, one thread, same images.
        List<byte[]> images = new ArrayList<>();
        try (var files = Files.list(dir.resolve(GeneratePipeline.IMAGES))) {
            for (Path p : files.sorted().toList()) {
                images.add(Files.readAllBytes(p));
            }
        }
        bare(images.subList(0, Math.min(200, images.size())), s);
        long t0 = System.nanoTime();
        bare(images, s);
        double bareRate = images.size() / ((System.nanoTime() - t0) / 1e9);
        images.clear();

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("images", cards);
        json.put("style", style.name().toLowerCase(Locale.ROOT));
        json.put("bare_decode_resize_encode_images_per_s_1_thread", round(bareRate));
        out.printf(Locale.ROOT, "%-44s %10s %12s %14s%n", "run", "images/s", "per core", "vs bare/core");
        out.printf(Locale.ROOT, "%-44s %10.1f %12.1f %14s%n", "bare decode+resize+encode, 1 thread", bareRate, bareRate, "1.00x");
        for (int cores : n > 1 ? new int[]{1, n} : new int[]{1}) {
            options.set("fusionpipe.spark.master", "local[" + cores + "]");
            FusionConfig c = options.load();
            SparkSession session = SparkSessions.getOrCreate(c, "ingest-bench");
            PeakHeap peak = PeakHeap.start();
            long start = System.nanoTime();
            IngestPipeline.Result r = IngestPipeline.run(session, c, IngestSettings.of(c), new IngestPipeline.Request("bench-" + cores + "core",
                    List.of(InputSpec.resolve(dir.toString(), "auto", "bench", session.sparkContext().hadoopConfiguration()))));
            double seconds = (System.nanoTime() - start) / 1e9;
            long peakBytes = peak.stop();
            session.stop();
            double rate = r.rowsIn() / seconds;
            out.printf(Locale.ROOT, "%-44s %10.1f %12.1f %13.2fx%n", "ingest pipeline, local[" + cores + "]", rate, rate / cores, rate / cores / bareRate);
            json.put("pipeline_local_" + cores + "_images_per_s", round(rate));
            json.put("pipeline_local_" + cores + "_per_core_vs_bare", round(rate / cores / bareRate));
            json.put("pipeline_local_" + cores + "_seconds", round(seconds));
            json.put("pipeline_local_" + cores + "_peak_heap_mib", peakBytes / (1024 * 1024));
        }
        JsonLine.print(out, json);
        return ExitCodes.OK;
    }

    private static void bare(List<byte[]> images, IngestSettings s) throws IOException {
        for (byte[] data : images) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(data));
            BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(img, 0, 0, null);
            ImageCodec.png(Resizer.resize(rgb, s.width(), s.height(), s.resize(), Color.WHITE));
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Samples the JVM's used heap every 50 ms. */
    static final class PeakHeap implements Runnable {
        private final AtomicLong peak = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread = new Thread(this, "peak-heap");
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

        static PeakHeap start() {
            System.gc();
            PeakHeap p = new PeakHeap();
            p.thread.setDaemon(true);
            p.thread.start();
            return p;
        }

        @Override
        public void run() {
            while (running) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long stop() {
            running = false;
            thread.interrupt();
            return peak.get();
        }
    }
}
