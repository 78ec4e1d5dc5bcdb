package io.fusionpipe.eval.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class McNemarTest {

    @Test
    void exactTwoSidedBinomialOnTheDisagreements() {
        // 10 vs 2 disagreements: 2 * P(X <= 2), X ~ Bin(12, 1/2) = 2 * (1 + 12 + 66) / 4096
        assertEquals(2 * 79.0 / 4096, McNemar.exactPValue(10, 2), 1e-15);
        assertEquals(McNemar.exactPValue(10, 2), McNemar.exactPValue(2, 10), 0.0, "symmetric");
        assertEquals(1.0, McNemar.exactPValue(0, 0), "never disagree");
        assertEquals(1.0, McNemar.exactPValue(3, 3), "capped at 1");
        assertEquals(0.0625, McNemar.exactPValue(0, 5), 1e-15, "2 / 2^5");
    }

    @Test
    void largeCountsStayFinite() {
        double p = McNemar.exactPValue(2600, 2400);
        assertEquals(0.0048, p, 0.0007, "normal approximation: z = 200/sqrt(5000) = 2.83, p = 0.0047");
        assertEquals(0.0, McNemar.exactPValue(5000, 0), 1e-300);
        assertThrows(IllegalArgumentException.class, () -> McNemar.exactPValue(-1, 2));
    }
}
