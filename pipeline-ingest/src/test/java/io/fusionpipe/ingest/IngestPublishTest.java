package io.fusionpipe.ingest;

import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.generate.GeneratePipeline;
import io.fusionpipe.generate.GenerateSettings;
import io.fusionpipe.dataset.DatasetVersions;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.testing.Cli;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.testing.TestRoots;
import io.fusionpipe.text.Vocabulary;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Versions, append mode, atomic publishing, reproducibility, and the files read by other readers. */
@Tag("slow") // whole-pipeline runs on Spark: -Pall-tests (CI) runs them, plain mvn verify does not
class IngestPublishTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark("ingest.caption.min-count=1");

    static java.nio.file.Path cards12;
    static java.nio.file.Path cards20;

    @BeforeAll
    static void generate() {
        java.nio.file.Path root = TestRoots.newRoot("publish-inputs");
        cards12 = root.resolve("cards12");
        cards20 = root.resolve("cards20");
        GenerateSettings g = GenerateSettings.of(SPARK.config());
        GeneratePipeline.run(SPARK.session(), g, new GeneratePipeline.Request(cards12.toString(), 12, 7, GenerateSettings.Style.MIXED, null, false, false));
        GeneratePipeline.run(SPARK.session(), g, new GeneratePipeline.Request(cards20.toString(), 20, 7, GenerateSettings.Style.MIXED, null, false, false));
    }

    static IngestPipeline.Result ingest(String name, String mode, boolean fail, java.nio.file.Path... inputs) {
        return ingest(name, mode, fail, List.of(), inputs);
    }

    static IngestPipeline.Result ingest(String name, String mode, boolean fail, List<String> sets, java.nio.file.Path... inputs) {
        Configuration h = SPARK.session().sparkContext().hadoopConfiguration();
        List<InputSpec> specs = new ArrayList<>();
        for (java.nio.file.Path p : inputs) {
            specs.add(InputSpec.resolve(p.toString(), "auto", p.getFileName().toString(), h));
        }
        var config = io.fusionpipe.config.ConfigLoader.fromClasspath().systemProperties(new java.util.Properties())
                .set("root=" + SPARK.root()).set("spark.master=local[2]").set("ingest.caption.min-count=1").set("ingest.mode=" + mode).sets(sets).load();
        return IngestPipeline.run(SPARK.session(), config, IngestSettings.of(config), new IngestPipeline.Request(name, specs, fail));
    }

    /** id -> split + tokens of a published version. */
    static Map<String, String> idSplitTokens(String path) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : SPARK.session().read().parquet(path).select("id", "split", "tokens").collectAsList()) {
            out.put(r.getString(0), r.getString(1) + " " + r.getList(2));
        }
        return out;
    }

    @Test
    void aFailedRunLeavesThePreviousVersionAndNoPartialOne() throws Exception {
        IngestPipeline.Result v1 = ingest("atomic", "overwrite", false, cards12);
        Map<String, String> before = idSplitTokens(v1.path());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ingest("atomic", "overwrite", true, cards20));
        assertTrue(e.getMessage().contains("injected failure before publishing v2"), e.getMessage());
        DatasetVersions versions = new DatasetVersions(new Path(FusionRoot.of(SPARK.config()).dataset("atomic").toString()),
                SPARK.session().sparkContext().hadoopConfiguration());
        assertEquals(1, versions.latest().getAsInt());
        try (Stream<java.nio.file.Path> entries = Files.list(SPARK.root().resolve("datasets/atomic"))) {
            assertEquals(List.of("v1"), entries.map(p -> p.getFileName().toString()).sorted().toList(), "no v2, no staging left");
        }
        assertEquals(before, idSplitTokens(v1.path()));
    }

    @Test
    void rerunningOnTheSameInputsGivesTheSameIdsSplitsAndTokens() {
        IngestPipeline.Result a = ingest("rerun", "overwrite", false, cards20);
        IngestPipeline.Result b = ingest("rerun", "overwrite", false, cards20);
        assertEquals(1, a.version());
        assertEquals(2, b.version());
        assertEquals(idSplitTokens(a.path()), idSplitTokens(b.path()));
        assertEquals(a.vocabHash(), b.vocabHash());
        assertEquals(20, a.rowsIn());
    }

    @Test
    void appendAddsOnlyNewIdsAndKeepsTheVocabularyAndSplits() throws Exception {
        IngestPipeline.Result v1 = ingest("grow", "overwrite", false, cards12);
        IngestPipeline.Result v2 = ingest("grow", "append", false, cards20);
        assertEquals(2, v2.version());
        assertEquals(v1.samples() + 8, v2.samples(), "the 8 new cards join the 12 old ones");
        assertEquals(12L, v2.rejectsByReason().get("already_in_dataset"));
        assertEquals(v1.vocabHash(), v2.vocabHash(), "append reuses the vocabulary: token ids stay comparable");
        Map<String, String> old = idSplitTokens(v1.path());
        Map<String, String> grown = idSplitTokens(v2.path());
        old.forEach((id, st) -> assertEquals(st, grown.get(id), "row " + id + " keeps its split and tokens"));
        assertEquals(v2.rowsIn(), v2.rowsWritten() + v2.rowsRejected());
        // A later append with other split settings still leaves every existing row where it was.
        IngestPipeline.Result v3 = ingest("grow", "append", false, List.of("ingest.split.salt=reshuffle", "ingest.split.train=0.5",
                "ingest.split.val=0.25", "ingest.split.test=0.25"), cards20);
        assertEquals(20L, v3.rejectsByReason().get("already_in_dataset"));
        assertEquals(grown, idSplitTokens(v3.path()));
        Vocabulary vocab = Vocabulary.fromJson(Files.readString(Paths.get(java.net.URI.create(v2.path() + "/" + DatasetSchema.VOCAB))));
        assertEquals(v2.vocabHash(), vocab.hash());
    }

    @Test
    void shardsAreStandardParquetThatPlainParquetHadoopReads() throws Exception {
        IngestPipeline.Result r = ingest("plain", "overwrite", false, cards12);
        java.nio.file.Path train = Paths.get(java.net.URI.create(r.path())).resolve("split=train");
        java.nio.file.Path file;
        try (Stream<java.nio.file.Path> s = Files.list(train)) {
            file = s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        int rows = 0;
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), new Path(file.toUri())).build()) {
            Group g;
            while ((g = reader.read()) != null) {
                rows++;
                Group image = g.getGroup("image", 0);
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(image.getBinary("bytes", 0).getBytes()));
                assertNotNull(img);
                assertEquals(96, img.getWidth());
                assertEquals(128, img.getHeight());
                assertTrue(image.getString("path", 0).endsWith(".png"));
                assertFalse(g.getString("caption", 0).isEmpty());
                assertEquals(64, g.getString("phash", 0).length());
            }
        }
        assertTrue(rows > 0);
        assertEquals(r.samplesBySplit().get("train").intValue(), rows, "one shard holds the small train split");
    }

    @Test
    void groupKeySplitKeepsEachNameInOneSplitAndParquetImagesAreAccepted() {
        IngestPipeline.Result r = ingest("by-id", "overwrite", false, cards20);
        // Our own shards as an input: the image column is a {bytes, path} struct (inline bytes).
        java.nio.file.Path train = Paths.get(java.net.URI.create(r.path())).resolve("split=train");
        var config = io.fusionpipe.config.ConfigLoader.fromClasspath().systemProperties(new java.util.Properties())
                .set("root=" + SPARK.root()).set("ingest.split.group-key=name").set("ingest.caption.min-count=1").load();
        Configuration h = SPARK.session().sparkContext().hadoopConfiguration();
        IngestPipeline.Result again = IngestPipeline.run(SPARK.session(), config, IngestSettings.of(config),
                new IngestPipeline.Request("by-name", List.of(InputSpec.resolve(train.toString(), "parquet", "shards", h))));
        assertEquals(r.samplesBySplit().get("train"), again.samples(), "every row of the parquet input made it");
        Map<String, String> splitOfName = new HashMap<>();
        for (Row row : SPARK.session().read().parquet(again.path()).select("group_key", "split").collectAsList()) {
            String prev = splitOfName.putIfAbsent(row.getString(0), row.getString(1));
            assertTrue(prev == null || prev.equals(row.getString(1)), "name " + row.getString(0) + " is in one split");
        }
    }

    @Test
    void thefusion21LayoutNeedsOneLineOfConfig() throws Exception {
        java.nio.file.Path dir = TestRoots.newRoot("fusion21");
        Files.createDirectories(dir.resolve("img"));
        List<String> lines = new ArrayList<>(List.of("id,image_url,caption,name,hp,set_name"));
        for (int i = 0; i < 4; i++) {
            Files.write(dir.resolve("img/" + i + ".png"), Fixtures.card(70 + i));
            lines.add("c" + i + ",img/" + i + ".png,\"" + Fixtures.cardCaption(70 + i) + "\",Name" + i + ",60,Base");
        }
        Files.write(dir.resolve("cards.csv"), lines);
        Cli.Run ok = Cli.run("ingest", "--name", "f21", "--input", dir.resolve("cards.csv").toString(), "--root", SPARK.root().toString(),
                "--set", "ingest.columns.image=image_url", "--set", "ingest.caption.min-count=1");
        assertEquals(ExitCodes.OK, ok.code(), ok.err());
        assertTrue(ok.out().contains("4 samples"), ok.out());
        Row row = SPARK.session().read().parquet(SPARK.root().resolve("datasets/f21/v1").toString()).filter("id = 'c1'").first();
        assertEquals("Name1", io.fusionpipe.dataset.DatasetSchema.fields(row).get("name"));
        assertTrue(row.get(row.fieldIndex("fields")) instanceof String, "a JSON string, not a MAP column");

        Cli.Run bad = Cli.run("ingest", "--name", "f21", "--input", dir.resolve("cards.csv").toString(), "--root", SPARK.root().toString());
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().contains("no column 'image'") && bad.err().contains("--set ingest.columns.image=NAME"), bad.err());
    }

    @Test
    void badCommandInputsAreUsageErrors() {
        Cli.Run name = Cli.run("ingest", "--name", "../up", "--input", cards12.toString(), "--root", SPARK.root().toString());
        assertEquals(ExitCodes.USAGE, name.code());
        assertTrue(name.err().contains("dataset name"), name.err());
        Cli.Run missing = Cli.run("ingest", "--name", "x", "--input", "/no/such/input.jsonl", "--root", SPARK.root().toString());
        assertEquals(ExitCodes.USAGE, missing.code());
        assertTrue(missing.err().contains("/no/such/input.jsonl: does not exist"), missing.err());
        Cli.Run shares = Cli.run("ingest", "--name", "x", "--input", cards12.toString(), "--set", "ingest.split.train=0.9",
                "--root", SPARK.root().toString());
        assertEquals(ExitCodes.USAGE, shares.code());
        assertTrue(shares.err().contains("must add up to 1"), shares.err());
    }
}
