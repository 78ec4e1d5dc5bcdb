package io.fusionpipe.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public caption-metrics fixture (60 images x 4 systems, scored by pycocoevalcap): tokenization
 * string-identical, every corpus and per-image score within 1e-9 absolute.
 */
class CocoFixtureTest {

    static final double TOLERANCE = 1e-9;

    static JsonNode read(String name) throws IOException {
        try (InputStream in = CocoFixtureTest.class.getResourceAsStream("/caption-metrics/" + name)) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Set<String> systems(JsonNode images) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode im : images) {
            im.get("candidates").fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void tokenizationIsTheToolkits() throws IOException {
        JsonNode raw = read("public.json").get("images");
        JsonNode tokenized = read("public.tokenized.json").get("images");
        List<String> refs = new ArrayList<>();
        List<String> expectedRefs = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            refs.addAll(strings(raw.get(i).get("references")));
            expectedRefs.addAll(strings(tokenized.get(i).get("references")));
        }
        assertEquals(expectedRefs, CocoTokenizer.tokenize(refs));
        for (String system : systems(raw)) {
            List<String> cands = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                if (raw.get(i).get("candidates").has(system)) {
                    cands.add(raw.get(i).get("candidates").get(system).asText());
                    expected.add(tokenized.get(i).get("candidates").get(system).asText());
                }
            }
            assertEquals(expected, CocoTokenizer.tokenize(cands), system);
        }
    }

    @Test
    void everyScoreMatchesTheToolkitFromRawCaptions() throws IOException {
        JsonNode raw = read("public.json").get("images");
        JsonNode expected = read("public.expected.json");
        int checked = 0;
        for (String system : systems(raw)) {
            List<CaptionScorer.Image> images = new ArrayList<>();
            for (JsonNode im : raw) {
                if (im.get("candidates").has(system)) {
                    images.add(new CaptionScorer.Image(im.get("id").asText(), strings(im.get("references")),
                            im.get("candidates").get(system).asText()));
                }
            }
            checked += compare(system, CaptionScorer.score(images), expected.get(system));
        }
        assertEquals(4 * 6 + (60 + 60 + 60 + 52) * 6, checked);
    }

    @Test
    void scoringTheToolkitsTokensNeedsNoTokenizer() throws IOException {
        JsonNode tok = read("public.tokenized.json").get("images");
        JsonNode expected = read("public.expected.json");
        for (String system : systems(tok)) {
            List<String> ids = new ArrayList<>();
            List<List<String>> refs = new ArrayList<>();
            List<String> cands = new ArrayList<>();
            for (JsonNode im : tok) {
                if (im.get("candidates").has(system)) {
                    ids.add(im.get("id").asText());
                    refs.add(strings(im.get("references")));
                    cands.add(im.get("candidates").get(system).asText());
                }
            }
            compare(system, CaptionScorer.scoreTokenized(ids, refs, cands), expected.get(system));
        }
    }

    static int compare(String system, CaptionScorer.Scores got, JsonNode expected) {
        int n = 0;
        for (String metric : CaptionScorer.METRICS) {
            assertEquals(expected.get("corpus").get(metric).asDouble(), got.corpus().get(metric), TOLERANCE, system + " corpus " + metric);
            n++;
        }
        assertEquals(expected.get("per_image").size(), got.perImage().size(), system + " images scored");
        Iterator<Map.Entry<String, JsonNode>> it = expected.get("per_image").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            Map<String, Double> mine = got.perImage().get(e.getKey());
            assertTrue(mine != null, system + " " + e.getKey() + " not scored");
            for (String metric : CaptionScorer.METRICS) {
                assertEquals(e.getValue().get(metric).asDouble(), mine.get(metric), TOLERANCE, system + " " + e.getKey() + " " + metric);
                n++;
            }
        }
        return n;
    }
}
