package io.fusionpipe.generate;

import io.fusionpipe.cards.Card;
import io.fusionpipe.image.ImageCodec;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Makes card number {@code index} of a run: its attributes (sampled, or a given record), its style
 * and its encoded image. Depends only on (seed, index, settings, record), never on partitioning.
 */
public final class CardGenerator {

    /** One finished card; {@code fileName} is the id made safe for a file name (without extension). */
    public record Generated(String id, String fileName, Card card, String style, String extension, byte[] image) {
    }

    private final long seed;
    private final GenerateSettings settings;
    private final GenerateSettings.Style style;
    private final CardCatalog catalog;

    public CardGenerator(long seed, GenerateSettings.Style style, GenerateSettings settings) {
        this.seed = seed;
        this.style = style;
        this.settings = settings;
        this.catalog = CardCatalog.builtIn(settings.flavorTextRate());
    }

    /** SplitMix64 of (seed, index, stream): independent, well-mixed streams per card and purpose. */
    static long streamSeed(long seed, long index, int stream) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + stream * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The id of synthetic card {@code index}: seed and index, so runs with other seeds never collide. */
    public String syntheticId(long index) {
        return String.format(java.util.Locale.ROOT, "s%d-%08d", seed, index);
    }

    /** Card {@code index}: {@code record} when rendering given records, else sampled from the catalog. */
    public Card card(long index, Card record) {
        return record != null ? record : catalog.sample(syntheticId(index), new SplittableRandom(streamSeed(seed, index, 1)));
    }

    public Generated generate(long index, Card record) {
        Card card = card(index, record);
        String id = record != null ? record.id() : syntheticId(index);
        String fileName = fileSafeId(id);
        SplittableRandom look = new SplittableRandom(streamSeed(seed, index, 2));
        boolean photo = style == GenerateSettings.Style.PHOTO
                || (style == GenerateSettings.Style.MIXED && look.nextDouble() < settings.mixedPhotoFraction());
        BufferedImage face = CardRenderer.render(card, settings.cardWidth(), settings.cardHeight());
        if (!photo) {
            return new Generated(id, fileName, card, "scan", "png", ImageCodec.png(face));
        }
        BufferedImage scene = PhotoCompositor.compose(face, settings.photo(), look);
        float quality = (float) (settings.jpegQualityMin() + look.nextDouble() * (settings.jpegQualityMax() - settings.jpegQualityMin()));
        return new Generated(id, fileName, card, "photo", "jpg", ImageCodec.jpeg(scene, quality));
    }

    /**
     * Record ids become file names. Ids of letters, digits, '.', '_' and '-' (not starting with '.')
     * stay as they are; any other id has those characters replaced by '_' and gets '~' plus 8 hex
     * digits of its SHA-256, so that distinct ids ("ex10-?" and "ex10-!") never share a file.
     */
    public static String fileSafeId(String id) {
        if (id.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*") && id.length() <= 200) {
            return id;
        }
        String safe = id.replaceAll("[^A-Za-z0-9._-]", "_");
        safe = (safe.startsWith(".") ? "_" + safe.substring(1) : safe);
        safe = safe.substring(0, Math.min(safe.length(), 180));
        return safe + "~" + java.util.HexFormat.of().formatHex(io.fusionpipe.Hashing.sha256(id), 0, 4);
    }
}
