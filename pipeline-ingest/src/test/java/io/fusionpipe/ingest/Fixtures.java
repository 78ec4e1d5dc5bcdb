package io.fusionpipe.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.generate.CardGenerator;
import io.fusionpipe.generate.GenerateSettings;
import io.fusionpipe.image.ImageCodec;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.CRC32;

/** Real (good and bad) image files and manifests for ingest tests, made on the fly. */
final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CardGenerator CARDS = new CardGenerator(1234, GenerateSettings.Style.SCAN,
            GenerateSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties()).load()));

    private Fixtures() {
    }

    /** A distinct card image (PNG) per index. */
    static byte[] card(int i) {
        return CARDS.generate(i, null).image();
    }

    static String cardCaption(int i) {
        return io.fusionpipe.cards.CaptionTemplate.format(CARDS.card(i, null));
    }

    static byte[] jpegOf(byte[] png, float quality, double scale) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        BufferedImage out = new BufferedImage((int) (img.getWidth() * scale), (int) (img.getHeight() * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
        g.dispose();
        return ImageCodec.jpeg(out, quality);
    }

    static byte[] solid(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return ImageCodec.png(img);
    }

    /** A valid PNG signature and IHDR declaring w x h, with no image data: a decompression-bomb header. */
    static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        byte[] ihdr = new byte[]{'I', 'H', 'D', 'R', (byte) (w >>> 24), (byte) (w >>> 16), (byte) (w >>> 8), (byte) w,
                (byte) (h >>> 24), (byte) (h >>> 16), (byte) (h >>> 8), (byte) h, 8, 2, 0, 0, 0};
        out.write(new byte[]{0, 0, 0, 13});
        out.write(ihdr);
        CRC32 crc = new CRC32();
        crc.update(ihdr);
        long v = crc.getValue();
        out.write(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        out.write(new byte[]{0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82});
        return out.toByteArray();
    }

    static String line(String id, String image, String caption, Map<String, Object> extra) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("image", image);
        m.put("caption", caption);
        if (extra != null) {
            m.putAll(extra);
        }
        return JSON.writeValueAsString(m);
    }

    /** A tar with the given members, in order (names are written exactly as given). */
    static void tar(Path file, List<Map.Entry<String, byte[]>> members) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> m : members) {
                TarArchiveEntry e = new TarArchiveEntry(m.getKey(), true);
                e.setSize(m.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(m.getValue());
                tar.closeArchiveEntry();
            }
        }
    }

    static List<Map.Entry<String, byte[]>> members(Object... nameAndBytes) {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        for (int i = 0; i < nameAndBytes.length; i += 2) {
            Object v = nameAndBytes[i + 1];
            out.add(Map.entry((String) nameAndBytes[i], v instanceof String str ? str.getBytes(java.nio.charset.StandardCharsets.UTF_8) : (byte[]) v));
        }
        return out;
    }
}
