package io.fusionpipe.generate;

import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.layout.ConfigSnapshot;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;

/** The demo's first stage: fusionpipe.demo.cards synthetic cards under ROOT/demo/cards, reused when unchanged. */
public final class GenerateDemoStage implements DemoStage {

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String run(FusionConfig config, PrintWriter out) throws IOException {
        var c = config.config();
        int count = c.getInt("fusionpipe.demo.cards");
        long seed = c.getLong("fusionpipe.demo.seed");
        GenerateSettings.Style style = GenerateSettings.Style.valueOf(c.getString("fusionpipe.demo.style").toUpperCase(Locale.ROOT));
        Path dir = new Path(FusionRoot.of(config).demo(), "cards");
        SparkSession spark = SparkSessions.getOrCreate(config, "demo");
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        if (GeneratePipeline.isGenerated(hadoop, dir, count, seed, style)) {
            return "reusing " + count + " cards in " + dir + " (same count, seed and style as before)";
        }
        out.printf(Locale.ROOT, "  generating %d %s cards (seed %d) into %s ...%n", count, style.name().toLowerCase(Locale.ROOT), seed, dir);
        out.flush();
        GeneratePipeline.Summary s = GeneratePipeline.run(spark, GenerateSettings.of(config),
                new GeneratePipeline.Request(dir.toString(), count, seed, style, null, false, true));
        ConfigSnapshot.write(hadoop, config, dir);
        return String.format(Locale.ROOT, "generated %d cards (%d scan, %d photo) in %.1f s", s.cards(), s.scans(), s.photos(), s.seconds());
    }
}
