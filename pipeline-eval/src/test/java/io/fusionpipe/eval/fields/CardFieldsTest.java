package io.fusionpipe.eval.fields;

import io.fusionpipe.cards.Card;
import io.fusionpipe.cards.CaptionTemplate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CardFieldsTest {

    @Test
    void readsEveryFieldOfATemplateCaptionBackAsTheCardHasIt() {
        Card card = Card.basic("x", "Mystiwing", List.of("Stage 1"), 60, List.of("Psychic"), "Mystikit", "Rare Holo", "Mystic Bloom",
                "It lives in desert dunes. During a storm, sparks fly.");
        Map<String, String> f = CardFields.extract(CaptionTemplate.format(card));
        assertEquals(Map.of("stage", "stage 1", "types", "psychic", "name", "mystiwing", "hp", "60", "rarity", "rare holo",
                "evolves_from", "mystikit", "set", "mystic bloom", "flavor_text", "it lives in desert dunes. during a storm, sparks fly."), f);
        Card plain = Card.basic("y", "Tidalkit", List.of("Basic"), 30, List.of("Water"), null, null, "Shadow Rift", null);
        Map<String, String> g = CardFields.extract(CaptionTemplate.format(plain));
        assertEquals("shadow rift", g.get("set"));
        assertFalse(g.containsKey("rarity") || g.containsKey("evolves_from") || g.containsKey("flavor_text"), g.toString());
    }

    @Test
    void generatedTextIsReadLeniently() {
        // lower case, tokenised spacing, cut short, an <unk> name
        Map<String, String> f = CardFields.extract("a basic pokemon card of type fire with the title <unk> and 50 hp of rarity common from the set");
        assertEquals("basic", f.get("stage"));
        assertEquals("fire", f.get("types"));
        assertEquals("<unk>", f.get("name"));
        assertEquals("50", f.get("hp"));
        assertEquals("common", f.get("rarity"));
        assertFalse(f.containsKey("set"));
        assertTrue(CardFields.extract("a photo of a dog on a beach").isEmpty());
        assertFalse(CardFields.isCardCaption("a photo of a dog on a beach"));
    }

    @Test
    void fieldScoresCountRightWrongAndHallucinated() {
        FieldScores s = new FieldScores();
        Map<String, String> ref = Map.of("stage", "basic", "types", "fire", "hp", "50");
        FieldScores.Check first = s.add(ref, Map.of("stage", "basic", "types", "water", "hp", "50", "rarity", "rare"));
        assertEquals(Map.of("stage", true, "types", false, "hp", true), first.referenceFields());
        assertEquals(List.of("types", "rarity"), first.wrong(), "wrong, and stated without being in the reference");
        assertFalse(first.allRight());
        s.add(ref, Map.of("stage", "basic", "types", "fire", "hp", "50"));
        Map<String, Double> sum = s.summary();
        assertEquals(1.0, sum.get("stage"));
        assertEquals(0.5, sum.get("types"));
        assertEquals(0.5, sum.get("all_fields"));
        assertEquals(2 / 7.0, sum.get("hallucination_rate"), 1e-12, "2 wrong of 7 stated");
        assertTrue(sum.get("name").isNaN(), "never in a reference");
    }
}
