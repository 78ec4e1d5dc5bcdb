package io.fusionpipe.ingest;

import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.testing.LocalSpark;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of the readers Spark parses (CSV, TSV, COCO JSON, Parquet) through whole ingest runs:
 * a mutated file either ingests, with every row in the dataset or the rejects table, or is refused
 * with an error naming the input; nothing is written outside the dataset's folder and the scratch
 * folder. {@code -Dfuzz.spark-cases=N} (default 16) runs more.
 */
@Tag("slow") // whole ingest runs on Spark: -Pall-tests (CI) runs them
class IngestSparkFuzzTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark("ingest.image.width=32", "ingest.image.height=48", "ingest.caption.min-count=1",
            "ingest.partitions=2", "ingest.dedup.near-enabled=false");

    static final int CASES = Integer.getInteger("fuzz.spark-cases", 16);
    static final long SEED = Long.getLong("fuzz.seed", 20261201L);

    @Test
    void mutatedManifestsIngestOrAreRefusedByName() throws Exception {
        Path root = SPARK.root();
        Path in = Files.createDirectories(root.resolve("in"));
        Files.createDirectories(in.resolve("images"));
        for (int i = 0; i < 4; i++) {
            Files.write(in.resolve("images/c" + i + ".png"), Fixtures.card(300 + i));
        }
        StringBuilder csv = new StringBuilder("id,image,caption\n");
        for (int i = 0; i < 4; i++) {
            csv.append("c").append(i).append(",images/c").append(i).append(".png,\"").append(Fixtures.cardCaption(300 + i)).append("\"\n");
        }
        byte[] csvBytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        byte[] tsvBytes = csv.toString().replace(",images", "\timages").replace("png,", "png\t").replace("id,image,caption", "id\timage\tcaption")
                .getBytes(StandardCharsets.UTF_8);
        byte[] cocoBytes = ("{\"images\":[{\"id\":1,\"file_name\":\"c0.png\"},{\"id\":2,\"file_name\":\"c1.png\"}],\"annotations\":["
                + "{\"id\":10,\"image_id\":1,\"caption\":\"a fire card\"},{\"id\":11,\"image_id\":2,\"caption\":\"a water card\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        Path parquetDir = root.resolve("parquet-src");
        StructType schema = new StructType().add("id", DataTypes.StringType).add("image", DataTypes.StringType).add("caption", DataTypes.StringType);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(RowFactory.create("c" + i, in.resolve("images/c" + i + ".png").toString(), Fixtures.cardCaption(300 + i)));
        }
        SPARK.session().createDataFrame(rows, schema).coalesce(1).write().parquet(parquetDir.toString());
        Path parquetPart;
        try (Stream<Path> s = Files.list(parquetDir)) {
            parquetPart = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        byte[] parquetBytes = Files.readAllBytes(parquetPart);

        Random r = new Random(SEED);
        int ingested = 0;
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            String[] kinds = {"csv", "tsv", "coco.json", "parquet"};
            String kind = kinds[i % kinds.length];
            byte[] valid = switch (kind) {
                case "csv" -> csvBytes;
                case "tsv" -> tsvBytes;
                case "coco.json" -> cocoBytes;
                default -> parquetBytes;
            };
            Path file = in.resolve("case-" + i + "." + kind);
            Files.write(file, IngestFuzzTest.mutate(valid, r));
            Set<String> before = outside(root);
            String name = "fuzz-" + i;
            try {
                InputSpec spec = InputSpec.resolve(file.toString(), "auto", "case" + i, SPARK.session().sparkContext().hadoopConfiguration());
                IngestPipeline.Result res = IngestPipeline.run(SPARK.session(), SPARK.config(), IngestSettings.of(SPARK.config()),
                        new IngestPipeline.Request(name, List.of(spec)));
                assertEquals(res.rowsIn(), res.rowsWritten() + res.rowsRejected(), "case " + i + " (" + kind + ")");
                ingested++;
            } catch (BadInputException e) {
                assertTrue(e.getMessage().contains(file.toString()) || e.getMessage().contains(file.getFileName().toString()),
                        "case " + i + " (" + kind + "): the error names the input: " + e.getMessage());
                assertTrue(!Files.exists(root.resolve("datasets/" + name + "/v1")), "case " + i + ": a refused input publishes nothing");
                refused++;
            } catch (Exception e) { // SparkException is checked but undeclared (Scala)
                throw new AssertionError("case " + i + " (" + kind + ", " + file + "): " + e, e);
            }
            Set<String> after = outside(root);
            after.removeAll(before);
            assertEquals(Set.of(), after, "case " + i + " wrote outside datasets/ and the scratch folder");
            try (Stream<Path> sets = Files.list(root.resolve("datasets"))) {
                for (Path d : sets.toList()) {
                    assertTrue(d.getFileName().toString().startsWith("fuzz-"), "case " + i + ": only the cases' datasets: " + d);
                }
            } catch (java.nio.file.NoSuchFileException none) {
                // nothing published yet
            }
        }
        System.out.printf("spark fuzz: %d cases, %d ingested, %d refused naming the input%n", CASES, ingested, refused);
        assertTrue(ingested > 0, "some mutated inputs still ingest: " + ingested + " of " + CASES);
    }

    /** Files under the root that are neither inputs nor under datasets/ or the scratch folder (tmp/: Spark's local dirs). */
    private static Set<String> outside(Path root) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .filter(p -> !p.startsWith("in/") && !p.startsWith("parquet-src/") && !p.startsWith("datasets/")
                            && !p.startsWith("tmp/"))
                    .forEach(out::add);
        }
        return out;
    }
}
