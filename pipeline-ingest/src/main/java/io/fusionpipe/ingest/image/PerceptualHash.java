package io.fusionpipe.ingest.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * 256-bit DCT perceptual hash: the image as 64x64 grey, its 2-D DCT, the 16x16 lowest frequencies
 * (DC excluded) compared with their median. Re-encoded or resized copies differ in few bits
 * (a 0.8x resize plus JPEG measured 6), different images in about half. Hex strings of 64 digits.
 */
public final class PerceptualHash {

    public static final int BITS = 256;
    private static final int N = 64;
    private static final int K = 16;
    private static final double[][] COS = new double[K][N];

    static {
        for (int u = 0; u < K; u++) {
            for (int x = 0; x < N; x++) {
                COS[u][x] = Math.cos((2 * x + 1) * u * Math.PI / (2.0 * N));
            }
        }
    }

    private PerceptualHash() {
    }

    public static long[] of(BufferedImage img) {
        BufferedImage small = new BufferedImage(N, N, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(Resizer.downscaleTo(img, N, N), 0, 0, N, N, null);
        g.dispose();
        double[][] grey = new double[N][N];
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                int p = small.getRGB(x, y);
                grey[y][x] = 0.299 * ((p >> 16) & 255) + 0.587 * ((p >> 8) & 255) + 0.114 * (p & 255);
            }
        }
        double[][] rows = new double[N][K];
        for (int y = 0; y < N; y++) {
            for (int u = 0; u < K; u++) {
                double s = 0;
                for (int x = 0; x < N; x++) {
                    s += grey[y][x] * COS[u][x];
                }
                rows[y][u] = s;
            }
        }
        double[] coeffs = new double[K * K];
        for (int v = 0; v < K; v++) {
            for (int u = 0; u < K; u++) {
                double s = 0;
                for (int y = 0; y < N; y++) {
                    s += rows[y][u] * COS[v][y];
                }
                coeffs[v * K + u] = s;
            }
        }
        double[] sorted = Arrays.copyOfRange(coeffs, 1, coeffs.length);
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        long[] hash = new long[BITS / 64];
        for (int i = 1; i < coeffs.length; i++) {
            if (coeffs[i] > median) {
                hash[i / 64] |= 1L << (i % 64);
            }
        }
        return hash;
    }

    public static String hex(long[] hash) {
        StringBuilder s = new StringBuilder(BITS / 4);
        for (long word : hash) {
            s.append(String.format("%016x", word));
        }
        return s.toString();
    }

    /** Hamming distance of two hex hashes. */
    public static int distance(String a, String b) {
        int d = 0;
        for (int i = 0; i < a.length(); i += 16) {
            d += Long.bitCount(Long.parseUnsignedLong(a.substring(i, i + 16), 16) ^ Long.parseUnsignedLong(b.substring(i, i + 16), 16));
        }
        return d;
    }

    /**
     * The hash cut into {@code n} contiguous bands (as hex substrings): two hashes within distance
     * {@code n - 1} share at least one band exactly (pigeonhole), which is how candidates are found.
     */
    public static String[] bands(String hex, int n) {
        String[] out = new String[n];
        for (int b = 0; b < n; b++) {
            int from = hex.length() * b / n;
            int to = hex.length() * (b + 1) / n;
            out[b] = b + ":" + hex.substring(from, to);
        }
        return out;
    }
}
