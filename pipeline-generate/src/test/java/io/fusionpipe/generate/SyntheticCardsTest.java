package io.fusionpipe.generate;

import io.fusionpipe.cards.CaptionTemplate;
import io.fusionpipe.cards.Card;
import io.fusionpipe.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticCardsTest {

    private static GenerateSettings settings() {
        return GenerateSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties()).load());
    }

    @Test
    void generatedCaptionsRoundTripThroughTheParser() {
        CardGenerator gen = new CardGenerator(99, GenerateSettings.Style.SCAN, settings());
        Map<String, Integer> types = new HashMap<>();
        int withFlavor = 0;
        for (int i = 0; i < 2000; i++) {
            Card c = gen.card(i, null);
            String caption = CaptionTemplate.format(c);
            Card p = CaptionTemplate.parse(caption).orElseThrow(() -> new AssertionError(caption));
            assertEquals(c.name(), p.name());
            assertEquals(c.subtypes(), p.subtypes());
            assertEquals(c.types(), p.types());
            assertEquals(c.hp(), p.hp());
            assertEquals(c.rarity(), p.rarity());
            assertEquals(c.evolvesFrom(), p.evolvesFrom());
            assertEquals(c.setName(), p.setName());
            assertEquals(c.flavorText(), p.flavorText());
            assertEquals(caption, CaptionTemplate.format(p));
            assertTrue(c.hp() % 10 == 0 && c.hp() >= 30 && c.hp() <= 340, "HP " + c.hp());
            types.merge(c.types().get(0), 1, Integer::sum);
            withFlavor += c.flavorText() == null ? 0 : 1;
        }
        assertTrue(types.size() >= 9, "most types occur: " + types);
        assertTrue(withFlavor > 900 && withFlavor < 1700, "about 63% have flavor text: " + withFlavor);
    }

    @Test
    void evolutionChainsAreConsistent() {
        Set<String> names = new HashSet<>();
        Map<String, CardCatalog.Species> byName = new HashMap<>();
        for (CardCatalog.Species s : CardCatalog.builtIn(0.63).species()) {
            assertTrue(names.add(s.name()), "unique name " + s.name());
            byName.put(s.name(), s);
        }
        for (CardCatalog.Species s : byName.values()) {
            if (s.stage() == 0) {
                assertEquals(null, s.evolvesFrom());
            } else {
                CardCatalog.Species prev = byName.get(s.evolvesFrom());
                assertEquals(s.stage() - 1, prev.stage(), s + " evolves from " + prev);
                assertEquals(prev.types(), s.types());
            }
        }
    }

    @Test
    void renderingIsDeterministic() {
        CardGenerator a = new CardGenerator(5, GenerateSettings.Style.PHOTO, settings());
        CardGenerator b = new CardGenerator(5, GenerateSettings.Style.PHOTO, settings());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.generate(i, null).image(), b.generate(i, null).image());
        }
    }

    @Test
    void fileNamesAreSafeAndDistinctIdsNeverShareOne() {
        assertEquals("base1-1", CardGenerator.fileSafeId("base1-1"));
        String q = CardGenerator.fileSafeId("ex10-?");
        String x = CardGenerator.fileSafeId("ex10-!");
        assertTrue(q.matches("ex10-_~[0-9a-f]{8}") && x.matches("ex10-_~[0-9a-f]{8}") && !q.equals(x), q + " " + x);
        assertTrue(CardGenerator.fileSafeId("../../etc/passwd").matches("_[._/A-Za-z0-9-]*~[0-9a-f]{8}")
                && !CardGenerator.fileSafeId("../../etc/passwd").contains("/"));
    }

    @Test
    void homographyMapsCornersOntoCorners() {
        double[] from = {0, 0, 100, 0, 100, 150, 0, 150};
        double[] to = {10, 5, 95, 12, 105, 160, -3, 140};
        double[] h = PhotoCompositor.homography(from, to);
        for (int i = 0; i < 4; i++) {
            double x = from[2 * i];
            double y = from[2 * i + 1];
            double d = h[6] * x + h[7] * y + 1;
            assertEquals(to[2 * i], (h[0] * x + h[1] * y + h[2]) / d, 1e-9);
            assertEquals(to[2 * i + 1], (h[3] * x + h[4] * y + h[5]) / d, 1e-9);
        }
    }
}
