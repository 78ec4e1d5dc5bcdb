package io.fusionpipe.generate;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.util.SplittableRandom;

/**
 * Puts a rendered card into a phone-photo-like scene: textured background, rotation and
 * perspective, a drop shadow, a lighting gradient, sometimes a finger over an edge, blur and
 * sensor noise (JPEG artefacts come from the encoder). Every choice comes from the given random
 * stream, so the same seed gives the same pixels.
 */
public final class PhotoCompositor {

    private PhotoCompositor() {
    }

    /** Settings of the photo style. */
    public record Settings(int width, int height, double occlusionRate, double maxRotationDegrees) {
    }

    public static BufferedImage compose(BufferedImage card, Settings s, SplittableRandom r) {
        int w = s.width();
        int h = s.height();
        int[] px = background(w, h, r);

        // Where the card lands: scale, rotation, small perspective jitter of each corner.
        int cw = card.getWidth();
        int ch = card.getHeight();
        double scale = h * (0.70 + 0.16 * r.nextDouble()) / ch;
        double angle = Math.toRadians((r.nextDouble() * 2 - 1) * s.maxRotationDegrees());
        double cx = w / 2.0 + (r.nextDouble() - 0.5) * w * 0.12;
        double cy = h / 2.0 + (r.nextDouble() - 0.5) * h * 0.08;
        AffineTransform place = new AffineTransform();
        place.translate(cx, cy);
        place.rotate(angle);
        place.scale(scale, scale);
        place.translate(-cw / 2.0, -ch / 2.0);
        double[] src = {0, 0, cw, 0, cw, ch, 0, ch};
        double[] dst = new double[8];
        place.transform(src, 0, dst, 0, 4);
        double jitter = cw * scale * 0.05;
        for (int i = 0; i < 8; i++) {
            dst[i] += (r.nextDouble() * 2 - 1) * jitter;
        }
        double[] inverse = homography(dst, src);
        int[] cardPx = card.getRGB(0, 0, cw, ch, null, 0, cw);
        warp(px, w, h, cardPx, cw, ch, inverse, dst);

        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, px, 0, w);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            if (r.nextDouble() < s.occlusionRate()) {
                finger(g, dst, r);
            }
            // Lighting: a soft gradient from a random direction, brighter on one side.
            double a = r.nextDouble() * 2 * Math.PI;
            float dx = (float) (Math.cos(a) * w / 2);
            float dy = (float) (Math.sin(a) * h / 2);
            int alpha = 30 + r.nextInt(60);
            g.setPaint(new GradientPaint(w / 2f - dx, h / 2f - dy, new Color(255, 250, 235, alpha),
                    w / 2f + dx, h / 2f + dy, new Color(0, 0, 20, alpha)));
            g.fillRect(0, 0, w, h);
        } finally {
            g.dispose();
        }
        double sigma = r.nextDouble() * 1.2;
        if (sigma > 0.3) {
            out = blur(out, sigma);
        }
        addNoise(out, 2 + r.nextDouble() * 5, r);
        return out;
    }

    /** Table, cloth or paper: a base colour with smooth value noise and a grain. */
    private static int[] background(int w, int h, SplittableRandom r) {
        int[][] bases = {{150, 110, 75}, {95, 70, 50}, {200, 195, 185}, {60, 80, 110}, {120, 130, 120}, {180, 160, 130}};
        int[] base = bases[r.nextInt(bases.length)];
        int cell = 24;
        int gw = w / cell + 2;
        int gh = h / cell + 2;
        double[] grid = new double[gw * gh];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = r.nextDouble() * 2 - 1;
        }
        double grainFreq = 0.05 + r.nextDouble() * 0.25;
        double grainAmp = r.nextDouble() * 12;
        double grainAngle = r.nextDouble() * Math.PI;
        double gx = Math.cos(grainAngle);
        double gy = Math.sin(grainAngle);
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double fx = x / (double) cell;
                double fy = y / (double) cell;
                int ix = (int) fx;
                int iy = (int) fy;
                double tx = fx - ix;
                double ty = fy - iy;
                double n = lerp(lerp(grid[iy * gw + ix], grid[iy * gw + ix + 1], tx),
                        lerp(grid[(iy + 1) * gw + ix], grid[(iy + 1) * gw + ix + 1], tx), ty);
                double v = n * 18 + Math.sin((x * gx + y * gy) * grainFreq) * grainAmp;
                px[y * w + x] = rgb(base[0] + v, base[1] + v, base[2] + v);
            }
        }
        return px;
    }

    /** Inverse-maps every pixel inside the card's quad to the card (bilinear), with a drop shadow first. */
    private static void warp(int[] px, int w, int h, int[] card, int cw, int ch, double[] inv, double[] quad) {
        int minX = w;
        int minY = h;
        int maxX = 0;
        int maxY = 0;
        for (int i = 0; i < 8; i += 2) {
            minX = Math.min(minX, (int) Math.floor(quad[i]));
            maxX = Math.max(maxX, (int) Math.ceil(quad[i]));
            minY = Math.min(minY, (int) Math.floor(quad[i + 1]));
            maxY = Math.max(maxY, (int) Math.ceil(quad[i + 1]));
        }
        int shadowX = 4;
        int shadowY = 5;
        for (int pass = 0; pass < 2; pass++) {
            for (int y = Math.max(0, minY); y <= Math.min(h - 1, maxY + shadowY); y++) {
                for (int x = Math.max(0, minX); x <= Math.min(w - 1, maxX + shadowX); x++) {
                    double sx = pass == 0 ? x - shadowX : x;
                    double sy = pass == 0 ? y - shadowY : y;
                    double d = inv[6] * sx + inv[7] * sy + 1;
                    double u = (inv[0] * sx + inv[1] * sy + inv[2]) / d;
                    double v = (inv[3] * sx + inv[4] * sy + inv[5]) / d;
                    if (u < 0 || v < 0 || u > cw - 1 || v > ch - 1) {
                        continue;
                    }
                    if (pass == 0) {
                        int p = px[y * w + x];
                        px[y * w + x] = rgb(((p >> 16) & 255) * 0.55, ((p >> 8) & 255) * 0.55, (p & 255) * 0.55);
                    } else {
                        px[y * w + x] = bilinear(card, cw, ch, u, v);
                    }
                }
            }
        }
    }

    private static void finger(Graphics2D g, double[] quad, SplittableRandom r) {
        int corner = r.nextInt(4);
        double x = quad[corner * 2];
        double y = quad[corner * 2 + 1];
        Color[] skins = {new Color(0xF1C27D), new Color(0xE0AC69), new Color(0xC68642), new Color(0x8D5524), new Color(0xFFDBAC)};
        Color skin = skins[r.nextInt(skins.length)];
        double angle = Math.atan2(y - (quad[1] + quad[5]) / 2, x - (quad[0] + quad[4]) / 2) + (r.nextDouble() - 0.5) * 0.6;
        AffineTransform old = g.getTransform();
        g.translate(x, y);
        g.rotate(angle);
        double len = 120;
        double thick = 26 + r.nextDouble() * 10;
        g.setPaint(new GradientPaint(0, (float) (-thick / 2), skin.brighter(), 0, (float) (thick / 2), skin.darker()));
        g.fill(new RoundRectangle2D.Double(-thick * 0.9, -thick / 2, len, thick, thick, thick));
        g.setColor(new Color(255, 235, 230, 120));
        g.fill(new RoundRectangle2D.Double(-thick * 0.8, -thick / 3.2, thick * 0.7, thick * 0.62, thick * 0.5, thick * 0.5));
        g.setTransform(old);
    }

    private static BufferedImage blur(BufferedImage img, double sigma) {
        int radius = (int) Math.ceil(sigma * 2.5);
        int size = radius * 2 + 1;
        float[] k1 = new float[size];
        float sum = 0;
        for (int i = 0; i < size; i++) {
            int d = i - radius;
            k1[i] = (float) Math.exp(-d * d / (2 * sigma * sigma));
            sum += k1[i];
        }
        for (int i = 0; i < size; i++) {
            k1[i] /= sum;
        }
        BufferedImage tmp = new ConvolveOp(new Kernel(size, 1, k1), ConvolveOp.EDGE_NO_OP, null).filter(img, null);
        return new ConvolveOp(new Kernel(1, size, k1), ConvolveOp.EDGE_NO_OP, null).filter(tmp, null);
    }

    private static void addNoise(BufferedImage img, double sigma, SplittableRandom r) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < px.length; i++) {
            double n = r.nextGaussian() * sigma;
            int p = px[i];
            px[i] = rgb(((p >> 16) & 255) + n + r.nextGaussian() * sigma * 0.3, ((p >> 8) & 255) + n, (p & 255) + n);
        }
        img.setRGB(0, 0, w, h, px, 0, w);
    }

    private static int bilinear(int[] img, int w, int h, double u, double v) {
        int x0 = (int) u;
        int y0 = (int) v;
        int x1 = Math.min(x0 + 1, w - 1);
        int y1 = Math.min(y0 + 1, h - 1);
        double tx = u - x0;
        double ty = v - y0;
        int a = img[y0 * w + x0];
        int b = img[y0 * w + x1];
        int c = img[y1 * w + x0];
        int d = img[y1 * w + x1];
        double rr = lerp(lerp((a >> 16) & 255, (b >> 16) & 255, tx), lerp((c >> 16) & 255, (d >> 16) & 255, tx), ty);
        double gg = lerp(lerp((a >> 8) & 255, (b >> 8) & 255, tx), lerp((c >> 8) & 255, (d >> 8) & 255, tx), ty);
        double bb = lerp(lerp(a & 255, b & 255, tx), lerp(c & 255, d & 255, tx), ty);
        return rgb(rr, gg, bb);
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static int rgb(double r, double g, double b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    private static int clamp(double v) {
        return v < 0 ? 0 : v > 255 ? 255 : (int) Math.round(v);
    }

    /**
     * The 3x3 projective transform (h33 = 1, returned as 8 numbers) mapping the four points
     * {@code from} onto {@code to}, solved by Gaussian elimination.
     */
    static double[] homography(double[] from, double[] to) {
        double[][] a = new double[8][9];
        for (int i = 0; i < 4; i++) {
            double x = from[2 * i];
            double y = from[2 * i + 1];
            double u = to[2 * i];
            double v = to[2 * i + 1];
            a[2 * i] = new double[]{x, y, 1, 0, 0, 0, -u * x, -u * y, u};
            a[2 * i + 1] = new double[]{0, 0, 0, x, y, 1, -v * x, -v * y, v};
        }
        for (int col = 0; col < 8; col++) {
            int pivot = col;
            for (int row = col + 1; row < 8; row++) {
                if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
                    pivot = row;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            for (int row = 0; row < 8; row++) {
                if (row != col) {
                    double f = a[row][col] / a[col][col];
                    for (int k = col; k < 9; k++) {
                        a[row][k] -= f * a[col][k];
                    }
                }
            }
        }
        double[] h = new double[8];
        for (int i = 0; i < 8; i++) {
            h[i] = a[i][8] / a[i][i];
        }
        return h;
    }
}
