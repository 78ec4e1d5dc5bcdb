package io.fusionpipe.eval.stats;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootstrapTest {

    @Test
    void sameSeedSameIntervalsAndTheyCoverTheMean() {
        double[] v = new Random(1).doubles(200).toArray();
        double mean = Bootstrap.mean(v, java.util.stream.IntStream.range(0, 200).toArray());
        double[] a = Bootstrap.interval(new Bootstrap(200, 1000, 7).distribution(idx -> Bootstrap.mean(v, idx)), 0.95);
        double[] b = Bootstrap.interval(new Bootstrap(200, 1000, 7).distribution(idx -> Bootstrap.mean(v, idx)), 0.95);
        double[] c = Bootstrap.interval(new Bootstrap(200, 1000, 8).distribution(idx -> Bootstrap.mean(v, idx)), 0.95);
        assertArrayEquals(a, b, 0);
        assertTrue(a[0] != c[0] || a[1] != c[1], "another seed, other resamples");
        assertTrue(a[0] < mean && mean < a[1]);
        // uniform(0,1): sd 0.289, standard error 0.0204, 95% half-width about 0.04
        assertEquals(0.04, (a[1] - a[0]) / 2, 0.01);
    }

    @Test
    void pairedTestSeparatesARealDifferenceFromNoise() {
        Random r = new Random(3);
        double[] base = r.doubles(300).toArray();
        double[] better = new double[300];
        double[] same = new double[300];
        for (int i = 0; i < 300; i++) {
            better[i] = base[i] + 0.05 + 0.01 * r.nextGaussian();
            same[i] = base[i] + 0.01 * r.nextGaussian();
        }
        Bootstrap b = new Bootstrap(300, 1000, 1);
        double[] db = b.distribution(idx -> Bootstrap.mean(base, idx));
        assertTrue(Bootstrap.pairedPValue(b.distribution(idx -> Bootstrap.mean(better, idx)), db) < 0.01);
        assertTrue(Bootstrap.pairedPValue(b.distribution(idx -> Bootstrap.mean(same, idx)), db) > 0.05);
        assertEquals(1.0, Bootstrap.pairedPValue(db, db), 0, "identical systems");
    }
}
