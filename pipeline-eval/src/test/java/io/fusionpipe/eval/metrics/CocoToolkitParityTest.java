package io.fusionpipe.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bit-for-bit against the toolkit's own output on 400 images (resources/coco-toolkit): the corpus
 * means as NumPy sums them, CIDEr-D's sums in the toolkit's dict order, exp/log/pow correctly
 * rounded. What may remain is the last bit where glibc's pow/exp are not correctly rounded (about 1
 * call in 1,000).
 */
class CocoToolkitParityTest {

    static JsonNode toolkit() throws IOException {
        try (InputStream in = CocoToolkitParityTest.class.getResourceAsStream("/coco-toolkit/synthetic-400-seed-11.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    @Test
    void scoresAreTheToolkitsToTheLastBitButForLibmRounding() throws IOException {
        List<CaptionScorer.Image> images = ScoreBenchCommand.synthetic(400, 5, 11);
        Map<String, CaptionScorer.Scores> ours = ScoreFile.score(ScoreFile.parse("synthetic", CocoToolkitBaseline.inputJson(images)));
        StringWriter log = new StringWriter();
        CocoToolkitBaseline.Comparison c = CocoToolkitBaseline.compare(Json.MAPPER.readTree(ScoreFile.render(ours)), toolkit(),
                new PrintWriter(log, true));
        assertEquals(401 * CaptionScorer.METRICS.size(), c.compared);
        assertTrue(c.maxRelative <= 4e-16, "within an ulp or two: " + c.maxRelative + "\n" + log);
        assertTrue(c.different <= 3, c.different + " of " + c.compared + " scores not bit-identical\n" + log);
        JsonNode corpus = toolkit().path(CocoToolkitBaseline.SYSTEM).path("corpus");
        for (String m : List.of(CaptionScorer.ROUGE_L, CaptionScorer.CIDER)) {
            assertEquals(corpus.get(m).asDouble(), ours.get(CocoToolkitBaseline.SYSTEM).corpus().get(m), 0.0, m + " corpus mean as NumPy sums it");
        }
    }
}
