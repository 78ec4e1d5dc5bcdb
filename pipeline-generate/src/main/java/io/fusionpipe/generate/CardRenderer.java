package io.fusionpipe.generate;

import io.fusionpipe.cards.Card;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws a card face with Java2D (headless): a frame coloured by type with type symbols, the stage
 * banner and "evolves from" line, the name in large type with special-subtype badge, HP digits, a
 * procedural creature seeded by the name, the set symbol and name, the rarity symbol and name, and
 * the flavor text box. Everything the caption states is printed on the card. Layout is designed on
 * a 240x336 card and scaled to the requested size.
 */
public final class CardRenderer {

    static final int DESIGN_W = 240;
    static final int DESIGN_H = 336;

    /** Frame colour, light and dark panel shades, symbol colour, and the symbol's letter. */
    record Palette(Color light, Color dark, Color symbol, String glyph) {
    }

    static final Map<String, Palette> PALETTES = Map.ofEntries(
            Map.entry("Water", new Palette(new Color(0xB7DDF5), new Color(0x4A90C8), new Color(0x1F6FB5), "W")),
            Map.entry("Grass", new Palette(new Color(0xCDE9B0), new Color(0x6BAA3C), new Color(0x3C8A1E), "G")),
            Map.entry("Psychic", new Palette(new Color(0xE6C8EC), new Color(0x9B59B6), new Color(0x7D3C98), "P")),
            Map.entry("Colorless", new Palette(new Color(0xF2F2EE), new Color(0xB8B8B0), new Color(0x8E8E86), "C")),
            Map.entry("Fighting", new Palette(new Color(0xEBCBA8), new Color(0xB5651D), new Color(0x8E4B14), "F")),
            Map.entry("Fire", new Palette(new Color(0xF8C9A8), new Color(0xE2582B), new Color(0xC0392B), "R")),
            Map.entry("Lightning", new Palette(new Color(0xFBF0A6), new Color(0xE5C100), new Color(0xC9A400), "L")),
            Map.entry("Darkness", new Palette(new Color(0xA9B0B8), new Color(0x2E3A46), new Color(0x1B242C), "D")),
            Map.entry("Metal", new Palette(new Color(0xDCE1E4), new Color(0x8A9BA6), new Color(0x5E6E78), "M")),
            Map.entry("Dragon", new Palette(new Color(0xE7DDB0), new Color(0xA48A2C), new Color(0x7A6418), "N")),
            Map.entry("Fairy", new Palette(new Color(0xF8D3E6), new Color(0xE07AB0), new Color(0xC2508E), "Y")));

    private static final Palette UNKNOWN = new Palette(new Color(0xEEEEEE), new Color(0x999999), new Color(0x666666), "?");
    private static final Color BORDER = new Color(0xF2C94C);
    private static final Color INK = new Color(0x1A1A1A);

    private CardRenderer() {
    }

    static Palette palette(String type) {
        return PALETTES.getOrDefault(type, UNKNOWN);
    }

    /** Renders the card face at {@code width x height} pixels. */
    public static BufferedImage render(Card card, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.scale(width / (double) DESIGN_W, height / (double) DESIGN_H);
            draw(g, card);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void draw(Graphics2D g, Card card) {
        Palette p = palette(card.types().isEmpty() ? "" : card.types().get(0));
        // Frame and type-coloured panel.
        g.setColor(new Color(0x3A3A3A));
        g.fillRect(0, 0, DESIGN_W, DESIGN_H);
        g.setColor(BORDER);
        g.fill(new RoundRectangle2D.Double(1, 1, DESIGN_W - 2, DESIGN_H - 2, 14, 14));
        g.setPaint(new GradientPaint(0, 8, p.light(), 0, DESIGN_H - 8, p.dark()));
        g.fill(new RoundRectangle2D.Double(8, 8, DESIGN_W - 16, DESIGN_H - 16, 8, 8));

        // Stage banner and "evolves from".
        String stage = card.stage() == null ? "BASIC" : card.stage().toUpperCase(java.util.Locale.ROOT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 8));
        int bannerW = g.getFontMetrics().stringWidth(stage) + 10;
        g.setColor(new Color(0xF5F5F0));
        g.fill(new RoundRectangle2D.Double(13, 12, bannerW, 11, 6, 6));
        g.setColor(INK);
        g.drawString(stage, 18, 20.5f);
        if (card.evolvesFrom() != null) {
            g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 7));
            drawFitted(g, "Evolves from " + card.evolvesFrom(), 17 + bannerW, 20.5f, 190 - (17 + bannerW) - 20);
        }

        // Name, special subtypes, HP and type symbols.
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        String special = card.subtypes().size() > 1 ? String.join(" ", card.subtypes().subList(1, card.subtypes().size())) : "";
        int nameRight = 150 - (special.isEmpty() ? 0 : 6 + special.length() * 7);
        float nameEnd = drawFitted(g, card.name(), 14, 42, nameRight - 14);
        if (!special.isEmpty()) {
            g.setFont(new Font(Font.SERIF, Font.BOLD | Font.ITALIC, 13));
            g.setColor(new Color(0xB03A2E));
            g.drawString(special, nameEnd + 4, 42);
        }
        g.setColor(new Color(0xB03A2E));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 7));
        String hpDigits = Integer.toString(card.hp());
        Font hpFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);
        int digitsW = g.getFontMetrics(hpFont).stringWidth(hpDigits);
        int symbols = Math.max(1, card.types().size());
        float hpRight = DESIGN_W - 14 - symbols * 17;
        g.drawString("HP", hpRight - digitsW - 12, 42);
        g.setFont(hpFont);
        g.setColor(INK);
        g.drawString(hpDigits, hpRight - digitsW, 42);
        for (int i = 0; i < card.types().size(); i++) {
            typeSymbol(g, card.types().get(i), DESIGN_W - 14 - (card.types().size() - i) * 17 + 1, 28);
        }

        // Picture window with the creature.
        g.setColor(new Color(0xC9A227));
        g.fillRect(16, 49, 208, 138);
        creature(g, card, 18, 51, 204, 134);
        if (card.rarity() != null && card.rarity().contains("Holo")) {
            holoSheen(g, 18, 51, 204, 134);
        }

        // Set symbol + name, rarity symbol + name.
        g.setColor(new Color(0xF5F1DC));
        g.fill(new RoundRectangle2D.Double(16, 191, 208, 13, 6, 6));
        setSymbol(g, card.setName(), 22, 197.5);
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 7));
        drawFitted(g, card.setName(), 29, 200.5f, 100);
        String rarity = card.rarity() == null ? "" : card.rarity();
        FontMetrics fm = g.getFontMetrics();
        int rw = Math.min(fm.stringWidth(rarity), 82);
        drawFitted(g, rarity, 214 - rw, 200.5f, 82);
        raritySymbol(g, card.rarity(), 214 - rw - 7, 197.5);

        // Flavor text box.
        g.setColor(new Color(255, 255, 250, 215));
        g.fill(new RoundRectangle2D.Double(16, 210, 208, 104, 8, 8));
        if (card.flavorText() != null) {
            g.setColor(new Color(0x333333));
            g.setFont(new Font(Font.SERIF, Font.ITALIC, 9));
            List<String> lines = wrap(g.getFontMetrics(), card.flavorText(), 196);
            float y = 223;
            for (int i = 0; i < lines.size() && i < 9; i++) {
                g.drawString(lines.get(i), 22, y);
                y += 10.5f;
            }
        } else {
            g.setColor(new Color(0, 0, 0, 40));
            g.setStroke(new BasicStroke(1f));
            for (int y = 226; y < 306; y += 16) {
                g.drawLine(30, y, 210, y);
            }
        }
    }

    /** Draws text at x,y shrinking the font until it fits maxWidth; returns the x where it ends. */
    private static float drawFitted(Graphics2D g, String text, float x, float y, float maxWidth) {
        Font f = g.getFont();
        while (g.getFontMetrics(f).stringWidth(text) > maxWidth && f.getSize2D() > 5) {
            f = f.deriveFont(f.getSize2D() - 0.5f);
        }
        Font old = g.getFont();
        g.setFont(f);
        g.drawString(text, x, y);
        float end = x + g.getFontMetrics().stringWidth(text);
        g.setFont(old);
        return end;
    }

    static List<String> wrap(FontMetrics fm, String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (fm.stringWidth(candidate) > width && line.length() > 0) {
                lines.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(candidate);
            }
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static void typeSymbol(Graphics2D g, String type, double x, double y) {
        Palette p = palette(type);
        g.setColor(Color.WHITE);
        g.fill(new Ellipse2D.Double(x - 1, y - 1, 17, 17));
        g.setColor(p.symbol());
        g.fill(new Ellipse2D.Double(x, y, 15, 15));
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 10));
        int w = g.getFontMetrics().stringWidth(p.glyph());
        g.drawString(p.glyph(), (float) (x + 7.5 - w / 2.0), (float) (y + 11.5));
    }

    private static void raritySymbol(Graphics2D g, String rarity, double cx, double cy) {
        g.setColor(INK);
        if (rarity == null) {
            return;
        }
        if (rarity.equals("Common")) {
            g.fill(new Ellipse2D.Double(cx - 3, cy - 3, 6, 6));
        } else if (rarity.equals("Uncommon")) {
            g.fill(new Polygon(new int[]{(int) cx, (int) cx + 4, (int) cx, (int) cx - 4}, new int[]{(int) cy - 4, (int) cy, (int) cy + 4, (int) cy}, 4));
        } else {
            g.fill(star(cx, cy, 4.5, 2, 5));
        }
    }

    private static void setSymbol(Graphics2D g, String set, double cx, double cy) {
        int h = set.hashCode();
        g.setColor(new Color(0x202020));
        switch (Math.floorMod(h, 4)) {
            case 0 -> g.fill(new Ellipse2D.Double(cx - 4, cy - 4, 8, 8));
            case 1 -> g.fill(new Polygon(new int[]{(int) cx - 4, (int) cx + 4, (int) cx}, new int[]{(int) cy + 4, (int) cy + 4, (int) cy - 4}, 3));
            case 2 -> g.fillRect((int) cx - 4, (int) cy - 4, 8, 8);
            default -> g.fill(star(cx, cy, 4.5, 2, 6));
        }
        g.setColor(Color.WHITE);
        g.fill(new Ellipse2D.Double(cx - 1.5 + (Math.floorMod(h >> 4, 3) - 1), cy - 1.5, 3, 3));
    }

    static Path2D star(double cx, double cy, double outer, double inner, int points) {
        Path2D path = new Path2D.Double();
        for (int i = 0; i < points * 2; i++) {
            double r = i % 2 == 0 ? outer : inner;
            double a = Math.PI * i / points - Math.PI / 2;
            double px = cx + r * Math.cos(a);
            double py = cy + r * Math.sin(a);
            if (i == 0) {
                path.moveTo(px, py);
            } else {
                path.lineTo(px, py);
            }
        }
        path.closePath();
        return path;
    }

    private static void holoSheen(Graphics2D g, int x, int y, int w, int h) {
        Color[] bands = {new Color(255, 120, 120, 45), new Color(255, 240, 120, 45), new Color(120, 255, 160, 45),
                new Color(120, 180, 255, 45), new Color(220, 120, 255, 45)};
        java.awt.Shape clip = g.getClip();
        g.clipRect(x, y, w, h);
        for (int i = -2; i < 8; i++) {
            g.setColor(bands[Math.floorMod(i, bands.length)]);
            Polygon band = new Polygon(new int[]{x + i * 36, x + i * 36 + 30, x + i * 36 + 30 - h, x + i * 36 - h},
                    new int[]{y, y, y + h, y + h}, 4);
            g.fill(band);
        }
        g.setClip(clip);
    }

    /** A creature drawn from the name's hash: body, head, eyes, and a feature for its type. */
    private static void creature(Graphics2D g, Card card, int x, int y, int w, int h) {
        SplittableRandom r = new SplittableRandom(card.name().hashCode() * 0x9E3779B97F4A7C15L);
        String type = card.types().isEmpty() ? "" : card.types().get(0);
        Palette p = palette(type);
        java.awt.Shape clip = g.getClip();
        g.clipRect(x, y, w, h);
        g.setPaint(new GradientPaint(x, y, p.light().brighter(), x, y + h, p.light().darker()));
        g.fillRect(x, y, w, h);
        g.setColor(new Color(0, 0, 0, 30));
        g.fill(new Ellipse2D.Double(x - 20, y + h * 0.72, w + 40, h * 0.6));

        Color body = shade(p.dark(), r.nextDouble() * 0.5 - 0.25);
        double cx = x + w / 2.0 + (r.nextDouble() - 0.5) * 30;
        double cy = y + h * 0.62;
        double bw = 50 + r.nextDouble() * 40;
        double bh = 40 + r.nextDouble() * 30;
        double hr = 20 + r.nextDouble() * 12;
        double hx = cx + (r.nextDouble() - 0.5) * 20;
        double hy = cy - bh / 2 - hr * 0.6;
        // Type feature behind the body.
        g.setColor(shade(p.symbol(), 0.2));
        switch (type) {
            case "Fire" -> {
                g.setColor(new Color(0xF39C12));
                g.fill(flame(cx + bw / 2 + 10, cy - 10, 14));
            }
            case "Water" -> g.fill(new Polygon(new int[]{(int) cx, (int) (cx - 10), (int) (cx + 12)},
                    new int[]{(int) (cy - bh / 2 - 18), (int) (cy - bh / 4), (int) (cy - bh / 4)}, 3));
            case "Lightning" -> g.fill(new Polygon(new int[]{(int) (cx + bw / 2), (int) (cx + bw / 2 + 18), (int) (cx + bw / 2 + 8), (int) (cx + bw / 2 + 24)},
                    new int[]{(int) cy, (int) (cy - 14), (int) (cy - 14), (int) (cy - 34)}, 4));
            case "Dragon", "Darkness" -> {
                g.fill(new Polygon(new int[]{(int) (cx - bw / 3), (int) (cx - bw / 2 - 30), (int) (cx - bw / 2)},
                        new int[]{(int) (cy - 10), (int) (cy - bh / 2 - 25), (int) (cy + 5)}, 3));
                g.fill(new Polygon(new int[]{(int) (cx + bw / 3), (int) (cx + bw / 2 + 30), (int) (cx + bw / 2)},
                        new int[]{(int) (cy - 10), (int) (cy - bh / 2 - 25), (int) (cy + 5)}, 3));
            }
            default -> g.fill(new Ellipse2D.Double(cx + bw / 2 - 6, cy - 8, 22, 12));
        }
        g.setColor(body);
        g.fill(new Ellipse2D.Double(cx - bw / 2, cy - bh / 2, bw, bh));
        g.setColor(shade(body, 0.25));
        g.fill(new Ellipse2D.Double(cx - bw / 4, cy - bh / 6, bw / 2, bh / 2));
        // Feet.
        g.setColor(shade(body, -0.2));
        g.fill(new Ellipse2D.Double(cx - bw / 3 - 6, cy + bh / 2 - 8, 16, 10));
        g.fill(new Ellipse2D.Double(cx + bw / 3 - 10, cy + bh / 2 - 8, 16, 10));
        // Head and ears/horns.
        g.setColor(body);
        int ears = r.nextInt(3);
        for (int side = -1; side <= 1; side += 2) {
            if (ears == 0) {
                g.fill(new Polygon(new int[]{(int) (hx + side * hr * 0.3), (int) (hx + side * hr * 1.1), (int) (hx + side * hr * 0.8)},
                        new int[]{(int) (hy - hr * 0.5), (int) (hy - hr * 1.5), (int) (hy - hr * 0.2)}, 3));
            } else if (ears == 1) {
                g.fill(new Ellipse2D.Double(hx + side * hr * 0.7 - 6, hy - hr * 1.2, 12, 18));
            }
        }
        g.fill(new Ellipse2D.Double(hx - hr, hy - hr, 2 * hr, 2 * hr));
        switch (type) {
            case "Grass" -> {
                g.setColor(new Color(0x2E8B2E));
                g.fill(new Ellipse2D.Double(hx - 4, hy - hr - 14, 10, 18));
            }
            case "Psychic" -> {
                g.setColor(new Color(0xE74C8B));
                g.fill(new Ellipse2D.Double(hx - 4, hy - hr * 0.7, 8, 8));
            }
            case "Metal" -> {
                g.setColor(new Color(0xD5DBDB));
                g.fillRect((int) (cx - bw / 4), (int) (cy - bh / 2 + 4), (int) (bw / 2), 6);
            }
            case "Fairy" -> {
                g.setColor(new Color(0xFF8FC8));
                g.fill(star(hx + hr * 0.7, hy - hr * 0.8, 7, 3, 5));
            }
            case "Fighting" -> {
                g.setColor(new Color(0xC0392B));
                g.fillRect((int) (hx - hr), (int) (hy - hr * 0.55), (int) (2 * hr), 5);
            }
            default -> {
            }
        }
        // Eyes and mouth.
        double eyeGap = hr * (0.35 + r.nextDouble() * 0.2);
        double eyeR = 3 + r.nextDouble() * 3;
        for (int side = -1; side <= 1; side += 2) {
            g.setColor(Color.WHITE);
            g.fill(new Ellipse2D.Double(hx + side * eyeGap - eyeR, hy - eyeR - 2, 2 * eyeR, 2 * eyeR));
            g.setColor(INK);
            g.fill(new Ellipse2D.Double(hx + side * eyeGap - eyeR / 2, hy - eyeR / 2 - 2, eyeR, eyeR));
        }
        g.setColor(INK);
        g.setStroke(new BasicStroke(1.5f));
        g.drawArc((int) (hx - 6), (int) (hy + 2), 12, 8, 200, 140);
        g.setClip(clip);
    }

    private static Path2D flame(double cx, double cy, double s) {
        Path2D f = new Path2D.Double();
        f.moveTo(cx, cy - s * 1.6);
        f.curveTo(cx + s, cy - s * 0.5, cx + s * 0.8, cy + s * 0.6, cx, cy + s * 0.6);
        f.curveTo(cx - s * 0.8, cy + s * 0.6, cx - s, cy - s * 0.3, cx, cy - s * 1.6);
        f.closePath();
        return f;
    }

    static Color shade(Color c, double amount) {
        double a = Math.max(-1, Math.min(1, amount));
        int rr = (int) Math.round(a >= 0 ? c.getRed() + (255 - c.getRed()) * a : c.getRed() * (1 + a));
        int gg = (int) Math.round(a >= 0 ? c.getGreen() + (255 - c.getGreen()) * a : c.getGreen() * (1 + a));
        int bb = (int) Math.round(a >= 0 ? c.getBlue() + (255 - c.getBlue()) * a : c.getBlue() * (1 + a));
        return new Color(rr, gg, bb);
    }
}
