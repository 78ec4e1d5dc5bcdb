package io.fusionpipe.generate;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.JsonLine;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.config.FusionConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fusionpipe generate-bench}: cards per second per core for each style, on one thread,
 * next to the cost of drawing the card face alone (the baseline), plus optional contact sheets.
 */
@Command(name = "generate-bench", mixinStandardHelpOptions = true,
        description = {"Measure generator throughput (cards/s on one core) per style against the card-face-only baseline;",
                "prints a table and one JSON line. Optionally writes a 4x4 contact sheet PNG per style."})
public final class GenerateBenchCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--cards", paramLabel = "N", defaultValue = "300", description = "Cards per style and phase (default ${DEFAULT-VALUE}).")
    int cards;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--contact-sheets", paramLabel = "DIR", description = "Write contact-sheet-<style>.png (16 cards) into DIR.")
    Path sheets;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (cards < 1) {
            throw new UsageException("--cards must be positive, got " + cards);
        }
        FusionConfig config = options.load();
        GenerateSettings settings = GenerateSettings.of(config);
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cards_per_phase", cards);
        json.put("cpu", Runtime.getRuntime().availableProcessors() + " cores, measured on 1 thread");

        // Baseline: sample attributes and draw the card face only (no scene, no encoding).
        CardGenerator scanGen = new CardGenerator(seed, GenerateSettings.Style.SCAN, settings);
        faceOnly(scanGen, settings, Math.min(50, cards));
        double faceRate = faceOnly(scanGen, settings, cards);
        out.printf(Locale.ROOT, "%-22s %10s %12s%n", "phase (1 thread)", "cards/s", "vs face-only");
        out.printf(Locale.ROOT, "%-22s %10.1f %12s%n", "card face only", faceRate, "1.00x");
        json.put("face_only_cards_per_s", round(faceRate));
        for (GenerateSettings.Style style : new GenerateSettings.Style[]{GenerateSettings.Style.SCAN, GenerateSettings.Style.PHOTO}) {
            CardGenerator gen = new CardGenerator(seed, style, settings);
            full(gen, Math.min(50, cards));
            double rate = full(gen, cards);
            String name = style.name().toLowerCase(Locale.ROOT);
            out.printf(Locale.ROOT, "%-22s %10.1f %11.2fx%n", name + " (full card)", rate, rate / faceRate);
            json.put(name + "_cards_per_s", round(rate));
            json.put(name + "_vs_face_only", round(rate / faceRate));
            if (sheets != null) {
                Path sheet = contactSheet(gen, sheets, name);
                out.println("  contact sheet: " + sheet);
            }
        }
        JsonLine.print(out, json);
        return ExitCodes.OK;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double faceOnly(CardGenerator gen, GenerateSettings s, int n) {
        long t0 = System.nanoTime();
        long sink = 0;
        for (int i = 0; i < n; i++) {
            sink += CardRenderer.render(gen.card(i, null), s.cardWidth(), s.cardHeight()).getRGB(5, 5);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return sink == 42 ? 0 : n / seconds;
    }

    private static double full(CardGenerator gen, int n) {
        long t0 = System.nanoTime();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += gen.generate(i, null).image().length;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return bytes == 0 ? 0 : n / seconds;
    }

    /** A 4x4 grid of the first 16 cards, each tile scaled to 180 px wide. */
    static Path contactSheet(CardGenerator gen, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        int tileW = 180;
        BufferedImage first = ImageIO.read(new ByteArrayInputStream(gen.generate(0, null).image()));
        int tileH = first.getHeight() * tileW / first.getWidth();
        int gap = 6;
        BufferedImage sheet = new BufferedImage(4 * tileW + 5 * gap, 4 * tileH + 5 * gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        for (int i = 0; i < 16; i++) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(gen.generate(i, null).image()));
            g.drawImage(img, gap + (i % 4) * (tileW + gap), gap + (i / 4) * (tileH + gap), tileW, tileH, null);
        }
        g.dispose();
        Path file = dir.resolve("contact-sheet-" + name + ".png");
        ImageIO.write(sheet, "png", file.toFile());
        return file;
    }
}
