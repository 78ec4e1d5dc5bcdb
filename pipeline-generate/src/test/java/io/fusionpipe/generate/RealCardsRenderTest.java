package io.fusionpipe.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --cards with the real records of ../shared (skipped when absent): captions are the real captions' rules 1-5 part. */
class RealCardsRenderTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark();

    @Test
    void rendersRealRecordsWithTheirOwnCaptions() throws Exception {
        Path cards = TestRoots.projectDir().resolveSibling("shared").resolve("data/pokemon-cards/cards.public.jsonl");
        Assumptions.assumeTrue(Files.exists(cards), "SKIPPED: real card data not found at " + cards + " (../shared is absent)");
        Path out = TestRoots.newRoot("real-cards").resolve("out");
        GeneratePipeline.Summary s = GeneratePipeline.run(SPARK.session(), GenerateSettings.of(SPARK.config()),
                new GeneratePipeline.Request(out.toString(), 60, 1, GenerateSettings.Style.MIXED, cards.toString(), true, false));
        assertEquals(60, s.cards());
        ObjectMapper json = new ObjectMapper();
        List<String> realLines = Files.readAllLines(cards).subList(0, 60);
        List<String> manifest = Files.readAllLines(out.resolve("manifest.jsonl"));
        for (int i = 0; i < 60; i++) {
            JsonNode real = json.readTree(realLines.get(i));
            JsonNode row = json.readTree(manifest.get(i));
            assertEquals(real.get("id").asText(), row.get("id").asText());
            assertTrue(real.get("caption").asText().startsWith(row.get("caption").asText()),
                    "rules 1-5 of " + real.get("id") + ": " + row.get("caption"));
            assertTrue(Files.size(out.resolve(row.get("image").asText())) > 1000);
        }
    }
}
