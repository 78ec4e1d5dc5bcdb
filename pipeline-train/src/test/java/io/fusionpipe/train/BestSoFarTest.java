package io.fusionpipe.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Early stopping's bookkeeping, without Spark. */
class BestSoFarTest {

    @Test
    void improvementsBelowMinDeltaCountAsNoImprovementButStillMoveTheBest() {
        TrainPipeline.BestSoFar b = TrainPipeline.BestSoFar.START;
        assertTrue(b.improvedBy(100), "the first epoch is always the best so far");
        b = b.after(100, 0.5);
        assertEquals(0, b.sinceBest());
        b = b.after(99.8, 0.5);
        assertEquals(99.8, b.best(), "best.zip follows every improvement");
        assertEquals(1, b.sinceBest(), "but 0.2 < min-delta is no progress for early stopping");
        b = b.after(101, 0.5);
        assertEquals(2, b.sinceBest());
        assertFalse(b.improvedBy(99.9));
        assertTrue(b.stop(2));
        assertFalse(b.stop(3));
        assertFalse(b.stop(0), "patience 0 never stops");
        assertEquals(0, b.after(90, 0.5).sinceBest());
    }
}
