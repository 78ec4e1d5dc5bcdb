package io.fusionpipe.ingest;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.testing.TestRoots;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Hugging Face-style Parquet export: image structs, no id column, the dataset's own split column. */
class HuggingFaceLayoutTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark("ingest.caption.min-count=1", "ingest.caption.max-chars=300");

    @Test
    void idsComeFromTheImageBytesAndTheInputsSplitsAreKeptWhenAsked() throws Exception {
        Path dir = TestRoots.newRoot("hf-layout");
        StructType schema = new StructType().add("image", DatasetSchema.IMAGE_STRUCT).add("caption", DataTypes.StringType)
                .add("split", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        String[] splits = {"train", "validation", "test", "train", "TRAIN", "holdout"};
        for (int i = 0; i < splits.length; i++) {
            rows.add(RowFactory.create(RowFactory.create(Fixtures.card(80 + i), null), Fixtures.cardCaption(80 + i), splits[i]));
        }
        // the first image again with a second caption: same bytes, same derived id, one sample with two captions
        rows.add(RowFactory.create(RowFactory.create(Fixtures.card(80), null), "A second caption of the first card", "train"));
        String input = dir.resolve("hf.parquet").toString();
        SPARK.session().createDataFrame(rows, schema).coalesce(1).write().parquet(input);

        var config = ConfigLoader.fromClasspath().set("root", SPARK.root().toString()).set("ingest.caption.min-count", "1")
                .set("ingest.split.column", "split").load();
        IngestSettings s = IngestSettings.of(config);
        IngestPipeline.Result r = IngestPipeline.run(SPARK.session(), config, s,
                new IngestPipeline.Request("hf", InputSpec.resolveAll(List.of(input), "parquet", SPARK.session().sparkContext().hadoopConfiguration())));
        assertEquals(Map.of(RejectReason.BAD_SPLIT.code(), 1L), r.rejectsByReason(), "'holdout' is no split");
        assertEquals(5, r.samples());
        Map<String, String> splitById = new HashMap<>();
        Map<String, Integer> captions = new HashMap<>();
        for (Row row : SPARK.session().read().parquet(r.path()).collectAsList()) {
            splitById.put(row.getString(row.fieldIndex("id")), row.getString(row.fieldIndex("split")));
            captions.put(row.getString(row.fieldIndex("id")), row.getList(row.fieldIndex("captions")).size());
        }
        String first = io.fusionpipe.ingest.source.SourcesTestAccess.derivedId(Fixtures.card(80));
        assertTrue(first.matches("img-[0-9a-f]{16}"), first);
        assertEquals("train", splitById.get(first));
        assertEquals(2, captions.get(first), "both captions of the first image");
        assertEquals("val", splitById.get(io.fusionpipe.ingest.source.SourcesTestAccess.derivedId(Fixtures.card(81))));
        assertEquals("test", splitById.get(io.fusionpipe.ingest.source.SourcesTestAccess.derivedId(Fixtures.card(82))));
        assertEquals("train", splitById.get(io.fusionpipe.ingest.source.SourcesTestAccess.derivedId(Fixtures.card(84))), "any case");
    }
}
