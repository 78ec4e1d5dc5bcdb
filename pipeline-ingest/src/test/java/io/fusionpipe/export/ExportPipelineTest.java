package io.fusionpipe.export;

import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.ingest.FixturesAccess;
import io.fusionpipe.ingest.IngestPipeline;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.testing.TestRoots;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** export: WebDataset tars that ingest reads back to the same samples; a Hugging Face Parquet dataset with its card. */
class ExportPipelineTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark("ingest.caption.min-count=1", "ingest.caption.max-chars=300");

    static DatasetVersion ds;

    @BeforeAll
    static void dataset() throws Exception {
        java.nio.file.Path in = FixturesAccess.cards(TestRoots.newRoot("export-in"), 30);
        IngestPipeline.run(SPARK.session(), SPARK.config(), IngestSettings.of(SPARK.config()), new IngestPipeline.Request("exp",
                InputSpec.resolveAll(List.of(in.toString()), "auto", SPARK.session().sparkContext().hadoopConfiguration())));
        ds = DatasetVersion.open(FusionRoot.of(SPARK.config()), "exp", null, SPARK.session().sparkContext().hadoopConfiguration());
    }

    private static Map<String, String> captions(String dataset) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : SPARK.session().read().parquet(DatasetVersion.open(FusionRoot.of(SPARK.config()), dataset, null,
                SPARK.session().sparkContext().hadoopConfiguration()).path().toString()).collectAsList()) {
            out.put(r.getString(r.fieldIndex("id")) + "/" + r.getString(r.fieldIndex("split")), r.getString(r.fieldIndex("caption")));
        }
        return out;
    }

    @Test
    void webDatasetShardsReadBackAsTheSameSamples() throws Exception {
        java.nio.file.Path out = TestRoots.newRoot("export-wds").resolve("wds");
        ExportPipeline.Result r = ExportPipeline.export(SPARK.session(), ds, ExportPipeline.Format.WEBDATASET, new Path(out.toString()), 5);
        long total = r.samplesBySplit().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(ds.rows("train") + ds.rows("val") + ds.rows("test"), total);
        List<String> tars;
        try (Stream<java.nio.file.Path> files = Files.list(out)) {
            tars = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tar")).sorted().toList();
        }
        assertTrue(tars.contains("train-00000.tar") && tars.size() >= 3, tars.toString());
        int members = 0;
        for (String t : tars) {
            try (InputStream is = Files.newInputStream(out.resolve(t)); TarArchiveInputStream tar = new TarArchiveInputStream(is)) {
                TarArchiveEntry e;
                while ((e = tar.getNextTarEntry()) != null) {
                    assertTrue(e.getName().matches("[^.]+\\.(png|jpg|json)"), e.getName());
                    members++;
                }
            }
        }
        assertEquals(2 * total, members, "an image and a json per sample");

        // ingest reads the export back: the same ids and captions (splits are re-hashed from the same ids)
        IngestPipeline.run(SPARK.session(), SPARK.config(), IngestSettings.of(SPARK.config()), new IngestPipeline.Request("exp-back",
                InputSpec.resolveAll(List.of(out.toString()), "webdataset", SPARK.session().sparkContext().hadoopConfiguration())));
        assertEquals(captions("exp"), captions("exp-back"));

        BadInputException again = assertThrows(BadInputException.class,
                () -> ExportPipeline.export(SPARK.session(), ds, ExportPipeline.Format.WEBDATASET, new Path(out.toString()), 5));
        assertTrue(again.getMessage().contains("already exists"), again.getMessage());
    }

    @Test
    void aHuggingFaceExportHasNoMapColumnsAndACardThatNamesTheImageFeature() throws Exception {
        java.nio.file.Path out = TestRoots.newRoot("export-hf").resolve("hf");
        ExportPipeline.export(SPARK.session(), ds, ExportPipeline.Format.HF, new Path(out.toString()), 100);
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.contains("  - name: image\n    dtype: image\n") && card.contains("  - split: train\n    path: data/train/*.parquet"), card);
        assertEquals(ds.rows("val") > 0, card.contains("  - split: validation\n    path: data/validation/*.parquet"), "val is HF's validation: " + card);
        var train = SPARK.session().read().parquet(out.resolve("data/train").toString());
        assertEquals(ds.rows("train"), train.count());
        assertEquals(List.of("image", "id", "caption", "captions", "fields"), List.of(train.schema().fieldNames()));
        assertEquals(DatasetSchema.IMAGE_STRUCT.fieldNames()[0], ((org.apache.spark.sql.types.StructType) train.schema().apply("image").dataType()).fieldNames()[0]);
        assertEquals(DataTypes.StringType, train.schema().apply("fields").dataType(), "no MAP column");
        assertFalse(Files.exists(out.getParent().resolve(".hf.tmp-export")), "no staging left");
        assertTrue(Files.exists(out.resolve("data/test")) == ds.rows("test") > 0);
    }
}
