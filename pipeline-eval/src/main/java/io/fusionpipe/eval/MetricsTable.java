package io.fusionpipe.eval;

import io.fusionpipe.records.EvalRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.parquet}: metrics.json as one tidy long table (one row per evaluation, variant,
 * condition and figure), for pandas, DuckDB or Spark without walking nested JSON. Seed groups,
 * summaries of these rows over runs, stay in metrics.json.
 */
public final class MetricsTable {

    public static final String FILE = "metrics.parquet";
    public static final String BASELINE = "majority_baseline";

    /**
     * kind: "caption" (a caption metric), "field" (a card-field score) or "robustness" (a caption metric under a
     * missing input). The majority baseline's field scores have label and variant {@value #BASELINE} and no run_id.
     */
    public static final StructType SCHEMA = new StructType()
            .add("eval_id", DataTypes.StringType, false)
            .add("dataset", DataTypes.StringType, false)
            .add("dataset_version", DataTypes.IntegerType, false)
            .add("split", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, false)
            .add("run_id", DataTypes.StringType, true)
            .add("variant", DataTypes.StringType, false)
            .add("condition", DataTypes.StringType, false)
            .add("kind", DataTypes.StringType, false)
            .add("name", DataTypes.StringType, false)
            .add("value", DataTypes.DoubleType, false)
            .add("lo", DataTypes.DoubleType, true)
            .add("hi", DataTypes.DoubleType, true)
            .add("images", DataTypes.LongType, true)
            .add("drop", DataTypes.DoubleType, true);

    private MetricsTable() {
    }

    public static List<Row> rows(EvalRecord e) {
        List<Row> out = new ArrayList<>();
        for (Map.Entry<String, EvalRecord.VariantResult> v : e.variants().entrySet()) {
            EvalRecord.VariantResult r = v.getValue();
            add(out, e, v.getKey(), r.runId(), r.variant(), "full", "caption", r.metrics());
            add(out, e, v.getKey(), r.runId(), r.variant(), "full", "field", r.fields());
            if (r.robustness() != null) {
                r.robustness().forEach((condition, m) -> add(out, e, v.getKey(), r.runId(), r.variant(), condition, "robustness", m));
            }
        }
        if (e.fieldBaseline() != null) {
            add(out, e, BASELINE, null, BASELINE, "full", "field", e.fieldBaseline().fields());
        }
        return out;
    }

    private static void add(List<Row> out, EvalRecord e, String label, String runId, String variant, String condition, String kind,
                            Map<String, EvalRecord.Estimate> figures) {
        if (figures == null) {
            return;
        }
        figures.forEach((name, x) -> out.add(RowFactory.create(e.evalId(), e.dataset().name(), e.dataset().version(), e.dataset().split(),
                label, runId, variant, condition, kind, name, x.value(), x.lo(), x.hi(), x.images(), x.drop())));
    }
}
