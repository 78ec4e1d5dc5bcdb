package io.fusionpipe.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.json.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The standalone scoring format (the caption-metrics fixture's): input
 * {@code {"images":[{"id","references":[...],"candidates":{"<system>":"..."}}]}}, output
 * {@code {"<system>":{"corpus":{metric:value},"per_image":{"<id>":{metric:value}}}}}. Each system is
 * scored on exactly the images that have a candidate for it.
 */
public final class ScoreFile {

    private static final ObjectMapper JSON = Json.MAPPER;
    /** Longest caption scored; COCO captions are about 50 characters, generated card captions a few hundred. */
    public static final int MAX_CAPTION_CHARS = 10_000;

    private ScoreFile() {
    }

    /** Parsed input: systems in first-seen order, each with its images. */
    public static Map<String, List<CaptionScorer.Image>> parse(String source, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(source + " is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode images = root == null ? null : root.get("images");
        if (images == null || !images.isArray()) {
            throw new BadInputException(source + ": expected an object with an \"images\" array");
        }
        Map<String, List<CaptionScorer.Image>> bySystem = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < images.size(); i++) {
            JsonNode im = images.get(i);
            String where = source + ": images[" + i + "]";
            if (!im.isObject() || !im.path("id").isTextual() || im.get("id").asText().isEmpty()) {
                throw new BadInputException(where + " needs a non-empty string \"id\"");
            }
            String id = im.get("id").asText();
            where += " (id " + id + ")";
            if (!ids.add(id)) {
                throw new BadInputException(where + ": the id appears twice");
            }
            JsonNode refs = im.get("references");
            if (refs == null || !refs.isArray() || refs.isEmpty()) {
                throw new BadInputException(where + ": \"references\" must be a non-empty array of strings");
            }
            List<String> references = new ArrayList<>();
            for (JsonNode r : refs) {
                if (!r.isTextual()) {
                    throw new BadInputException(where + ": reference " + r + " is not a string");
                }
                references.add(checked(where + " reference", r.asText()));
            }
            JsonNode cands = im.get("candidates");
            if (cands == null) {
                continue;
            }
            if (!cands.isObject()) {
                throw new BadInputException(where + ": \"candidates\" must be an object of system name to caption");
            }
            Iterator<Map.Entry<String, JsonNode>> it = cands.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new BadInputException(where + ": candidate of system " + e.getKey() + " is not a string (" + e.getValue() + ")");
                }
                bySystem.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(new CaptionScorer.Image(id, references, checked(where + " candidate of " + e.getKey(), e.getValue().asText())));
            }
        }
        if (bySystem.isEmpty()) {
            throw new BadInputException(source + ": no image has a candidate; nothing to score");
        }
        return bySystem;
    }

    private static String checked(String where, String caption) {
        if (caption.length() > MAX_CAPTION_CHARS) {
            throw new BadInputException(where + " is " + caption.length() + " characters, over the " + MAX_CAPTION_CHARS
                    + " a caption may have (ROUGE-L compares every token pair, so one such caption could take minutes)");
        }
        int at = CocoTokenizer.lineBreakCharacter(caption);
        if (at >= 0) {
            throw new BadInputException(where + " contains a line-break character (U+" + String.format("%04X", (int) caption.charAt(at))
                    + ") that the COCO toolkit's tokenizer treats as a new caption; replace it with a space");
        }
        return caption;
    }

    /** Scores every system. */
    public static Map<String, CaptionScorer.Scores> score(Map<String, List<CaptionScorer.Image>> bySystem) {
        Map<String, CaptionScorer.Scores> out = new LinkedHashMap<>();
        bySystem.forEach((system, images) -> out.put(system, CaptionScorer.score(images)));
        return out;
    }

    public static String render(Map<String, CaptionScorer.Scores> scores) {
        ObjectNode root = JSON.createObjectNode();
        scores.forEach((system, s) -> {
            ObjectNode sys = root.putObject(system);
            ObjectNode corpus = sys.putObject("corpus");
            s.corpus().forEach(corpus::put);
            ObjectNode per = sys.putObject("per_image");
            s.perImage().forEach((id, m) -> {
                ObjectNode o = per.putObject(id);
                m.forEach(o::put);
            });
        });
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
