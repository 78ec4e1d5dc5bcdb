package io.fusionpipe.generate;

import io.fusionpipe.config.FusionConfig;

import java.io.Serializable;

/** Typed view of {@code fusionpipe.generate.*}; serializable, it travels to executors. */
public record GenerateSettings(Style defaultStyle, int cardWidth, int cardHeight, int photoWidth, int photoHeight,
                               double jpegQualityMin, double jpegQualityMax, double maxRotation, double occlusionRate,
                               double mixedPhotoFraction, double flavorTextRate, int partitions) implements Serializable {

    /** How a card is shown: flat scan (PNG) or inside a photo (JPEG); mixed draws one per card. */
    public enum Style { SCAN, PHOTO, MIXED }

    public static GenerateSettings of(FusionConfig config) {
        var c = config.config();
        String p = "fusionpipe.generate.";
        GenerateSettings s = new GenerateSettings(
                Style.valueOf(c.getString(p + "style").toUpperCase(java.util.Locale.ROOT)),
                c.getInt(p + "card-width"), c.getInt(p + "card-height"),
                c.getInt(p + "photo-width"), c.getInt(p + "photo-height"),
                c.getDouble(p + "photo-jpeg-quality-min"), c.getDouble(p + "photo-jpeg-quality-max"),
                c.getDouble(p + "photo-max-rotation"), c.getDouble(p + "photo-occlusion-rate"),
                c.getDouble(p + "mixed-photo-fraction"), c.getDouble(p + "flavor-text-rate"),
                c.getInt(p + "partitions"));
        if (s.jpegQualityMin() > s.jpegQualityMax()) {
            throw new io.fusionpipe.config.ConfigValidationException(java.util.List.of(new io.fusionpipe.config.ConfigProblem(
                    p + "photo-jpeg-quality-min", String.valueOf(s.jpegQualityMin()), null,
                    "must not exceed fusionpipe.generate.photo-jpeg-quality-max (" + s.jpegQualityMax() + ")")));
        }
        return s;
    }

    public GenerateSettings withPartitions(int n) {
        return new GenerateSettings(defaultStyle, cardWidth, cardHeight, photoWidth, photoHeight, jpegQualityMin, jpegQualityMax,
                maxRotation, occlusionRate, mixedPhotoFraction, flavorTextRate, n);
    }

    PhotoCompositor.Settings photo() {
        return new PhotoCompositor.Settings(photoWidth, photoHeight, occlusionRate, maxRotation);
    }
}
