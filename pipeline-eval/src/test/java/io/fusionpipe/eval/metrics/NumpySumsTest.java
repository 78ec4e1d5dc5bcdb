package io.fusionpipe.eval.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** NumPy's pairwise float64 sum: the expected means are numpy 2.4.6's {@code np.mean} of the same values. */
class NumpySumsTest {

    /** Fractions of i * 0.7548..., every third scaled by 1e6: rounding differs with the order of additions. */
    static double[] values(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((i * 0.7548776662466927) % 1.0) * (i % 3 == 0 ? 1e6 : 1.0);
        }
        return v;
    }

    @Test
    void meanIsNumpysBitForBit() {
        assertEquals(NUMPY_MEAN_7, NumpySums.mean(values(7)));
        assertEquals(NUMPY_MEAN_100, NumpySums.mean(values(100)));
        assertEquals(NUMPY_MEAN_1000, NumpySums.mean(values(1000)));
        for (int n : new int[]{100, 1000}) {
            double sequential = 0;
            for (double x : values(n)) {
                sequential += x;
            }
            assertNotEquals(NumpySums.mean(values(n)), sequential / n, "a left-to-right sum rounds differently at n = " + n);
        }
    }

    static final double NUMPY_MEAN_7 = 0x1.bb066fb776912p+16;
    static final double NUMPY_MEAN_100 = 0x1.4177ba3666b90p+17;
    static final double NUMPY_MEAN_1000 = 0x1.4535032d67204p+17;
}
