package io.fusionpipe.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.cards.CaptionTemplate;
import io.fusionpipe.cards.Card;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.testing.TestRoots;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratePipelineTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static GenerateSettings settings() {
        return GenerateSettings.of(SPARK.config());
    }

    private static GeneratePipeline.Summary generate(Path out, int count, long seed, GenerateSettings.Style style, int partitions) {
        return GeneratePipeline.run(SPARK.session(), settings().withPartitions(partitions),
                new GeneratePipeline.Request(out.toString(), count, seed, style, null, false, false));
    }

    /** Every file under dir, relative path to bytes. */
    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".crc")).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    static List<JsonNode> manifest(Path dir) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(GeneratePipeline.MANIFEST))) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    @Test
    void sameSeedGivesByteIdenticalOutputOnAnyNumberOfPartitions() throws IOException {
        Path root = TestRoots.newRoot("gen-determinism");
        GeneratePipeline.Summary one = generate(root.resolve("p1"), 24, 11, GenerateSettings.Style.MIXED, 1);
        GeneratePipeline.Summary five = generate(root.resolve("p5"), 24, 11, GenerateSettings.Style.MIXED, 5);
        assertEquals(24, one.cards());
        assertEquals(5, five.partitions());
        assertTrue(one.scans() > 0 && one.photos() > 0, "mixed draws both styles: " + one);
        Map<String, byte[]> a = files(root.resolve("p1"));
        Map<String, byte[]> b = files(root.resolve("p5"));
        assertEquals(a.keySet(), b.keySet());
        assertEquals(24 + 2, a.size(), "24 images, manifest.jsonl, generate.json: " + a.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
        // A different seed gives different cards.
        generate(root.resolve("other"), 24, 12, GenerateSettings.Style.MIXED, 2);
        assertFalse(Files.readString(root.resolve("other/manifest.jsonl")).equals(Files.readString(root.resolve("p1/manifest.jsonl"))));
    }

    @Test
    void manifestRowsNameRealImagesAndCaptionsMatchTheFields() throws IOException {
        Path out = TestRoots.newRoot("gen-manifest").resolve("cards");
        generate(out, 20, 3, GenerateSettings.Style.MIXED, 3);
        List<JsonNode> rows = manifest(out);
        assertEquals(20, rows.size());
        for (JsonNode row : rows) {
            Path image = out.resolve(row.get("image").asText());
            BufferedImage img = ImageIO.read(image.toFile());
            assertNotNull(img, "decodable: " + image);
            boolean photo = row.get("style").asText().equals("photo");
            assertEquals(photo ? 320 : 240, img.getWidth());
            assertEquals(photo ? 400 : 336, img.getHeight());
            assertTrue(row.get("image").asText().endsWith(photo ? ".jpg" : ".png"));
            Card parsed = CaptionTemplate.parse(row.get("caption").asText()).orElseThrow();
            assertEquals(row.get("name").asText(), parsed.name());
            assertEquals(row.get("hp").asInt(), parsed.hp());
            assertEquals(row.get("hp").asInt() % 10, 0, "HP in steps of 10");
            assertEquals(row.get("set_name").asText(), parsed.setName());
            assertEquals(row.get("types").get(0).asText(), parsed.types().get(0));
            assertEquals(row.get("evolvesFrom").isNull() ? null : row.get("evolvesFrom").asText(), parsed.evolvesFrom());
            assertEquals(row.get("subtypes").get(0).asText().equals("Basic"), row.get("evolvesFrom").isNull(),
                    "only evolved stages evolve from something: " + row);
        }
        JsonNode summary = JSON.readTree(out.resolve(GeneratePipeline.SUMMARY).toFile());
        assertEquals(20, summary.get("cards").asInt());
    }

    @Test
    void refusesANonEmptyOutputUnlessOverwriting() throws IOException {
        Path out = TestRoots.newRoot("gen-overwrite").resolve("cards");
        generate(out, 6, 1, GenerateSettings.Style.SCAN, 2);
        BadInputException e = assertThrows(BadInputException.class, () -> generate(out, 4, 1, GenerateSettings.Style.SCAN, 2));
        assertTrue(e.getMessage().contains("not empty") && e.getMessage().contains("--overwrite"), e.getMessage());
        assertEquals(6, manifest(out).size(), "the refused run changed nothing");
        Files.writeString(out.resolve("notes.txt"), "mine");
        GeneratePipeline.run(SPARK.session(), settings(),
                new GeneratePipeline.Request(out.toString(), 4, 1, GenerateSettings.Style.SCAN, null, false, true));
        assertEquals(4, manifest(out).size());
        try (Stream<Path> images = Files.list(out.resolve("images"))) {
            assertEquals(4, images.filter(p -> !p.toString().endsWith(".crc")).count(), "old images removed");
        }
        assertEquals("mine", Files.readString(out.resolve("notes.txt")), "files the generator did not write are kept");
    }

    @Test
    void badCountsAndUnwritableOutputsAreUsageErrors() throws IOException {
        Path root = TestRoots.newRoot("gen-bad");
        BadInputException zero = assertThrows(BadInputException.class, () -> generate(root.resolve("a"), 0, 1, GenerateSettings.Style.SCAN, 1));
        assertTrue(zero.getMessage().contains("--count must be a positive number, got 0"), zero.getMessage());
        Path file = Files.writeString(root.resolve("plain-file"), "x");
        BadInputException isFile = assertThrows(BadInputException.class, () -> generate(file, 2, 1, GenerateSettings.Style.SCAN, 1));
        assertTrue(isFile.getMessage().contains("is a file"), isFile.getMessage());
        BadInputException under = assertThrows(BadInputException.class, () -> generate(file.resolve("sub"), 2, 1, GenerateSettings.Style.SCAN, 1));
        assertTrue(under.getMessage().contains("not writable"), under.getMessage());
    }

    @Test
    void aCrashMidRunLeavesNoManifest() throws IOException {
        Path out = TestRoots.newRoot("gen-crash").resolve("cards");
        SparkException e = assertThrows(SparkException.class, () -> GeneratePipeline.run(SPARK.session(), settings().withPartitions(3),
                new GeneratePipeline.Request(out.toString(), 12, 5, GenerateSettings.Style.SCAN, null, false, false, 9)));
        assertTrue(e.getMessage().contains("injected failure after card 9"), e.getMessage());
        assertFalse(Files.exists(out.resolve(GeneratePipeline.MANIFEST)), "no manifest naming missing images");
        assertTrue(Files.exists(out.resolve("images")), "images of finished tasks may remain");
        // Rerunning over the wreck needs --overwrite, and then completes.
        GeneratePipeline.run(SPARK.session(), settings(),
                new GeneratePipeline.Request(out.toString(), 12, 5, GenerateSettings.Style.SCAN, null, false, true));
        assertEquals(12, manifest(out).size());
    }

    @Test
    void givenRecordsAreRenderedAndBadLinesSkippedOrFatal() throws IOException {
        Path root = TestRoots.newRoot("gen-cards");
        Path cards = Files.writeString(root.resolve("cards.jsonl"), String.join("\n",
                "{\"id\":\"xy1-1\",\"name\":\"Venusaur-EX\",\"subtypes\":[\"Basic\",\"EX\"],\"hp\":180,\"types\":[\"Grass\"],\"rarity\":\"Rare Holo EX\",\"set_name\":\"XY\",\"flavorText\":null}",
                "{\"id\":\"xy1-2\",\"name\":\"Weedle\",\"subtypes\":[\"Basic\"],\"hp\":\"fifty\",\"types\":[\"Grass\"],\"set_name\":\"XY\"}",
                "{\"id\":\"xy1-3\",\"name\":\"Kakuna\",\"subtypes\":[\"Stage 1\"],\"hp\":80,\"types\":[\"Grass\"],\"evolvesFrom\":\"Weedle\",\"set_name\":\"XY\",\"flavorText\":\"Almost incapable of moving, this Pokémon can only harden its shell.\"}",
                "{\"id\":\"xy1-1\",\"name\":\"Dup\",\"subtypes\":[\"Basic\"],\"hp\":10,\"types\":[\"Grass\"],\"set_name\":\"XY\"}") + "\n");
        Path out = root.resolve("out");
        GeneratePipeline.Summary s = GeneratePipeline.run(SPARK.session(), settings(),
                new GeneratePipeline.Request(out.toString(), null, 1, GenerateSettings.Style.SCAN, cards.toString(), false, false));
        assertEquals(2, s.cards());
        assertEquals(2, s.skippedTotal());
        assertTrue(s.skippedRecords().get(0).contains("line 2, field 'hp'"), s.skippedRecords().toString());
        assertTrue(s.skippedRecords().get(1).contains("line 4, field 'id': duplicate id 'xy1-1' (first on line 1)"), s.skippedRecords().toString());
        List<JsonNode> rows = manifest(out);
        assertEquals("xy1-1", rows.get(0).get("id").asText());
        assertEquals("A Stage 1 Pokemon Card of type Grass with the title Kakuna and 80 HP evolved from Weedle from the set XY and the"
                + " flavor text: Almost incapable of moving, this Pokemon can only harden its shell.", rows.get(1).get("caption").asText());

        BadInputException strict = assertThrows(BadInputException.class, () -> GeneratePipeline.run(SPARK.session(), settings(),
                new GeneratePipeline.Request(root.resolve("strict").toString(), null, 1, GenerateSettings.Style.SCAN, cards.toString(), true, false)));
        assertTrue(strict.getMessage().contains("line 2, field 'hp'"), strict.getMessage());
        assertFalse(Files.exists(root.resolve("strict").resolve(GeneratePipeline.MANIFEST)));
        BadInputException tooMany = assertThrows(BadInputException.class, () -> GeneratePipeline.run(SPARK.session(), settings(),
                new GeneratePipeline.Request(root.resolve("many").toString(), 5, 1, GenerateSettings.Style.SCAN, cards.toString(), false, false)));
        assertTrue(tooMany.getMessage().contains("has only 2 usable records"), tooMany.getMessage());
        BadInputException missing = assertThrows(BadInputException.class, () -> GeneratePipeline.run(SPARK.session(), settings(),
                new GeneratePipeline.Request(root.resolve("m").toString(), null, 1, GenerateSettings.Style.SCAN, root.resolve("nope.jsonl").toString(), false, false)));
        assertTrue(missing.getMessage().contains("file not found"), missing.getMessage());
    }
}
