package io.fusionpipe.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts for the self-contained report: no scripts, no fonts or files fetched. Each
 * chart is a {@code <figure class="chart">} with a title, axes with "nice" ticks, a legend, and
 * {@code <title>} tooltips on every mark. Public for notebooks/, which draw the same charts.
 */
public final class Svg {

    /** Colours for series, by position; the report gives each variant the same colour in every chart. */
    public static final List<String> PALETTE = List.of("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf");

    private static final int W = 640;
    private static final int H = 300;
    private static final int LEFT = 64;
    private static final int RIGHT = 150;
    private static final int TOP = 34;
    private static final int BOTTOM = 46;

    /** A line: points (x, y); dashed or solid; marked points get a star (e.g. the champion). */
    public record Series(String name, String color, boolean dashed, List<double[]> points, List<Boolean> marked) {
        public Series(String name, String color, boolean dashed, List<double[]> points) {
            this(name, color, dashed, points, null);
        }
    }

    /** One bar of a group: value with an optional interval (NaN for none). */
    public record Bar(String series, String color, double value, double lo, double hi) {
    }

    private Svg() {
    }

    public static String lineChart(String id, String title, String xLabel, String yLabel, List<Series> series, List<String> xTickLabels) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (Double.isFinite(p[1])) {
                    xMin = Math.min(xMin, p[0]);
                    xMax = Math.max(xMax, p[0]);
                    yMin = Math.min(yMin, p[1]);
                    yMax = Math.max(yMax, p[1]);
                }
            }
        }
        StringBuilder b = open(id, title);
        if (!Double.isFinite(xMin)) {
            return empty(b, "no data");
        }
        if (xMax == xMin) {
            xMin -= 1;
            xMax += 1;
        }
        double[] yTicks = ticks(yMin, yMax);
        double y0 = yTicks[0];
        double y1 = yTicks[yTicks.length - 1];
        double fx0 = xMin;
        double fx1 = xMax;
        java.util.function.DoubleUnaryOperator sx = x -> LEFT + (x - fx0) / (fx1 - fx0) * (W - LEFT - RIGHT);
        java.util.function.DoubleUnaryOperator sy = y -> TOP + (1 - (y - y0) / (y1 - y0)) * (H - TOP - BOTTOM);
        yAxis(b, yTicks, sy, yLabel);
        // x ticks: the integer positions, labelled by xTickLabels when given
        for (int x = (int) Math.ceil(xMin); x <= xMax; x++) {
            double px = sx.applyAsDouble(x);
            String label = xTickLabels != null && x - (int) Math.ceil(xMin) < xTickLabels.size()
                    ? xTickLabels.get(x - (int) Math.ceil(xMin)) : Integer.toString(x);
            b.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#999'/>", px, H - BOTTOM, px, H - BOTTOM + 4));
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle' class='tick'>%s</text>", px, H - BOTTOM + 16,
                    Html.escape(label)));
        }
        b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle' class='axis'>%s</text>",
                LEFT + (W - LEFT - RIGHT) / 2, H - 8, Html.escape(xLabel)));
        int legend = 0;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            for (double[] p : s.points()) {
                if (Double.isFinite(p[1])) {
                    path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", sx.applyAsDouble(p[0]),
                            sy.applyAsDouble(p[1])));
                }
            }
            b.append(String.format(Locale.ROOT, "<path d='%s' fill='none' stroke='%s' stroke-width='2'%s/>", path, s.color(),
                    s.dashed() ? " stroke-dasharray='5 4'" : ""));
            for (int i = 0; i < s.points().size(); i++) {
                double[] p = s.points().get(i);
                if (!Double.isFinite(p[1])) {
                    continue;
                }
                boolean star = s.marked() != null && i < s.marked().size() && Boolean.TRUE.equals(s.marked().get(i));
                double px = sx.applyAsDouble(p[0]);
                double py = sy.applyAsDouble(p[1]);
                String tip = String.format(Locale.ROOT, "<title>%s: %s = %s%s</title>", Html.escape(s.name()), Html.escape(xLabel),
                        xTickLabels != null ? Html.escape(label(xTickLabels, (int) Math.round(p[0] - Math.ceil(fx0)))) : fmt(p[0]), ", "
                                + Html.escape(yLabel) + " " + fmt(p[1]) + (star ? " (champion)" : ""));
                if (star) {
                    b.append(String.format(Locale.ROOT, "<path class='champion' d='%s' fill='#f5b800' stroke='#333'>%s</path>", star(px, py, 9), tip));
                } else {
                    b.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='3.5' fill='%s'>%s</circle>", px, py, s.color(), tip));
                }
            }
            legendEntry(b, legend++, s.name(), s.color(), s.dashed());
        }
        if (series.stream().anyMatch(s -> s.marked() != null && s.marked().contains(true))) {
            int y = TOP + 8 + legend * 18;
            b.append(String.format(Locale.ROOT, "<path d='%s' fill='#f5b800' stroke='#333'/><text x='%d' y='%d' class='legend'>champion</text>",
                    star(W - RIGHT + 22, y - 4, 7), W - RIGHT + 34, y));
        }
        return close(b);
    }

    private static String label(List<String> labels, int i) {
        return i >= 0 && i < labels.size() ? labels.get(i) : "";
    }

    /**
     * Grouped vertical bars with interval whiskers: one group per category (e.g. metric or field),
     * one bar per series within it. {@code bars.get(g)} are the bars of group {@code g}.
     */
    public static String groupedBars(String id, String title, String yLabel, List<String> groups, List<List<Bar>> bars, boolean fromZero) {
        StringBuilder b = open(id, title);
        double yMin = fromZero ? 0 : Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (List<Bar> g : bars) {
            for (Bar bar : g) {
                for (double v : new double[]{bar.value(), bar.lo(), bar.hi()}) {
                    if (Double.isFinite(v)) {
                        yMin = Math.min(yMin, v);
                        yMax = Math.max(yMax, v);
                    }
                }
            }
        }
        if (!Double.isFinite(yMax)) {
            return empty(b, "no data");
        }
        double[] yTicks = ticks(Math.min(0, yMin), fromZero && yMax <= 0 && yMin >= 0 ? 1 : yMax);
        double y0 = yTicks[0];
        double y1 = yTicks[yTicks.length - 1];
        java.util.function.DoubleUnaryOperator sy = y -> TOP + (1 - (y - y0) / (y1 - y0)) * (H - TOP - BOTTOM);
        yAxis(b, yTicks, sy, yLabel);
        double groupW = (W - LEFT - RIGHT) / (double) Math.max(1, groups.size());
        List<String> seriesSeen = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            List<Bar> gb = bars.get(g);
            double barW = Math.min(28, (groupW - 12) / Math.max(1, gb.size()));
            double x = LEFT + g * groupW + (groupW - barW * gb.size()) / 2;
            double zero = sy.applyAsDouble(0);
            for (Bar bar : gb) {
                if (!seriesSeen.contains(bar.series())) {
                    legendEntry(b, seriesSeen.size(), bar.series(), bar.color(), false);
                    seriesSeen.add(bar.series());
                }
                if (Double.isFinite(bar.value())) {
                    double top = sy.applyAsDouble(bar.value());
                    String tip = String.format(Locale.ROOT, "<title>%s, %s: %s%s</title>", Html.escape(bar.series()), Html.escape(groups.get(g)),
                            fmt(bar.value()), Double.isFinite(bar.lo()) ? " [" + fmt(bar.lo()) + ", " + fmt(bar.hi()) + "]" : "");
                    b.append(String.format(Locale.ROOT, "<rect class='bar' x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'>%s</rect>",
                            x + 1, Math.min(top, zero), barW - 2, Math.max(0.5, Math.abs(zero - top)), bar.color(), tip));
                    if (Double.isFinite(bar.lo()) && Double.isFinite(bar.hi())) {
                        double cx = x + barW / 2;
                        double lo = sy.applyAsDouble(bar.lo());
                        double hi = sy.applyAsDouble(bar.hi());
                        b.append(String.format(Locale.ROOT, "<path class='whisker' d='M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f'"
                                + " stroke='#222' stroke-width='1.2'/>", cx, lo, cx, hi, cx - 4, lo, cx + 4, lo, cx - 4, hi, cx + 4, hi));
                    }
                }
                x += barW;
            }
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle' class='tick'>%s</text>", LEFT + g * groupW + groupW / 2,
                    H - BOTTOM + 16, Html.escape(groups.get(g))));
        }
        b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#666'/>", LEFT, sy.applyAsDouble(0), W - RIGHT,
                sy.applyAsDouble(0)));
        return close(b);
    }

    /** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about five of them. */
    static double[] ticks(double lo, double hi) {
        if (hi <= lo) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3 ? 2 * mag : raw / mag < 7 ? 5 * mag : 10 * mag;
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        return out;
    }

    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    private static StringBuilder open(String id, String title) {
        StringBuilder b = new StringBuilder();
        b.append("<figure class='chart' id='").append(Html.escape(id)).append("'><figcaption>").append(Html.escape(title)).append("</figcaption>");
        b.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='%d' height='%d' role='img' aria-label='%s'>",
                W, H, W, H, Html.escape(title)));
        return b;
    }

    private static String close(StringBuilder b) {
        return b.append("</svg></figure>\n").toString();
    }

    private static String empty(StringBuilder b, String why) {
        b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle' class='axis'>%s</text>", W / 2, H / 2, Html.escape(why)));
        return close(b);
    }

    private static void yAxis(StringBuilder b, double[] ticks, java.util.function.DoubleUnaryOperator sy, String label) {
        for (double t : ticks) {
            double y = sy.applyAsDouble(t);
            b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#e3e3e3'/>", LEFT, y, W - RIGHT, y));
            b.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' text-anchor='end' class='tick'>%s</text>", LEFT - 6, y + 4, fmt(t)));
        }
        b.append(String.format(Locale.ROOT, "<text transform='translate(14 %d) rotate(-90)' text-anchor='middle' class='axis'>%s</text>",
                TOP + (H - TOP - BOTTOM) / 2, Html.escape(label)));
    }

    private static void legendEntry(StringBuilder b, int i, String name, String color, boolean dashed) {
        int y = TOP + 8 + i * 18;
        b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='3'%s/>", W - RIGHT + 14, y - 4,
                W - RIGHT + 30, y - 4, color, dashed ? " stroke-dasharray='4 3'" : ""));
        b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' class='legend'>%s</text>", W - RIGHT + 34, y, Html.escape(name)));
    }

    private static String star(double cx, double cy, double r) {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            double a = Math.PI / 2 + i * Math.PI / 5;
            double rr = i % 2 == 0 ? r : r * 0.45;
            p.append(i == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", cx + rr * Math.cos(a), cy - rr * Math.sin(a)));
        }
        return p.append(" Z").toString();
    }
}
