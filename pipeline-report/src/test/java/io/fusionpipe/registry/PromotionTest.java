package io.fusionpipe.registry;

import org.junit.jupiter.api.Test;

import static io.fusionpipe.registry.Promotion.Outcome.FIRST;
import static io.fusionpipe.registry.Promotion.Outcome.KEPT;
import static io.fusionpipe.registry.Promotion.Outcome.PROMOTED;
import static io.fusionpipe.registry.Promotion.Outcome.REGRESSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The champion/challenger rule: better, worse, tie, noise, min-gain, no champion, no test. */
class PromotionTest {

    private static Promotion.Outcome decide(double champion, double challenger, double p, double minGain) {
        return Promotion.decide("CIDEr", champion, challenger, p, minGain, 0.05).outcome();
    }

    @Test
    void significantGainPromotes() {
        assertEquals(PROMOTED, decide(0.50, 0.60, 0.001, 0));
        assertEquals(PROMOTED, decide(0.50, 0.60, 0.049, 0.05));
    }

    @Test
    void significantLossIsARegression() {
        Promotion.Decision d = Promotion.decide("CIDEr", 0.60, 0.50, 0.002, 0, 0.05);
        assertEquals(REGRESSION, d.outcome());
        assertTrue(d.reason().contains("0.5000") && d.reason().contains("0.6000") && d.reason().contains("p = 0.002"), d.reason());
    }

    @Test
    void noiseKeepsTheChampionEitherWay() {
        Promotion.Decision up = Promotion.decide("CIDEr", 0.50, 0.52, 0.30, 0, 0.05);
        assertEquals(KEPT, up.outcome());
        assertTrue(up.reason().startsWith("not significant"), up.reason());
        assertEquals(KEPT, decide(0.50, 0.48, 0.30, 0));
        assertEquals(KEPT, decide(0.50, 0.60, 0.05, 0)); // p must be below the level, not equal
    }

    @Test
    void tieAndGainsWithinMinGainKeep() {
        Promotion.Decision tie = Promotion.decide("CIDEr", 0.5, 0.5, 1.0, 0, 0.05);
        assertEquals(KEPT, tie.outcome());
        assertTrue(tie.reason().startsWith("tie"), tie.reason());
        assertEquals(KEPT, decide(0.50, 0.505, 0.001, 0.01));
        assertEquals(KEPT, decide(0.50, 0.495, 0.001, 0.01)); // a significant but tiny loss is no regression either
    }

    @Test
    void firstChallengerBecomesChampionAndMissingTestKeeps() {
        assertEquals(FIRST, decide(Double.NaN, 0.1, Double.NaN, 0));
        Promotion.Decision d = Promotion.decide("CIDEr", 0.5, 0.9, Double.NaN, 0, 0.05);
        assertEquals(KEPT, d.outcome());
        assertTrue(d.reason().contains("no paired test"), d.reason());
    }
}
