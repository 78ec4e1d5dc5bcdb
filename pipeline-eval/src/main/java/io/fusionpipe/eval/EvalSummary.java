package io.fusionpipe.eval;

import io.fusionpipe.eval.metrics.CaptionScorer;
import io.fusionpipe.records.EvalRecord;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The table {@code eval} and the demo print after an evaluation. */
final class EvalSummary {

    /** The fields printed: the ones the demo's targets are stated in. */
    private static final List<String> FIELDS = List.of("types", "stage", "hp");

    private EvalSummary() {
    }

    static void print(PrintWriter out, EvalPipeline.Result r) {
        EvalRecord m = r.metrics();
        String primary = m.primaryMetric();
        EvalRecord.Dataset ds = m.dataset();
        out.printf(Locale.ROOT, "eval %s: %d images of %s v%d (%s split)%n", r.evalId(), ds.images(), ds.name(), ds.version(), ds.split());
        out.printf(Locale.ROOT, "%-14s %10s", "variant", "params");
        for (String metric : CaptionScorer.METRICS) {
            out.printf(Locale.ROOT, " %24s", metric.equals(primary) ? metric + " *" : metric);
        }
        out.printf(Locale.ROOT, " %8s %8s %8s%n", "type", "stage", "hp");
        m.variants().forEach((label, v) -> {
            out.printf(Locale.ROOT, "%-14s %,10d", label, v.parameters());
            for (String metric : CaptionScorer.METRICS) {
                out.printf(Locale.ROOT, " %24s", format(v.metrics().get(metric)));
            }
            fields(out, v::field);
        });
        if (m.fieldBaseline() != null) {
            out.printf(Locale.ROOT, "%-14s %10s", "majority", "-");
            for (String ignored : CaptionScorer.METRICS) {
                out.printf(Locale.ROOT, " %24s", "-");
            }
            fields(out, m.fieldBaseline()::field);
        }
        if (m.seedGroups() != null) {
            m.seedGroups().forEach((key, g) -> {
                EvalRecord.Spread x = g.metrics() == null ? null : g.metrics().get(primary);
                if (x != null) {
                    out.printf(Locale.ROOT, "over seeds: %-14s %s %.3f ± %.3f [%.3f, %.3f] over %d run(s)%n", key, primary, x.mean(), x.sd(),
                            x.min(), x.max(), g.labels().size());
                }
            });
        }
        out.println("-> " + r.dir());
        out.flush();
    }

    private static void fields(PrintWriter out, java.util.function.ToDoubleFunction<String> accuracy) {
        for (String f : FIELDS) {
            double x = accuracy.applyAsDouble(f);
            out.printf(Locale.ROOT, " %8s", Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3f", x));
        }
        out.println();
    }

    /** "value [lo, hi]", or the value alone without an interval. */
    static String format(EvalRecord.Estimate e) {
        if (e == null) {
            return "-";
        }
        return e.hasInterval() ? String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.value(), e.lo(), e.hi())
                : String.format(Locale.ROOT, "%.3f", e.value());
    }
}
