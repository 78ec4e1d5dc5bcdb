package io.fusionpipe.cards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads card records, one JSON object per line, in the format of ../shared/data/pokemon-cards/
 * ({@code id, name, subtypes, hp, types, evolvesFrom, rarity, flavorText, set_name}), plus the
 * optional Pokémon TCG API lists {@code attacks, abilities, weaknesses, resistances}.
 * Every problem names the line and the field.
 */
public final class CardRecords {

    private static final ObjectMapper JSON = Json.MAPPER;

    private CardRecords() {
    }

    /** A line that is not a usable card record. */
    public static final class BadRecord extends Exception {
        private final long line;
        private final String field;

        public BadRecord(long line, String field, String message) {
            super("line " + line + (field == null ? "" : ", field '" + field + "'") + ": " + message);
            this.line = line;
            this.field = field;
        }

        public long line() {
            return line;
        }

        public String field() {
            return field;
        }
    }

    /** Parsed records and the lines that were skipped, with their problems. */
    public record Result(List<Card> cards, List<BadRecord> skipped) {
    }

    /**
     * Reads every line. With {@code strict}, the first bad line throws; otherwise bad lines are
     * skipped and returned in {@link Result#skipped()}. Blank lines are ignored. An id seen on an
     * earlier line makes the later line bad (ids are keys).
     */
    public static Result read(BufferedReader in, boolean strict) throws IOException, BadRecord {
        List<Card> cards = new ArrayList<>();
        List<BadRecord> skipped = new ArrayList<>();
        java.util.Map<String, Long> firstLine = new java.util.HashMap<>();
        String line;
        long n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                Card card = parse(line, n);
                Long first = firstLine.putIfAbsent(card.id(), n);
                if (first != null) {
                    throw new BadRecord(n, "id", "duplicate id '" + card.id() + "' (first on line " + first + ")");
                }
                cards.add(card);
            } catch (BadRecord e) {
                if (strict) {
                    throw e;
                }
                skipped.add(e);
            }
        }
        return new Result(cards, skipped);
    }

    /** One line to a card. */
    public static Card parse(String line, long lineNumber) throws BadRecord {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRecord(lineNumber, null, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new BadRecord(lineNumber, null, "not a JSON object");
        }
        String id = text(node, "id", true, lineNumber);
        String name = text(node, "name", true, lineNumber);
        List<String> subtypes = strings(node, "subtypes", lineNumber);
        List<String> types = strings(node, "types", lineNumber);
        JsonNode hp = node.get("hp");
        if (hp == null || !(hp.isInt() || (hp.isTextual() && hp.asText().matches("\\d{1,4}"))) || hp.asInt() <= 0) {
            throw new BadRecord(lineNumber, "hp", "expected a positive whole number, got " + hp);
        }
        String setName = text(node, "set_name", true, lineNumber);
        return new Card(id, name, subtypes, hp.asInt(), types,
                text(node, "evolvesFrom", false, lineNumber), text(node, "rarity", false, lineNumber), setName,
                text(node, "flavorText", false, lineNumber),
                list(node, "attacks", lineNumber, a -> new Card.Attack(a.path("name").asText(), stringList(a.path("cost")),
                        a.path("convertedEnergyCost").asInt(a.path("cost").size()), nullableText(a.get("damage")), nullableText(a.get("text")))),
                list(node, "abilities", lineNumber, a -> new Card.Ability(a.path("name").asText(), nullableText(a.get("text")))),
                list(node, "weaknesses", lineNumber, w -> new Card.TypeValue(w.path("type").asText(), w.path("value").asText())),
                list(node, "resistances", lineNumber, r -> new Card.TypeValue(r.path("type").asText(), r.path("value").asText())));
    }

    private static String text(JsonNode node, String field, boolean required, long line) throws BadRecord {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new BadRecord(line, field, "missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new BadRecord(line, field, "expected a string, got " + v.getNodeType().name().toLowerCase());
        }
        if (required && v.asText().isBlank()) {
            throw new BadRecord(line, field, "empty");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode node, String field, long line) throws BadRecord {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new BadRecord(line, field, "expected a non-empty list of strings, got " + v);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual() || e.asText().isBlank()) {
                throw new BadRecord(line, field, "expected a non-empty list of strings, got " + v);
            }
            out.add(e.asText());
        }
        return out;
    }

    private static <T> List<T> list(JsonNode node, String field, long line, Function<JsonNode, T> item) throws BadRecord {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new BadRecord(line, field, "expected a list");
        }
        List<T> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isObject() || !e.path(field.equals("weaknesses") || field.equals("resistances") ? "type" : "name").isTextual()) {
                throw new BadRecord(line, field, "expected objects with a name (or type), got " + e);
            }
            out.add(item.apply(e));
        }
        return out;
    }

    private static List<String> stringList(JsonNode v) {
        List<String> out = new ArrayList<>();
        v.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static String nullableText(JsonNode v) {
        return v == null || v.isNull() ? null : v.asText();
    }
}
