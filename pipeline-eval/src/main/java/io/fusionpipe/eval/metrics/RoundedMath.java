package io.fusionpipe.eval.metrics;

/**
 * exp, log and pow rounded correctly (to the double nearest the exact value, barring inputs within
 * about 2^-100 relative of a rounding boundary), as the C library the toolkit's Python and NumPy
 * call (glibc) is in practice. Java's {@code Math} differs from it in the last bit on about 0.1-0.2%
 * of inputs and {@code StrictMath} on about 10%, which shows in BLEU and CIDEr-D scores. Computed in
 * double-double arithmetic (about 104 bits), then rounded once.
 */
final class RoundedMath {

    private static final double LN2_HI = 0.6931471805599453;
    private static final double LN2_LO = 2.3190468138462996e-17;
    /** exp's reduced argument is halved this many times before its series, then squared back. */
    private static final int HALVINGS = 10;

    private RoundedMath() {
    }

    static double exp(double x) {
        if (Double.isNaN(x) || x > 709.7 || x < -745.2) {
            return Math.exp(x);
        }
        double[] r = expDD(x, 0);
        return r[0] + r[1];
    }

    static double log(double x) {
        if (!(x > 0) || Double.isInfinite(x)) {
            return Math.log(x);
        }
        double[] r = logDD(x);
        return r[0] + r[1];
    }

    static double pow(double x, double y) {
        if (y == 1.0) {
            return x;
        }
        if (y == 0.5 && x >= 0) {
            return Math.sqrt(x); // correctly rounded already
        }
        if (!(x > 0) || Double.isInfinite(x) || Double.isNaN(y) || Double.isInfinite(y)) {
            return Math.pow(x, y);
        }
        double[] l = logDD(x);
        double[] p = mul(l[0], l[1], y, 0);
        if (p[0] > 709.7 || p[0] < -745.2) {
            return Math.pow(x, y);
        }
        double[] r = expDD(p[0], p[1]);
        return r[0] + r[1];
    }

    /** exp of the double-double hi + lo, as a normalised double-double. */
    private static double[] expDD(double hi, double lo) {
        double k = Math.rint(hi / LN2_HI);
        // r = (hi + lo) - k * ln2, exactly enough: k * LN2_HI by fma, the rest in double-double
        double[] t = mul(LN2_HI, LN2_LO, k, 0);
        double[] r = add(hi, lo, -t[0], -t[1]);
        double scale = Math.scalb(1.0, -HALVINGS);
        double rh = r[0] * scale;
        double rl = r[1] * scale;
        // Taylor series of exp(r) - 1 for |r| < 2^-11: terms to r^9 / 9! are below 2^-110
        double[] sum = {0, 0};
        double[] term = {1, 0};
        for (int n = 1; n <= 9; n++) {
            term = mul(term[0], term[1], rh, rl);
            term = div(term[0], term[1], n);
            sum = add(sum[0], sum[1], term[0], term[1]);
        }
        // (1 + s)^2 - 1 = s * (2 + s), keeping the small part exact through the squarings
        for (int i = 0; i < HALVINGS; i++) {
            double[] twoPlus = add(2, 0, sum[0], sum[1]);
            sum = mul(sum[0], sum[1], twoPlus[0], twoPlus[1]);
        }
        double[] e = add(1, 0, sum[0], sum[1]);
        int kk = (int) k;
        return new double[]{Math.scalb(e[0], kk), Math.scalb(e[1], kk)};
    }

    /** log x as a double-double: one Newton step y + x * exp(-y) - 1 from Math.log's (near-exact) y. */
    private static double[] logDD(double x) {
        double y = Math.log(x);
        double[] e = expDD(-y, 0);
        double[] xe = mul(e[0], e[1], x, 0);
        double[] d = add(xe[0], xe[1], -1, 0);
        return add(y, 0, d[0], d[1]);
    }

    private static double[] add(double ah, double al, double bh, double bl) {
        double s = ah + bh;
        double v = s - ah;
        double e = (ah - (s - v)) + (bh - v);
        e += al + bl;
        double h = s + e;
        return new double[]{h, e - (h - s)};
    }

    private static double[] mul(double ah, double al, double bh, double bl) {
        double p = ah * bh;
        double e = Math.fma(ah, bh, -p);
        e += ah * bl + al * bh;
        double h = p + e;
        return new double[]{h, e - (h - p)};
    }

    private static double[] div(double ah, double al, double b) {
        double q = ah / b;
        // remainder (a - q * b) exactly by fma, then the correction
        double r = Math.fma(-q, b, ah) + al;
        double c = r / b;
        double h = q + c;
        return new double[]{h, c - (h - q)};
    }
}
