package io.fusionpipe.report;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.eval.EvalSettings;
import io.fusionpipe.eval.Evals;
import io.fusionpipe.layout.ConfigSnapshot;
import io.fusionpipe.layout.Commits;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.records.RegistryRecord;
import io.fusionpipe.log.StageLog;
import io.fusionpipe.registry.Registry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * Builds the report of one evaluation: loads its metrics, the evaluations it is compared against
 * (the trend), the registry's champions, a gallery of test images with every variant's caption
 * (worst cases first), and the differences between the runs' saved configs; writes
 * {@code ROOT/reports/<eval-id>/report.html}, {@code report.md} and the config, published by rename
 * from a hidden staging directory.
 */
public final class ReportPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(ReportPipeline.class);

    /** Paths written. */
    public record Result(Path dir, Path html, Path markdown) {
    }

    /** Typed view of {@code fusionpipe.report.*}. */
    public record Settings(int gallerySize, int worstPerVariant, int thumbnailWidth, long seed) {
        public static Settings of(FusionConfig config) {
            var c = config.config();
            return new Settings(c.getInt("fusionpipe.report.gallery-size"), c.getInt("fusionpipe.report.worst-per-variant"),
                    c.getInt("fusionpipe.report.thumbnail-width"), c.getLong("fusionpipe.report.seed"));
        }
    }

    private ReportPipeline() {
    }

    public static Result report(SparkSession spark, FusionConfig config, String evalId, List<String> against) {
        StageLog stage = StageLog.start("report");
        FusionRoot root = FusionRoot.of(config);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Settings s = Settings.of(config);
        EvalSettings eval = EvalSettings.of(config);
        EvalRecord metrics = Evals.read(root, hadoop, evalId);
        List<EvalRecord> trend = new ArrayList<>();
        for (String other : against) {
            if (!other.equals(evalId)) {
                trend.add(Evals.read(root, hadoop, other));
            }
        }
        trend.add(metrics);
        trend.sort(Comparator.comparing(EvalRecord::created).thenComparing(EvalRecord::evalId));

        String model = config.config().getString("fusionpipe.registry.model-name");
        Registry registry = new Registry(root, hadoop);
        List<String> championRuns = registry.championRuns(model);
        RegistryRecord.Champion champion = registry.champion(model);

        List<ReportData.Sample> gallery = gallery(spark, root, metrics, s);
        Map<String, Map<String, String>> diff = configDiff(hadoop, root, metrics);
        ReportData data = new ReportData(metrics, trend.size() > 1 ? trend : List.of(), championRuns,
                champion, model, gallery, diff, eval.significance());
        ReportWriter writer = new ReportWriter(data);

        Path dir = new Path(root.reports(), evalId);
        Path staging = new Path(root.reports(), ".staging-" + evalId + "-" + java.util.UUID.randomUUID());
        HadoopFiles.removeLeftovers(config, hadoop, root.reports(), "report");
        try {
            HadoopFiles.writeAtomically(hadoop, new Path(staging, "report.html"), writer.html());
            HadoopFiles.writeAtomically(hadoop, new Path(staging, "report.md"), writer.markdown("report.html"));
            ConfigSnapshot.write(hadoop, config, staging);
            // an earlier report of the same evaluation (e.g. with other --against evals) is moved aside, kept until the new one is committed
            FileSystem fs = HadoopFiles.fileSystem(dir, hadoop);
            Path old = new Path(root.reports(), ".staging-" + evalId + "-replaced-" + java.util.UUID.randomUUID());
            if (fs.exists(dir) && !fs.rename(dir, old)) {
                throw new IOException("could not move the earlier report " + dir + " aside");
            }
            Commits.publish(hadoop, staging, dir, Map.of("eval", evalId));
            fs.delete(old, true);
        } catch (IOException e) {
            HadoopFiles.deleteQuietly(hadoop, staging);
            throw new UncheckedIOException("writing report " + dir + ": " + e.getMessage(), e);
        }
        stage.count("variants", metrics.variants().size()).count("gallery", gallery.size()).count("trend", trend.size()).ok();
        return new Result(dir, new Path(dir, "report.html"), new Path(dir, "report.md"));
    }

    /** Ids of every evaluation of the same dataset name as {@code evalId} (for the trend). */
    public static List<String> sameDataset(SparkSession spark, FusionConfig config, String evalId) {
        FusionRoot root = FusionRoot.of(config);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String name = Evals.read(root, hadoop, evalId).dataset().name();
        return Evals.ofDataset(root, hadoop, name).stream().map(EvalRecord::evalId).toList();
    }

    /** Worst images per variant on the primary metric, then a seeded random choice, with thumbnails from the dataset's shards. */
    static List<ReportData.Sample> gallery(SparkSession spark, FusionRoot root, EvalRecord metrics, Settings s) {
        if (s.gallerySize() == 0) {
            return List.of();
        }
        String primary = metrics.primaryMetric() == null ? "CIDEr" : metrics.primaryMetric();
        Path predictions = new Path(root.eval(metrics.evalId()), "predictions.parquet");
        List<Row> rows = spark.read().parquet(predictions.toString()).where(col("condition").equalTo("full"))
                .select(col("id"), col("label"), col("prediction"), col("references"), col("scores"), col("field_errors"), col("fields"))
                .collectAsList();
        Map<String, Map<String, ReportData.Caption>> byImage = new TreeMap<>();
        Map<String, String> reference = new HashMap<>();
        Map<String, List<Map.Entry<String, Double>>> perLabel = new LinkedHashMap<>();
        for (Row r : rows) {
            String id = r.getString(0);
            String label = r.getString(1);
            Map<String, Double> scores = r.getJavaMap(4);
            double score = scores.getOrDefault(primary, Double.NaN);
            List<String> errors = r.getList(5);
            Map<String, String> fields = r.getJavaMap(6);
            byImage.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(label, new ReportData.Caption(r.getString(2), score, errors, fields));
            List<String> refs = r.getList(3);
            reference.put(id, refs.isEmpty() ? "" : refs.get(0));
            perLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(Map.entry(id, score));
        }
        Map<String, String> chosen = new LinkedHashMap<>(); // id -> why
        for (var e : perLabel.entrySet()) {
            List<Map.Entry<String, Double>> sorted = new ArrayList<>(e.getValue());
            sorted.sort(Map.Entry.comparingByValue());
            int added = 0;
            for (var x : sorted) {
                if (added >= s.worstPerVariant() || chosen.size() >= s.gallerySize()) {
                    break;
                }
                if (!chosen.containsKey(x.getKey())) {
                    chosen.put(x.getKey(), "worst of " + e.getKey());
                    added++;
                }
            }
        }
        List<String> rest = new ArrayList<>(byImage.keySet());
        rest.removeAll(chosen.keySet());
        Collections.shuffle(rest, new Random(s.seed()));
        for (String id : rest) {
            if (chosen.size() >= s.gallerySize()) {
                break;
            }
            chosen.put(id, "");
        }
        Map<String, byte[]> thumbs = thumbnails(spark, root, metrics, chosen.keySet(), s.thumbnailWidth());
        List<ReportData.Sample> out = new ArrayList<>();
        for (var e : chosen.entrySet()) {
            out.add(new ReportData.Sample(e.getKey(), thumbs.get(e.getKey()), reference.get(e.getKey()), byImage.get(e.getKey()), e.getValue()));
        }
        return out;
    }

    private static Map<String, byte[]> thumbnails(SparkSession spark, FusionRoot root, EvalRecord metrics, Set<String> ids, int width) {
        Map<String, byte[]> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        EvalRecord.Dataset ds = metrics.dataset();
        DatasetVersion version;
        try {
            version = DatasetVersion.open(root, ds.name(), ds.version(), spark.sparkContext().hadoopConfiguration());
        } catch (BadInputException | UncheckedIOException e) {
            LOG.warn("dataset {} v{} of the evaluation is not readable ({}); the gallery has no images", ds.name(), ds.version(), e.getMessage());
            return out;
        }
        List<Row> rows = spark.read().parquet(version.split(ds.split()).toString())
                .where(col(DatasetSchema.ID).isin(new ArrayList<>(ids).toArray()))
                .select(col(DatasetSchema.ID), col(DatasetSchema.IMAGE + ".bytes")).collectAsList();
        for (Row r : rows) {
            try {
                BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) r.get(1)));
                if (img == null) {
                    continue;
                }
                int w = Math.min(width, img.getWidth()); // never upscale: the browser scales the thumbnail
                int h = Math.max(1, Math.round(img.getHeight() * (w / (float) img.getWidth())));
                BufferedImage t = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = t.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(img, 0, 0, w, h, null);
                g.dispose();
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(t, "jpg", png);
                out.put(r.getString(0), png.toByteArray());
            } catch (IOException e) {
                LOG.warn("image {} is not decodable: {}", r.getString(0), e.getMessage());
            }
        }
        return out;
    }

    /** Keys whose values differ between the runs' saved configs (label -> value per key), the variant list left out. */
    static Map<String, Map<String, String>> configDiff(Configuration hadoop, FusionRoot root, EvalRecord metrics) {
        Map<String, Map<String, String>> flat = new LinkedHashMap<>();
        for (Map.Entry<String, EvalRecord.VariantResult> e : metrics.variants().entrySet()) {
            Path conf = new Path(root.run(e.getValue().runId()), FusionRoot.CONFIG_SNAPSHOT);
            Map<String, String> values = new TreeMap<>();
            try {
                for (Map.Entry<String, ConfigValue> kv : ConfigFactory.parseString(HadoopFiles.readString(hadoop, conf)).entrySet()) {
                    values.put(kv.getKey(), kv.getValue().render(ConfigRenderOptions.concise()));
                }
            } catch (UncheckedIOException | com.typesafe.config.ConfigException ex) {
                values.put("(config)", "not readable: " + ex.getMessage());
            }
            flat.put(e.getKey(), values);
        }
        Set<String> keys = new LinkedHashSet<>();
        flat.values().forEach(v -> keys.addAll(new TreeMap<>(v).keySet()));
        Map<String, Map<String, String>> diff = new TreeMap<>();
        for (String k : keys) {
            if (k.equals("fusionpipe.train.variants")) {
                continue;
            }
            Set<String> distinct = new LinkedHashSet<>();
            Map<String, String> row = new LinkedHashMap<>();
            for (var e : flat.entrySet()) {
                String v = e.getValue().getOrDefault(k, "(unset)");
                row.put(e.getKey(), v);
                distinct.add(v);
            }
            if (distinct.size() > 1) {
                diff.put(k, row);
            }
        }
        return diff;
    }
}
