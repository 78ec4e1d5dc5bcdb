package io.fusionpipe.ingest.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/** Resizes RGB images to a target size by a policy, with step-wise halving for quality downscales. */
public final class Resizer {

    /** pad: fit inside and pad with a colour; crop: fill and cut the overflow, centred; stretch: ignore the aspect ratio. */
    public enum Policy { PAD, CROP, STRETCH;

        public static Policy parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    private Resizer() {
    }

    public static BufferedImage resize(BufferedImage src, int width, int height, Policy policy, Color pad) {
        int sw = src.getWidth();
        int sh = src.getHeight();
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            switch (policy) {
                case STRETCH -> g.drawImage(downscaleTo(src, width, height), 0, 0, width, height, null);
                case PAD -> {
                    double s = Math.min(width / (double) sw, height / (double) sh);
                    int w = Math.max(1, (int) Math.round(sw * s));
                    int h = Math.max(1, (int) Math.round(sh * s));
                    g.setColor(pad);
                    g.fillRect(0, 0, width, height);
                    g.drawImage(downscaleTo(src, w, h), (width - w) / 2, (height - h) / 2, w, h, null);
                }
                case CROP -> {
                    double s = Math.max(width / (double) sw, height / (double) sh);
                    int w = Math.max(width, (int) Math.round(sw * s));
                    int h = Math.max(height, (int) Math.round(sh * s));
                    g.drawImage(downscaleTo(src, w, h), (width - w) / 2, (height - h) / 2, w, h, null);
                }
                default -> throw new IllegalStateException(policy.name());
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Halves the image while it is more than twice the target, so bilinear sampling does not alias. */
    static BufferedImage downscaleTo(BufferedImage src, int width, int height) {
        BufferedImage cur = src;
        while (cur.getWidth() >= 2 * width && cur.getHeight() >= 2 * height) {
            int w = cur.getWidth() / 2;
            int h = cur.getHeight() / 2;
            BufferedImage half = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = half.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(cur, 0, 0, w, h, null);
            g.dispose();
            cur = half;
        }
        return cur;
    }
}
