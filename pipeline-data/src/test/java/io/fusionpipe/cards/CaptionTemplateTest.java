package io.fusionpipe.cards;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptionTemplateTest {

    private static final Card ALAKAZAM = new Card("base1-1", "Alakazam", List.of("Stage 2"), 80, List.of("Psychic"), "Kadabra",
            "Rare Holo", "Base", "Its brain can outperform a supercomputer. Its intelligence quotient is said to be 5000.",
            List.of(new Card.Attack("Confuse Ray", List.of("Psychic", "Psychic", "Psychic"), 3, "30",
                    "Flip a coin. If heads, the Defending Pokémon is now Confused.")),
            List.of(new Card.Ability("Damage Swap", "As often as you like during your turn (before your attack), you may move 1 damage"
                    + " counter from 1 of your Pokémon to another as long as you don't Knock Out that Pokémon. This power can't be"
                    + " used if Alakazam is Asleep, Confused, or Paralyzed.")),
            List.of(new Card.TypeValue("Psychic", "×2")), List.of());

    /** base1-1 exactly as ../shared/data/pokemon-cards/README.md prints it. */
    private static final String ALAKAZAM_CAPTION = "A Stage 2 Pokemon Card of type Psychic with the title Alakazam and 80 HP of rarity Rare Holo"
            + " evolved from Kadabra from the set Base and the flavor text: Its brain can outperform a supercomputer. Its intelligence"
            + " quotient is said to be 5000. It has the attack Confuse Ray with the cost Psychic, Psychic, Psychic, the energy cost 3"
            + " and the damage of 30 with the description: Flip a coin. If heads, the Defending Pokemon is now Confused. It has the"
            + " ability Damage Swap with the description: As often as you like during your turn (before your attack), you may move 1"
            + " damage counter from 1 of your Pokemon to another as long as you don't Knock Out that Pokemon. This power can't be used"
            + " if Alakazam is Asleep, Confused, or Paralyzed. It has weakness against Psychic 2. ";

    @Test
    void formatsTheReadmeExampleExactly() {
        assertEquals(ALAKAZAM_CAPTION, CaptionTemplate.format(ALAKAZAM));
    }

    @Test
    void parsesItBackField() {
        Card p = CaptionTemplate.parse(ALAKAZAM_CAPTION).orElseThrow();
        assertEquals("Alakazam", p.name());
        assertEquals(List.of("Stage 2"), p.subtypes());
        assertEquals(80, p.hp());
        assertEquals("Kadabra", p.evolvesFrom());
        assertEquals("Rare Holo", p.rarity());
        assertEquals("Base", p.setName());
        assertEquals("Its brain can outperform a supercomputer. Its intelligence quotient is said to be 5000.", p.flavorText());
        assertEquals(1, p.attacks().size());
        assertEquals("30", p.attacks().get(0).damage());
        assertEquals(List.of(new Card.TypeValue("Psychic", "2")), p.weaknesses());
        assertEquals(ALAKAZAM_CAPTION, CaptionTemplate.format(p));
    }

    @Test
    void missingRarityEvolutionAndFlavorChangeTheShape() {
        Card c = Card.basic("x", "Pikachu δ", List.of("Basic", "V"), 190, List.of("Lightning", "Metal"), null, null, "Vivid Voltage", null);
        String caption = CaptionTemplate.format(c);
        assertEquals("A Basic, V Pokemon Card of type Lightning, Metal with the title Pikachu  and 190 HP from the set Vivid Voltage. ", caption);
        Card p = CaptionTemplate.parse(caption).orElseThrow();
        assertEquals("Pikachu ", p.name(), "folded: the symbol is dropped, its space kept");
        assertEquals(List.of("Lightning", "Metal"), p.types());
        assertEquals(null, p.rarity());
        assertEquals(null, p.flavorText());
    }

    @Test
    void flavorTextThatStartsLikeAnAbilityStaysFlavor() {
        Card c = Card.basic("x", "Deoxys", List.of("Basic"), 70, List.of("Psychic"), null, "Rare", "Legends Awakened",
                "It has the ability to distort space. It is a deity.");
        Card p = CaptionTemplate.parse(CaptionTemplate.format(c)).orElseThrow();
        assertEquals("It has the ability to distort space. It is a deity.", p.flavorText());
        assertTrue(p.abilities().isEmpty());
    }

    @Test
    void textThatIsNotACaptionDoesNotParse() {
        for (String bad : new String[]{"", "a photo of a cat", "A Basic Pokemon Card of type Fire with the title X and many HP from the set Y. ",
                "A Basic Pokemon Card of type Fire with the title X and 50 HP from the set Y. It has the attack"}) {
            assertTrue(CaptionTemplate.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    void recordsReportLineAndField() throws Exception {
        String jsonl = String.join("\n",
                "{\"id\":\"a-1\",\"name\":\"Charmander\",\"subtypes\":[\"Basic\"],\"hp\":50,\"types\":[\"Fire\"],\"set_name\":\"Base\"}",
                "",
                "{\"id\":\"a-2\",\"name\":\"Charmeleon\",\"subtypes\":[\"Stage 1\"],\"hp\":\"x\",\"types\":[\"Fire\"],\"set_name\":\"Base\"}",
                "{not json",
                "{\"id\":\"a-4\",\"name\":\"Charizard\",\"subtypes\":[],\"hp\":120,\"types\":[\"Fire\"],\"set_name\":\"Base\"}");
        CardRecords.Result r = CardRecords.read(new BufferedReader(new StringReader(jsonl)), false);
        assertEquals(1, r.cards().size());
        assertEquals(3, r.skipped().size());
        assertEquals("line 3, field 'hp': expected a positive whole number, got \"x\"", r.skipped().get(0).getMessage());
        assertEquals(4, r.skipped().get(1).line());
        assertEquals("subtypes", r.skipped().get(2).field());
        CardRecords.BadRecord e = assertThrows(CardRecords.BadRecord.class,
                () -> CardRecords.read(new BufferedReader(new StringReader(jsonl)), true));
        assertEquals(3, e.line());
    }
}
