package io.fusionpipe.dataset;

import io.fusionpipe.json.Json;
import org.apache.spark.sql.Row;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one definition of a dataset version's layout and row schema, written by ingest and read by
 * training and evaluation.
 * <pre>
 * ROOT/datasets/NAME/v&lt;k&gt;/split=train|val|test/part-*.parquet
 *                          _manifest.json   counts, rejects by reason, vocab hash, inputs, config, timings
 *                          _rejects/        Parquet: source, source_ref, id, reason, detail
 *                          _vocab.json      the tokenizer vocabulary (fitted on train)
 *                          _fusionpipe.conf the resolved config
 *                          _COMMITTED       written last: the version is complete (schema 3 on)
 * </pre>
 * Everything that is not data starts with '_', so {@code spark.read.parquet("v<k>")} reads the
 * splits (with a {@code split} column) and nothing else.
 * The {@code image} column is a struct {bytes, path}: the layout Hugging Face datasets and DuckDB
 * read as images. {@code fields} is a JSON object as a string, not a Parquet MAP, which Hugging Face
 * datasets cannot load (version 1 shards had a MAP; {@link #fields} reads both).
 */
public final class DatasetSchema {

    /**
     * Bumped whenever a column is added, removed or changes meaning, or the layout's rules change.
     * 2: {@code fields} a JSON string (was a MAP). 3: a version is committed by its {@code _COMMITTED} marker ({@link io.fusionpipe.layout.Commits}).
     */
    public static final int VERSION = 3;

    /** The first version whose datasets are visible only with their {@code _COMMITTED} marker ({@link io.fusionpipe.layout.Commits}) (older ones were published by one rename). */
    public static final int COMMIT_MARKER_SINCE = 3;

    /** The oldest version this build still reads. */
    public static final int OLDEST_READABLE = 1;

    public static final String MANIFEST = "_manifest.json";
    public static final String REJECTS = "_rejects";
    public static final String VOCAB = "_vocab.json";
    public static final String CONFIG = "_fusionpipe.conf";
    public static final String SPLIT_COLUMN = "split";
    public static final String[] SPLITS = {"train", "val", "test"};

    public static final String IMAGE = "image";
    public static final String ID = "id";
    public static final String CAPTIONS = "captions";
    public static final String CAPTION = "caption";
    public static final String TOKENS = "tokens";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String ORIG_WIDTH = "orig_width";
    public static final String ORIG_HEIGHT = "orig_height";
    public static final String SHA256 = "sha256";
    public static final String PHASH = "phash";
    public static final String SOURCE = "source";
    public static final String GROUP_KEY = "group_key";
    public static final String FIELDS = "fields";

    public static final StructType IMAGE_STRUCT = new StructType(new StructField[]{
            DataTypes.createStructField("bytes", DataTypes.BinaryType, false),
            DataTypes.createStructField("path", DataTypes.StringType, true)});

    /** Rows of a split (the split itself is the directory partition column). */
    public static final StructType ROW = new StructType(new StructField[]{
            DataTypes.createStructField(IMAGE, IMAGE_STRUCT, false),
            DataTypes.createStructField(ID, DataTypes.StringType, false),
            DataTypes.createStructField(CAPTIONS, DataTypes.createArrayType(DataTypes.StringType, false), false),
            DataTypes.createStructField(CAPTION, DataTypes.StringType, false),
            DataTypes.createStructField(TOKENS, DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField(WIDTH, DataTypes.IntegerType, false),
            DataTypes.createStructField(HEIGHT, DataTypes.IntegerType, false),
            DataTypes.createStructField(ORIG_WIDTH, DataTypes.IntegerType, false),
            DataTypes.createStructField(ORIG_HEIGHT, DataTypes.IntegerType, false),
            DataTypes.createStructField(SHA256, DataTypes.StringType, false),
            DataTypes.createStructField(PHASH, DataTypes.StringType, false),
            DataTypes.createStructField(SOURCE, DataTypes.StringType, false),
            DataTypes.createStructField(GROUP_KEY, DataTypes.StringType, false),
            DataTypes.createStructField(FIELDS, DataTypes.StringType, true)});

    /** {@link #ROW} plus the split, as a writer holds it before partitioning by split. */
    public static final StructType ROW_WITH_SPLIT = ROW.add(SPLIT_COLUMN, DataTypes.StringType, false);

    public static final StructType REJECT = new StructType(new StructField[]{
            DataTypes.createStructField(SOURCE, DataTypes.StringType, false),
            DataTypes.createStructField("source_ref", DataTypes.StringType, false),
            DataTypes.createStructField(ID, DataTypes.StringType, true),
            DataTypes.createStructField("reason", DataTypes.StringType, false),
            DataTypes.createStructField("detail", DataTypes.StringType, true)});

    private DatasetSchema() {
    }

    /** The {@code fields} value written for a row: a JSON object, or null when there are none. */
    public static String fieldsJson(Map<String, String> fields) {
        return fields == null || fields.isEmpty() ? null : Json.compact(new TreeMap<>(fields));
    }

    /** A row's fields, from a JSON string (version 2) or a MAP column (version 1). */
    public static Map<String, String> fields(Row r) {
        int i = r.fieldIndex(FIELDS);
        if (r.isNullAt(i)) {
            return Map.of();
        }
        Object v = r.get(i);
        if (v instanceof String json) {
            Map<String, String> out = new LinkedHashMap<>();
            Json.tree(json, "column " + FIELDS).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
        return new LinkedHashMap<>(r.getJavaMap(i));
    }
}
