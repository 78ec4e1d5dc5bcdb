package io.fusionpipe.eval.fields;

import io.fusionpipe.cards.Card;
import io.fusionpipe.cards.CaptionTemplate;
import io.fusionpipe.eval.stats.Bootstrap;
import io.fusionpipe.records.EvalRecord;
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
    void aCheckSeparatesOmittedMisstatedAndUnaskedFields() {
        Map<String, String> ref = Map.of("stage", "basic", "types", "fire", "hp", "50");
        FieldScores.Check c = FieldScores.check(ref, Map.of("types", "water", "hp", "50", "rarity", "rare"));
        assertEquals(Map.of("stage", false, "types", false, "hp", true), c.referenceFields());
        assertEquals(List.of("stage", "types", "rarity"), c.wrong(), "omitted, misstated, stated without being in the reference");
        assertEquals(2, c.statedWrong(), "the omitted stage is not stated-and-wrong");
        assertEquals(1, c.right());
        assertFalse(c.allRight());
    }

    @Test
    void twoSystemsAreComparedPerFieldOnTheImagesWhereOneIsRightAndTheOtherNot() {
        Map<String, String> ref = Map.of("types", "fire", "hp", "50");
        Map<String, String> right = Map.of("types", "fire", "hp", "50");
        Map<String, String> wrongType = Map.of("types", "water", "hp", "50");
        List<FieldScores.Check> a = new java.util.ArrayList<>();
        List<FieldScores.Check> b = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            a.add(FieldScores.check(ref, right));
            // b misreads the type on 6 images, and is right where a is wrong on none
            b.add(FieldScores.check(ref, i < 6 ? wrongType : right));
        }
        a.add(FieldScores.check(Map.of("stage", "basic"), Map.of()));   // no type or hp in this reference: not counted for them
        b.add(FieldScores.check(Map.of("stage", "basic"), Map.of("stage", "basic")));
        Map<String, EvalRecord.Pair> byField = new java.util.LinkedHashMap<>();
        FieldScores.paired("early", a, "text_only", b).forEach(p -> byField.put(p.metric(), p));
        assertEquals(List.of("stage", "types", "hp", FieldScores.ALL_FIELDS), List.copyOf(byField.keySet()));
        assertEquals(0.5, byField.get("types").difference(), 1e-12);
        assertEquals(2 / 64.0, byField.get("types").pValue(), 1e-15, "6 disagreements all one way: 2 / 2^6");
        assertEquals(0.0, byField.get("hp").difference());
        assertEquals(1.0, byField.get("hp").pValue(), "never disagree");
        assertEquals(-1.0, byField.get("stage").difference(), "b states the stage a omits");
        assertEquals((12 - 6 - 1) / 13.0, byField.get(FieldScores.ALL_FIELDS).difference(), 1e-12);
    }

    @Test
    void statingLessLowersRecallNotTheWrongCount() {
        Map<String, String> ref = Map.of("stage", "basic", "types", "fire", "hp", "50", "name", "charmander");
        // one caption states everything with one wrong value; another only the one field it is sure of
        List<FieldScores.Check> full = List.of(FieldScores.check(ref, Map.of("stage", "basic", "types", "fire", "hp", "60", "name", "charmander")));
        List<FieldScores.Check> terse = List.of(FieldScores.check(ref, Map.of("types", "fire")));
        Map<String, EvalRecord.Estimate> f = FieldScores.estimates(full, null, 0.95);
        Map<String, EvalRecord.Estimate> t = FieldScores.estimates(terse, null, 0.95);
        assertEquals(0.75, f.get(FieldScores.RECALL).value());
        assertEquals(0.25, t.get(FieldScores.RECALL).value());
        assertEquals(1.0, f.get(FieldScores.WRONG_PER_CAPTION).value());
        assertEquals(0.0, t.get(FieldScores.WRONG_PER_CAPTION).value(), "terse is not wrong, only incomplete");
        assertEquals(0.0, f.get(FieldScores.ALL_FIELDS).value());
    }

    @Test
    void estimatesPoolOverImagesWithIntervalsAndSkipFieldsNoReferenceStates() {
        Map<String, String> ref = Map.of("stage", "basic", "types", "fire", "hp", "50");
        List<FieldScores.Check> checks = List.of(
                FieldScores.check(ref, Map.of("stage", "basic", "types", "water", "hp", "50", "rarity", "rare")),
                FieldScores.check(ref, Map.of("stage", "basic", "types", "fire", "hp", "50")),
                FieldScores.check(Map.of("stage", "stage 1", "types", "grass"), Map.of("stage", "basic", "types", "grass")));
        Map<String, EvalRecord.Estimate> e = FieldScores.estimates(checks, new Bootstrap(3, 200, 7), 0.9);
        assertEquals(2 / 3.0, e.get("stage").value(), 1e-12);
        assertEquals(3L, e.get("stage").images());
        assertEquals(1.0, e.get("hp").value());
        assertEquals(2L, e.get("hp").images(), "over the images whose reference states it");
        assertEquals(2 / 3.0, e.get("types").value(), 1e-12);
        assertEquals(1 / 3.0, e.get(FieldScores.ALL_FIELDS).value(), 1e-12);
        assertEquals(6 / 8.0, e.get(FieldScores.RECALL).value(), 1e-12, "6 of the 8 reference fields");
        assertEquals(1.0, e.get(FieldScores.WRONG_PER_CAPTION).value(), 1e-12, "water, rarity, basic: 3 over 3 captions");
        assertFalse(e.containsKey("name"), "never in a reference");
        for (EvalRecord.Estimate x : e.values()) {
            assertTrue(x.hasInterval() && x.lo() <= x.value() + 1e-12 && x.value() <= x.hi() + 1e-12, x.toString());
        }
        assertEquals(List.of("stage", "types", "hp", FieldScores.ALL_FIELDS, FieldScores.RECALL, FieldScores.WRONG_PER_CAPTION),
                List.copyOf(e.keySet()), "fields in report order, then the summaries");
    }
}
