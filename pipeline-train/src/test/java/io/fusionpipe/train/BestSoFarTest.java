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

    @Test
    void anEpochWithoutALossStillLeavesAModel() {
        // a tiny dataset without a val split whose train-loss sample came out empty: the loss is NaN
        TrainPipeline.BestSoFar b = TrainPipeline.BestSoFar.START;
        assertTrue(b.improvedBy(Double.NaN), "the first epoch writes best.zip even without a loss");
        b = b.after(Double.NaN, 0.5);
        assertEquals(Double.POSITIVE_INFINITY, b.best(), "no loss is no best");
        assertEquals(1, b.sinceBest());
        assertFalse(b.improvedBy(Double.NaN), "a later epoch without a loss keeps the earlier model");
        assertTrue(b.improvedBy(50), "a measured loss beats none");
        assertEquals(50, b.after(50, 0.5).best());
    }
}
