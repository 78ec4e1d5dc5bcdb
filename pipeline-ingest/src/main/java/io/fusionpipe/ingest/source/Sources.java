package io.fusionpipe.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.json.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;

/**
 * Reads each input format into {@link RawRecord} rows on the executors: JSONL, CSV and Parquet
 * manifests (columns mapped by config), COCO captions JSON, and WebDataset tar shards.
 * Problems a source can see itself (a bad line, a tar member escaping its folder, a caption
 * without image) become rows with a problem, never exceptions or silent drops.
 */
public final class Sources {

    private static final ObjectMapper JSON = Json.MAPPER;
    private static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png", "webp", "gif", "bmp");

    private Sources() {
    }

    public static Dataset<Row> read(SparkSession spark, InputSpec in, int sourceIndex, IngestSettings s) {
        JavaRDD<Row> rows = switch (in.format()) {
            case "jsonl" -> jsonl(spark, in, sourceIndex, s);
            case "csv" -> csv(spark, in, sourceIndex, s);
            case "parquet" -> parquet(spark, in, sourceIndex, s);
            case "coco" -> coco(spark, in, sourceIndex, s);
            case "webdataset" -> webdataset(spark, in, sourceIndex, s);
            default -> throw new BadInputException("unknown format " + in.format());
        };
        return spark.createDataFrame(rows, RawRecord.SCHEMA);
    }

    private static String baseDir(SparkSession spark, String path) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            return (fs.getFileStatus(p).isDirectory() ? p : p.getParent()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- JSONL ----

    static JavaRDD<Row> jsonl(SparkSession spark, InputSpec in, int sourceIndex, IngestSettings s) {
        String base = baseDir(spark, in.path());
        String source = in.source();
        String name = new Path(in.path()).getName();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return jsc.textFile(in.path()).zipWithIndex()
                .filter(t -> !t._1().isBlank())
                .map(t -> jsonLine(t._1(), source, name + ":" + (t._2() + 1), RawRecord.ord(sourceIndex, t._2()), base, s));
    }

    static Row jsonLine(String line, String source, String ref, long ord, String base, IngestSettings s) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return RawRecord.problem(source, ref, ord, null, RejectReason.MALFORMED_RECORD, "not valid JSON");
        }
        if (n == null || !n.isObject()) {
            return RawRecord.problem(source, ref, ord, null, RejectReason.MALFORMED_RECORD, "not a JSON object");
        }
        Map<String, String> values = new HashMap<>();
        n.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v != null && !v.isNull()) {
                values.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
            }
        });
        return mapped(values, source, ref, ord, base, s);
    }

    /** A manifest record (column name to text) as a raw row, through the configured column names. */
    static Row mapped(Map<String, String> values, String source, String ref, long ord, String base, IngestSettings s) {
        String id = values.get(s.idColumn());
        if (id == null || id.isBlank()) {
            return RawRecord.problem(source, ref, ord, null, RejectReason.MISSING_ID, "column '" + s.idColumn() + "' is missing or empty");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String f : s.fields()) {
            String v = values.get(f);
            if (v != null) {
                fields.put(f, v);
            }
        }
        if (s.givenSplits() && values.get(s.splitColumn()) != null) {
            fields.put(s.splitColumn(), values.get(s.splitColumn()));
        }
        String image = values.get(s.imageColumn());
        if (image == null || image.isBlank()) {
            return RawRecord.problem(source, ref, ord, id, RejectReason.CAPTION_WITHOUT_IMAGE, "column '" + s.imageColumn() + "' is missing or empty");
        }
        return RawRecord.of(source, ref, ord, id, base, image, null, values.get(s.captionColumn()), fields);
    }

    // ---- CSV ----

    static JavaRDD<Row> csv(SparkSession spark, InputSpec in, int sourceIndex, IngestSettings s) {
        String sep = in.path().toLowerCase(Locale.ROOT).endsWith(".tsv") ? "\t" : ",";
        StructType header = spark.read().option("header", "true").option("sep", sep).csv(in.path()).schema();
        requireColumns(in, header, s);
        StructType schema = header.add("_corrupt_record", DataTypes.StringType, true);
        Dataset<Row> df = spark.read().option("header", "true").option("sep", sep).option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", "_corrupt_record").schema(schema).csv(in.path());
        return manifestRows(df, in, sourceIndex, s, baseDir(spark, in.path()), "row");
    }

    // ---- Parquet ----

    static JavaRDD<Row> parquet(SparkSession spark, InputSpec in, int sourceIndex, IngestSettings s) {
        Dataset<Row> df;
        try {
            df = spark.read().parquet(in.path());
        } catch (Exception e) { // SparkException is checked but undeclared (Scala)
            // Spark reads the footers here: a damaged or non-Parquet file fails before any row is read
            throw new BadInputException("--input " + in.path() + ": not a readable Parquet file (" + rootMessage(e) + ")");
        }
        requireColumns(in, df.schema(), s);
        return manifestRows(df, in, sourceIndex, s, baseDir(spark, in.path()), "row");
    }

    /** The innermost cause's message: Spark wraps what the file reader said in several layers. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.length() > 300 ? m.substring(0, 300) + "…" : m;
    }

    private static void requireColumns(InputSpec in, StructType schema, IngestSettings s) {
        List<String> names = Arrays.asList(schema.fieldNames());
        for (String[] c : new String[][]{{"id", s.idColumn()}, {"image", s.imageColumn()}, {"caption", s.captionColumn()}}) {
            if (c[0].equals("id") && !names.contains(c[1]) && names.contains(s.imageColumn())
                    && inlineImage(schema.fields()[names.indexOf(s.imageColumn())].dataType())) {
                continue; // ids derived from the image bytes (manifestRows)
            }
            if (!names.contains(c[1])) {
                throw new BadInputException("--input " + in.path() + ": no column '" + c[1] + "' (columns: " + String.join(", ", names)
                        + "); map the " + c[0] + " column with --set ingest.columns." + c[0] + "=NAME");
            }
        }
    }

    /** CSV/Parquet rows: strings, an image column that may also be binary or a {bytes, path} struct. */
    private static JavaRDD<Row> manifestRows(Dataset<Row> df, InputSpec in, int sourceIndex, IngestSettings s, String base, String unit) {
        StructType schema = df.schema();
        String[] names = schema.fieldNames();
        int imageIdx = Arrays.asList(names).indexOf(s.imageColumn());
        boolean binaryImage = schema.fields()[imageIdx].dataType() instanceof BinaryType;
        boolean structImage = !binaryImage && inlineImage(schema.fields()[imageIdx].dataType());
        // Hugging Face exports often have no id column: a stable id from the image bytes (rows of one image share it)
        boolean deriveIds = !Arrays.asList(names).contains(s.idColumn());
        int corrupt = Arrays.asList(names).indexOf("_corrupt_record");
        String source = in.source();
        String file = new Path(in.path()).getName();
        return df.toJavaRDD().zipWithIndex().map(t -> {
            Row r = t._1();
            long idx = t._2();
            String ref = file + ":" + unit + " " + (idx + 1);
            long ord = RawRecord.ord(sourceIndex, idx);
            if (corrupt >= 0 && !r.isNullAt(corrupt)) {
                return RawRecord.problem(source, ref, ord, null, RejectReason.MALFORMED_RECORD, "unparsable CSV line");
            }
            Map<String, String> values = new HashMap<>();
            byte[] inline = null;
            for (int i = 0; i < names.length; i++) {
                if (r.isNullAt(i) || i == corrupt) {
                    continue;
                }
                if (i == imageIdx && binaryImage) {
                    inline = (byte[]) r.get(i);
                    values.put(names[i], "<bytes>");
                } else if (i == imageIdx && structImage) {
                    Row img = r.getStruct(i);
                    inline = img.isNullAt(img.fieldIndex("bytes")) ? null : (byte[]) img.get(img.fieldIndex("bytes"));
                    values.put(names[i], inline == null ? null : "<bytes>");
                } else {
                    Object v = r.get(i);
                    values.put(names[i], v instanceof scala.collection.Seq<?> seq
                            ? JSON.writeValueAsString(scala.collection.JavaConverters.seqAsJavaList(seq)) : String.valueOf(v));
                }
            }
            if (deriveIds && inline != null) {
                values.put(s.idColumn(), derivedId(inline));
            }
            Row row = mapped(values, source, ref, ord, base, s);
            if (inline != null && row.isNullAt(RawRecord.SCHEMA.fieldIndex("problem"))) {
                return RawRecord.of(source, ref, ord, row.getString(3), base, null, inline, row.getString(7), row.getJavaMap(8));
            }
            return row;
        });
    }

    /** An image column with the bytes inline: binary, or a {bytes, path} struct (the Hugging Face image layout). */
    private static boolean inlineImage(org.apache.spark.sql.types.DataType t) {
        return t instanceof BinaryType || t instanceof StructType st && Arrays.asList(st.fieldNames()).contains("bytes");
    }

    /** The id of a row without one: "img-" and 16 hex digits of the image's SHA-256, the same on every run. */
    static String derivedId(byte[] image) {
        return "img-" + io.fusionpipe.Hashing.sha256Hex(image).substring(0, 16);
    }

    // ---- COCO ----

    /** Annotation ids become row order; larger ones would run into the other ord ranges below. */
    static final long MAX_COCO_ID = (1L << 38) - 1;

    static JavaRDD<Row> coco(SparkSession spark, InputSpec in, int sourceIndex, IngestSettings s) {
        Dataset<Row> doc = spark.read().option("multiLine", "true").json(in.path());
        Map<String, StructType> entries = new HashMap<>();
        for (String array : List.of("images", "annotations")) {
            if (!Arrays.asList(doc.schema().fieldNames()).contains(array)
                    || !(doc.schema().apply(array).dataType() instanceof org.apache.spark.sql.types.ArrayType a)
                    || !(a.elementType() instanceof StructType entry)) {
                throw new BadInputException("--input " + in.path() + ": a COCO captions file needs 'images' and 'annotations' arrays of objects (found: "
                        + doc.schema().simpleString() + ")");
            }
            entries.put(array, entry);
        }
        String base = cocoImageDir(spark.sparkContext().hadoopConfiguration(), in.path(), s.cocoImageDir());
        StructType image = entries.get("images");
        StructType ann = entries.get("annotations");
        Dataset<Row> images = doc.select(explode(col("images")).as("i"))
                .select(field("i", image, "id", "image_id"), field("i", image, "file_name", "file_name"), lit(true).as("has_image"));
        Dataset<Row> anns = doc.select(explode(col("annotations")).as("a"))
                .select(field("a", ann, "id", "ann_id"), field("a", ann, "image_id", "ann_image_id"), field("a", ann, "caption", "caption"),
                        lit(true).as("has_ann"));
        Dataset<Row> joined = anns.join(images, anns.col("ann_image_id").equalTo(images.col("image_id")), "full_outer")
                .select("ann_id", "ann_image_id", "caption", "image_id", "file_name", "has_ann", "has_image");
        String source = in.source();
        String file = new Path(in.path()).getName();
        return joined.toJavaRDD().map(r -> cocoRow(r, source, sourceIndex, file, base));
    }

    /** A struct field as a string column, null when the entries have no such field at all. */
    private static org.apache.spark.sql.Column field(String struct, StructType type, String name, String as) {
        boolean present = Arrays.asList(type.fieldNames()).contains(name);
        return (present ? col(struct + "." + name).cast("string") : lit(null).cast("string")).as(as);
    }

    /** One joined (annotation, image) pair as a raw row, or the reason it cannot be one. */
    static Row cocoRow(Row r, String source, int sourceIndex, String file, String base) {
        String annId = r.getString(0);
        String annImageId = r.getString(1);
        String imageId = r.getString(3);
        String fileName = r.getString(4);
        boolean hasAnn = !r.isNullAt(5);
        boolean hasImage = !r.isNullAt(6);
        if (!hasAnn) {
            long imageOrd = (1L << 39) + Math.abs((long) String.valueOf(imageId == null ? fileName : imageId).hashCode());
            if (imageId == null) {
                return RawRecord.problem(source, file + ":image without id (file_name " + fileName + ")", RawRecord.ord(sourceIndex, imageOrd),
                        null, RejectReason.MISSING_ID, "an images[] entry has no id");
            }
            return RawRecord.problem(source, file + ":image " + imageId, RawRecord.ord(sourceIndex, imageOrd), imageId,
                    RejectReason.IMAGE_WITHOUT_CAPTION, "no annotation refers to image " + imageId);
        }
        long problemOrd = RawRecord.ord(sourceIndex, (1L << 38) + Math.abs((long) (annImageId + "\u0000" + r.getString(2)).hashCode()));
        if (annId == null) {
            return RawRecord.problem(source, file + ":annotation without id (image_id " + annImageId + ")", problemOrd, annImageId,
                    RejectReason.MISSING_ID, "an annotations[] entry has no id");
        }
        long id;
        try {
            // a whole number, however the JSON wrote it (Spark reads 10 as "10", 10.0 as "10.0" when any id is fractional)
            id = new java.math.BigDecimal(annId.trim()).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            id = -1;
        }
        if (id < 0 || id > MAX_COCO_ID) {
            return RawRecord.problem(source, file + ":annotation " + annId, problemOrd, annImageId, RejectReason.MALFORMED_RECORD,
                    "annotation id '" + annId + "' is not a whole number in 0.." + MAX_COCO_ID);
        }
        if (!hasImage) {
            return RawRecord.problem(source, file + ":annotation " + id, RawRecord.ord(sourceIndex, id), annImageId,
                    RejectReason.CAPTION_WITHOUT_IMAGE, annImageId == null ? "annotation " + id + " has no image_id"
                            : "image_id " + annImageId + " is not in images[]");
        }
        return RawRecord.of(source, file + ":annotation " + id, RawRecord.ord(sourceIndex, id), imageId, base,
                fileName, null, r.getString(2), null);
    }

    static String cocoImageDir(Configuration hadoop, String json, String configured) {
        if (!configured.isBlank()) {
            return new Path(configured).toString();
        }
        Path parent = new Path(json).getParent();
        Path images = new Path(parent, "images");
        try {
            return images.getFileSystem(hadoop).exists(images) ? images.toString() : parent.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- WebDataset ----

    static JavaRDD<Row> webdataset(SparkSession spark, InputSpec in, int sourceIndex, IngestSettings s) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path p = new Path(in.path());
        List<String> tars = new ArrayList<>();
        try {
            FileSystem fs = p.getFileSystem(hadoop);
            if (fs.getFileStatus(p).isDirectory()) {
                for (FileStatus st : fs.listStatus(p)) {
                    if (st.getPath().getName().toLowerCase(Locale.ROOT).endsWith(".tar")) {
                        tars.add(st.getPath().toString());
                    }
                }
            } else {
                tars.add(p.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tars.sort(null);
        if (tars.isEmpty()) {
            throw new BadInputException("--input " + in.path() + ": no .tar shards");
        }
        Map<String, Integer> tarIndex = new HashMap<>();
        for (int i = 0; i < tars.size(); i++) {
            tarIndex.put(new Path(tars.get(i)).toUri().getPath(), i);
        }
        String source = in.source();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return jsc.binaryFiles(String.join(",", tars))
                .flatMap(t -> TarSamples.open(t._2(), source, sourceIndex, tarIndex.getOrDefault(new Path(t._1()).toUri().getPath(), 0),
                        s.maxBytes()));
    }

    static Row sampleRow(Map<String, byte[]> members, String key, String source, String tarName, long ord) {
        String ref = tarName + ":" + key;
        String id = key.substring(key.lastIndexOf('/') + 1);
        byte[] image = null;
        for (String ext : IMAGE_EXTENSIONS) {
            if (members.containsKey(ext)) {
                image = members.get(ext);
                break;
            }
        }
        String caption = null;
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            if (members.containsKey("txt")) {
                caption = strictUtf8(members.get("txt"));
            } else if (members.containsKey("json")) {
                JsonNode n = JSON.readTree(strictUtf8(members.get("json")));
                caption = n.hasNonNull("caption") ? n.get("caption").asText() : n.hasNonNull("text") ? n.get("text").asText() : null;
                n.fields().forEachRemaining(f -> {
                    if (f.getValue().isValueNode() && !f.getKey().equals("caption") && !f.getKey().equals("text")) {
                        fields.put(f.getKey(), f.getValue().asText());
                    }
                });
            }
        } catch (CharacterCodingException e) {
            return RawRecord.problem(source, ref, ord, id, RejectReason.INVALID_UTF8, "caption member is not valid UTF-8");
        } catch (IOException e) {
            return RawRecord.problem(source, ref, ord, id, RejectReason.MALFORMED_RECORD, "json member is not valid JSON");
        }
        if (image == null) {
            return RawRecord.problem(source, ref, ord, id, RejectReason.CAPTION_WITHOUT_IMAGE, "no image member (" + members.keySet() + ")");
        }
        if (caption == null) {
            return RawRecord.problem(source, ref, ord, id, RejectReason.IMAGE_WITHOUT_CAPTION, "no .txt or .json caption member");
        }
        return RawRecord.of(source, ref, ord, id, null, null, image, caption, fields);
    }

    static String strictUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }
}
