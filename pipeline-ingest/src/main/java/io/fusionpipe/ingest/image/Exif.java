package io.fusionpipe.ingest.image;

import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;

/** Reads the EXIF orientation tag of a JPEG and applies it, so stored images are upright. */
final class Exif {

    private Exif() {
    }

    /** The orientation (1-8) from the APP1 Exif segment, 1 when absent or unreadable. */
    static int orientation(byte[] d) {
        int i = 2;
        while (i + 4 <= d.length && (d[i] & 0xFF) == 0xFF) {
            int marker = d[i + 1] & 0xFF;
            int len = ((d[i + 2] & 0xFF) << 8) | (d[i + 3] & 0xFF);
            if (marker == 0xDA || len < 2) {
                return 1;
            }
            if (marker == 0xE1 && i + 10 <= d.length && d[i + 4] == 'E' && d[i + 5] == 'x' && d[i + 6] == 'i' && d[i + 7] == 'f') {
                return tiffOrientation(d, i + 10, Math.min(d.length, i + 2 + len));
            }
            i += 2 + len;
        }
        return 1;
    }

    private static int tiffOrientation(byte[] d, int tiff, int end) {
        if (tiff + 8 > end) {
            return 1;
        }
        boolean little = d[tiff] == 'I';
        int ifd = tiff + (int) read(d, tiff + 4, 4, little);
        if (ifd + 2 > end || ifd < tiff) {
            return 1;
        }
        int entries = (int) read(d, ifd, 2, little);
        for (int e = 0; e < entries; e++) {
            int at = ifd + 2 + e * 12;
            if (at + 12 > end) {
                return 1;
            }
            if (read(d, at, 2, little) == 0x0112) {
                int v = (int) read(d, at + 8, 2, little);
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    private static long read(byte[] d, int at, int n, boolean little) {
        long v = 0;
        for (int k = 0; k < n; k++) {
            int b = d[at + (little ? n - 1 - k : k)] & 0xFF;
            v = (v << 8) | b;
        }
        return v;
    }

    /** Turns an image stored with orientation {@code o} upright. */
    static BufferedImage apply(BufferedImage img, int o) {
        if (o <= 1) {
            return img;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        AffineTransform t = new AffineTransform();
        boolean swap = o >= 5;
        switch (o) {
            case 2 -> { t.translate(w, 0); t.scale(-1, 1); }
            case 3 -> { t.translate(w, h); t.rotate(Math.PI); }
            case 4 -> { t.translate(0, h); t.scale(1, -1); }
            case 5 -> { t.rotate(-Math.PI / 2); t.scale(-1, 1); }
            case 6 -> { t.translate(h, 0); t.rotate(Math.PI / 2); }
            case 7 -> { t.scale(-1, 1); t.translate(-h, 0); t.translate(0, w); t.rotate(3 * Math.PI / 2); }
            case 8 -> { t.translate(0, w); t.rotate(3 * Math.PI / 2); }
            default -> {
                return img;
            }
        }
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        new AffineTransformOp(t, AffineTransformOp.TYPE_NEAREST_NEIGHBOR).filter(img, out);
        return out;
    }
}
