package io.fusionpipe.eval.metrics;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Correct rounding where {@code Math} rounds the other way: the expected values are the exact results
 * (Python's decimal module at 60 digits) rounded to the nearest double.
 */
class RoundedMathTest {

    @Test
    void expAndPowRoundToTheNearestDouble() {
        assertEquals(0x1.f8535bbe09989p-1, RoundedMath.exp(-0x1.eee0ed1610500p-7));
        assertEquals(0x1.7f394cff85b11p-1, RoundedMath.exp(-0x1.28a887afd5dd8p-2));
        assertEquals(0x1.e9602afe93197p-1, RoundedMath.pow(0x1.bf14fc745ebbep-1, 1.0 / 3));
        assertEquals(0x1.6e85e0f7c12fep-1, RoundedMath.pow(0x1.77a8ab76bdb26p-2, 1.0 / 3));
        assertEquals(0x1.bd9733007828fp-1, RoundedMath.pow(0x1.25b873d8ea700p-1, 0.25));
        assertEquals(0x1.f22d07999549bp-1, RoundedMath.pow(0x1.cae72fa251de5p-1, 0.25));
    }

    @Test
    void agreesWithMathToAnUlpAndOnExactCases() {
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            double x = r.nextDouble() * 4 + 1e-9;
            double y = (r.nextDouble() - 0.5) * 20;
            assertTrue(Math.abs(RoundedMath.exp(y) - Math.exp(y)) <= Math.ulp(Math.exp(y)), "exp " + y);
            assertTrue(Math.abs(RoundedMath.log(x) - Math.log(x)) <= Math.ulp(Math.log(x)), "log " + x);
            assertTrue(Math.abs(RoundedMath.pow(x, 1.0 / 3) - Math.pow(x, 1.0 / 3)) <= Math.ulp(Math.pow(x, 1.0 / 3)), "pow " + x);
        }
        assertEquals(1.0, RoundedMath.exp(0));
        assertEquals(0.0, RoundedMath.log(1));
        assertEquals(2.0, RoundedMath.pow(4, 0.5));
        assertEquals(0.25, RoundedMath.pow(0.25, 1.0));
        assertEquals(Math.log(0), RoundedMath.log(0));
        assertEquals(0.0, RoundedMath.pow(0, 0.25));
    }
}
