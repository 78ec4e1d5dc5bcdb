package io.fusionpipe.ingest.image;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.Rejection;
import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageProcessorTest {

    private static final IngestSettings S = IngestSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties())
            .sets(List.of()).load());

    /**
     * A four-channel JPEG as scanners and print workflows write them, made with the JDK's own writer, with
     * the Adobe APP14 segment that says CMYK (transform 0) or YCCK (transform 2).
     */
    private static byte[] fourChannelJpeg(int w, int h, int adobeTransform) throws Exception {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[]{x * 255 / w, y * 255 / h, 40, 20});
            }
        }
        ImageWriter writer = jdk(ImageIO.getImageWritersByFormatName("jpeg"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        }
        writer.dispose();
        byte[] plain = bytes.toByteArray();
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) adobeTransform};
        ByteArrayOutputStream marked = new ByteArrayOutputStream();
        marked.write(plain, 0, 2);
        marked.write(adobe);
        marked.write(plain, 2, plain.length - 2);
        return marked.toByteArray();
    }

    private static ImageWriter jdk(Iterator<ImageWriter> plugins) {
        while (plugins.hasNext()) {
            ImageWriter p = plugins.next();
            if (p.getClass().getName().startsWith("com.sun.imageio")) {
                return p;
            }
        }
        throw new IllegalStateException("no JDK JPEG writer");
    }

    @Test
    void cmykAndYcckJpegsAreDecodedNotRejected() throws Exception {
        for (int transform : new int[]{0, 2}) {
            ImageProcessor.Processed p = ImageProcessor.process(fourChannelJpeg(120, 90, transform), S);
            assertEquals(120, p.origWidth());
            assertEquals(90, p.origHeight());
            assertEquals(S.width(), p.width());
        }
    }

    @Test
    void nonImageRepliesAreDescribedNotCopied() {
        String secret = "<html>internal admin token=abcdef1234</html>";
        Rejection html = assertThrows(Rejection.class, () -> ImageProcessor.process(secret.getBytes(StandardCharsets.UTF_8), S));
        assertEquals(RejectReason.UNSUPPORTED_FORMAT, html.reason());
        assertEquals(secret.length() + " bytes of markup (HTML or XML), not an image", html.getMessage());
        Rejection json = assertThrows(Rejection.class, () -> ImageProcessor.process("{\"AccessKeyId\": \"AKIA\"}".getBytes(StandardCharsets.UTF_8), S));
        assertTrue(json.getMessage().endsWith("JSON, not an image"), json.getMessage());
        Rejection binary = assertThrows(Rejection.class, () -> ImageProcessor.process(new byte[]{1, 2, 3, (byte) 0xff, 0, 9}, S));
        assertFalse(binary.getMessage().contains("010203"), binary.getMessage());
    }
}
