package io.fusionpipe.records;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The file-format reference (docs/file-formats.md) generated from the records themselves, so the
 * documentation cannot drift from what the pipeline writes; a test compares the two.
 */
public final class RecordDocs {

    /** Every JSON file the pipeline writes and reads back: where it lives and what it is for. */
    public record Format(String path, String what, Class<? extends Record> type, int version) {
    }

    public static final List<Format> FORMATS = List.of(
            new Format("datasets/<name>/v<k>/" + DatasetManifest.FILE, "what a dataset version holds and how it was made (its "
                    + "schema_version is the shards'; versions 1 to " + io.fusionpipe.dataset.DatasetSchema.VERSION + " are read)",
                    DatasetManifest.class, 0),
            new Format("runs/<run id>/" + RunRecord.FILE, "a training run: what it trained on, where it stands, how it ended",
                    RunRecord.class, RunRecord.VERSION),
            new Format("runs/<run id>/" + EpochMetrics.FILE, "one JSON line per finished epoch (camelCase names, kept since the first runs)",
                    EpochMetrics.class, 0),
            new Format("evals/<eval id>/" + EvalRecord.FILE, "an evaluation of one or more runs on one dataset split",
                    EvalRecord.class, EvalRecord.VERSION),
            new Format("registry/" + RegistryRecord.FILE, "champion per model name and every promote decision (each revision also "
                    + "in registry/history/rev-N.json)", RegistryRecord.class, RegistryRecord.VERSION),
            new Format("nightly/<date>/" + NightlyRecord.FILE, "one night's run log, rewritten after every change",
                    NightlyRecord.class, NightlyRecord.VERSION));

    private RecordDocs() {
    }

    /** The Markdown between the doc's generated-section markers. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        for (Format f : FORMATS) {
            b.append("### `ROOT/").append(f.path()).append("`\n\n").append(capitalise(f.what())).append('.');
            if (f.version() > 0) {
                b.append(" Schema version ").append(f.version()).append(" (`schema_version`; a newer major is refused).");
            }
            b.append(" Record: `").append(f.type().getName()).append("`.\n\n| field | type |\n|---|---|\n");
            Set<Class<?>> seen = new LinkedHashSet<>();
            rows(b, "", f.type(), seen);
            b.append('\n');
        }
        return b.toString();
    }

    private static void rows(StringBuilder b, String prefix, Class<?> record, Set<Class<?>> seen) {
        List<Class<?>> nested = new ArrayList<>();
        boolean snake = record.isAnnotationPresent(JsonNaming.class)
                && record.getAnnotation(JsonNaming.class).value() == PropertyNamingStrategies.SnakeCaseStrategy.class;
        for (RecordComponent c : record.getRecordComponents()) {
            String name = prefix + (snake ? snake(c.getName()) : c.getName());
            b.append("| `").append(name).append("` | ").append(type(c.getGenericType(), nested, name)).append(" |\n");
            for (Class<?> n : nested) {
                if (seen.add(n)) {
                    rows(b, name + (isContainer(c.getGenericType()) ? suffix(c.getGenericType()) : "."), n, seen);
                }
            }
            nested.clear();
        }
    }

    private static boolean isContainer(Type t) {
        return t instanceof ParameterizedType;
    }

    /** How a nested record's fields are addressed under a list ({@code []}) or map ({@code .<key>}) field. */
    private static String suffix(Type t) {
        ParameterizedType p = (ParameterizedType) t;
        Type inner = p.getActualTypeArguments()[p.getActualTypeArguments().length - 1];
        String here = ((Class<?>) p.getRawType()) == List.class ? "[]." : ".<key>.";
        return isContainer(inner) ? here.substring(0, here.length() - 1) + suffix(inner) : here;
    }

    private static String type(Type t, List<Class<?>> nested, String name) {
        if (t instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            String element = type(args[args.length - 1], nested, name).replace(", optional", "");
            return raw == List.class ? "array of " + element : "object: key → " + element;
        }
        Class<?> c = (Class<?>) t;
        if (c.isRecord()) {
            nested.add(c);
            return "object (" + c.getSimpleName() + ")";
        }
        if (c.isEnum()) {
            List<String> ids = new ArrayList<>();
            for (Object e : c.getEnumConstants()) {
                ids.add(((Enum<?>) e).name().toLowerCase(java.util.Locale.ROOT));
            }
            return "string: " + String.join(" \\| ", ids);
        }
        return switch (c.getName()) {
            case "int", "long" -> "integer";
            case "java.lang.Integer", "java.lang.Long" -> "integer, optional";
            case "double" -> "number";
            case "java.lang.Double" -> "number, optional";
            case "boolean" -> "boolean";
            case "java.lang.String" -> "string";
            default -> c.getSimpleName();
        };
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
