package io.fusionpipe.ingest.image;

import io.fusionpipe.image.ImageCodec;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.Rejection;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Checks, decodes and normalises one image: format from the magic bytes, size from the header
 * (before any decoding, so decompression bombs are rejected cheaply), truncation, EXIF
 * orientation, RGB, resize by policy, re-encode; plus sha256 of the original bytes and the
 * perceptual hash. Every failure is a {@link Rejection} with its reason.
 */
public final class ImageProcessor {

    /** The stored image and what is known about its source. */
    public record Processed(byte[] bytes, int width, int height, int origWidth, int origHeight, String sha256, String phash) {
    }

    private ImageProcessor() {
    }

    public static Processed process(byte[] data, IngestSettings s) throws Rejection {
        if (data.length == 0) {
            throw new Rejection(RejectReason.ZERO_BYTES, "0 bytes");
        }
        if (data.length > s.maxBytes()) {
            throw new Rejection(RejectReason.IMAGE_TOO_LARGE, data.length + " bytes > " + s.maxBytes());
        }
        String format = sniff(data);
        if (format == null) {
            throw new Rejection(RejectReason.UNSUPPORTED_FORMAT, data.length + " bytes of " + kind(data));
        }
        BufferedImage decoded;
        int w;
        int h;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
            if (!readers.hasNext()) {
                throw new Rejection(RejectReason.UNSUPPORTED_FORMAT, "no decoder for " + format);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                w = reader.getWidth(0);
                h = reader.getHeight(0);
                if ((long) w * h > s.maxPixels()) {
                    throw new Rejection(RejectReason.TOO_MANY_PIXELS, w + "x" + h + " > " + s.maxPixels() + " pixels");
                }
                if (Math.min(w, h) < s.minSide()) {
                    throw new Rejection(RejectReason.TOO_SMALL, w + "x" + h + ", min side " + s.minSide());
                }
                if (Math.max(w, h) > s.maxAspectRatio() * Math.min(w, h)) {
                    throw new Rejection(RejectReason.EXTREME_ASPECT_RATIO, w + "x" + h + ", max ratio " + s.maxAspectRatio());
                }
                if (truncated(format, data)) {
                    throw new Rejection(RejectReason.TRUNCATED_IMAGE, format + " data ends without its end marker");
                }
                decoded = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (Rejection r) {
            throw r;
        } catch (IOException | RuntimeException e) {
            throw new Rejection(RejectReason.UNREADABLE_IMAGE, format + ": " + e);
        }
        if (decoded == null) {
            throw new Rejection(RejectReason.UNREADABLE_IMAGE, format + ": decoder returned nothing");
        }
        int orientation = format.equals("jpeg") ? Exif.orientation(data) : 1;
        BufferedImage rgb = Exif.apply(toRgb(decoded), orientation);
        BufferedImage resized = Resizer.resize(rgb, s.width(), s.height(), s.resize(), Color.WHITE);
        byte[] stored = s.imageFormat().equals("jpeg") ? ImageCodec.jpeg(resized, (float) s.jpegQuality()) : ImageCodec.png(resized);
        return new Processed(stored, s.width(), s.height(), rgb.getWidth(), rgb.getHeight(), io.fusionpipe.Hashing.sha256Hex(data),
                PerceptualHash.hex(PerceptualHash.of(rgb)));
    }

    /**
     * What unrecognised bytes look like, in words: the detail goes into {@code _rejects}, and for a
     * fetched URL the bytes may be an internal service's reply, so none of them are copied.
     */
    static String kind(byte[] d) {
        int i = 0;
        while (i < d.length && i < 64 && Character.isWhitespace(d[i])) {
            i++;
        }
        if (i < d.length && (d[i] == '<')) {
            return "markup (HTML or XML), not an image";
        }
        if (i < d.length && (d[i] == '{' || d[i] == '[')) {
            return "JSON, not an image";
        }
        int printable = 0;
        int n = Math.min(d.length, 512);
        for (int k = 0; k < n; k++) {
            if (d[k] >= 0x20 && d[k] < 0x7f || d[k] == '\n' || d[k] == '\r' || d[k] == '\t') {
                printable++;
            }
        }
        return printable == n ? "text, not an image" : "an unknown binary format (not PNG, JPEG, GIF, BMP or WebP)";
    }

    /** ImageIO format name from the magic bytes, or null. */
    static String sniff(byte[] d) {
        if (d.length >= 8 && (d[0] & 0xFF) == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G') {
            return "png";
        }
        if (d.length >= 3 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xFF) == 0xD8 && (d[2] & 0xFF) == 0xFF) {
            return "jpeg";
        }
        if (d.length >= 6 && d[0] == 'G' && d[1] == 'I' && d[2] == 'F' && d[3] == '8') {
            return "gif";
        }
        if (d.length >= 12 && d[0] == 'R' && d[1] == 'I' && d[2] == 'F' && d[3] == 'F' && d[8] == 'W' && d[9] == 'E' && d[10] == 'B' && d[11] == 'P') {
            return "webp";
        }
        if (d.length >= 2 && d[0] == 'B' && d[1] == 'M') {
            return "bmp";
        }
        return null;
    }

    /** JPEG must end with EOI (FF D9), PNG with IEND, GIF with its trailer (allowing a little padding). */
    static boolean truncated(String format, byte[] d) {
        int tail = Math.max(0, d.length - 64);
        switch (format) {
            case "jpeg":
                for (int i = d.length - 2; i >= tail; i--) {
                    if ((d[i] & 0xFF) == 0xFF && (d[i + 1] & 0xFF) == 0xD9) {
                        return false;
                    }
                }
                return true;
            case "png":
                for (int i = d.length - 4; i >= tail; i--) {
                    if (d[i] == 'I' && d[i + 1] == 'E' && d[i + 2] == 'N' && d[i + 3] == 'D') {
                        return false;
                    }
                }
                return true;
            case "gif":
                for (int i = d.length - 1; i >= tail; i--) {
                    if (d[i] == 0x3B) {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    /** Any decoded image as opaque RGB (transparency composited over white). */
    static BufferedImage toRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) {
            return img;
        }
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.drawImage(img, 0, 0, null);
        g.dispose();
        return out;
    }

}
