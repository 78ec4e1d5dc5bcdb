package io.fusionpipe.cards;

import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The template against every real record in ../shared/data/pokemon-cards (internal test data, never
 * copied into the repo): rules 1-5 reproduce each caption's beginning exactly, the parser reads every
 * caption back into the record's (ASCII-folded) fields, and re-formatting the parse gives the caption.
 */
class RealCardsRoundTripTest {

    static Path realCards() {
        Path p = TestRoots.projectDir().resolveSibling("shared").resolve("data/pokemon-cards/cards.public.jsonl");
        Assumptions.assumeTrue(Files.exists(p), "SKIPPED: real card data not found at " + p + " (../shared is absent)");
        return p;
    }

    @Test
    void everyRealCaptionRoundTrips() throws Exception {
        Path file = realCards();
        List<String> failures = new ArrayList<>();
        int n = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                n++;
                Card record = CardRecords.parse(line, n);
                String caption = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("caption").asText();
                String head = CaptionTemplate.format(record);
                if (!caption.startsWith(head) || !(caption.length() == head.length() || caption.startsWith(" It has", head.length()))) {
                    failures.add(record.id() + ": rules 1-5 give '" + head + "'");
                    continue;
                }
                var parsed = CaptionTemplate.parse(caption);
                if (parsed.isEmpty()) {
                    failures.add(record.id() + ": does not parse");
                    continue;
                }
                Card p = parsed.get();
                String expected = String.join("|", fold(record.name()), fold(String.join(", ", record.subtypes())),
                        fold(String.join(", ", record.types())), String.valueOf(record.hp()), fold(record.rarity()),
                        fold(record.evolvesFrom()), fold(record.setName()), fold(record.flavorText()));
                String actual = String.join("|", p.name(), String.join(", ", p.subtypes()), String.join(", ", p.types()),
                        String.valueOf(p.hp()), p.rarity(), p.evolvesFrom(), p.setName(), p.flavorText());
                if (!expected.equals(actual)) {
                    failures.add(record.id() + ": parsed " + actual + " expected " + expected);
                } else if (!CaptionTemplate.format(p).equals(caption)) {
                    failures.add(record.id() + ": re-format differs");
                }
            }
        }
        assertEquals(10_543, n, "the README promises 10,543 records");
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " of " + n + " failed");
    }

    private static String fold(String s) {
        return s == null ? "null" : CaptionTemplate.foldAscii(s);
    }
}
