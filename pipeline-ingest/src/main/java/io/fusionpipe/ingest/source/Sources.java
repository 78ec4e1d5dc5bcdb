package io.fusionpipe.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.json.Json;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.InputStream;
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
            case "webdataset" -> webdataset(spark, in, sourceIndex);
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
        Dataset<Row> df = spark.read().parquet(in.path());
        requireColumns(in, df.schema(), s);
        return manifestRows(df, in, sourceIndex, s, baseDir(spark, in.path()), "row");
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

    static JavaRDD<Row> coco(SparkSession spark, InputSpec in, int sourceIndex, IngestSettings s) {
        Dataset<Row> doc = spark.read().option("multiLine", "true").json(in.path());
        List<String> top = Arrays.asList(doc.schema().fieldNames());
        if (!top.contains("images") || !top.contains("annotations")) {
            throw new BadInputException("--input " + in.path() + ": a COCO captions file needs 'images' and 'annotations' arrays (found: "
                    + String.join(", ", top) + ")");
        }
        String base = cocoImageDir(spark.sparkContext().hadoopConfiguration(), in.path(), s.cocoImageDir());
        Dataset<Row> images = doc.select(explode(col("images")).as("i"))
                .select(col("i.id").cast("string").as("image_id"), col("i.file_name").as("file_name"));
        Dataset<Row> anns = doc.select(explode(col("annotations")).as("a"))
                .select(col("a.id").cast("long").as("ann_id"), col("a.image_id").cast("string").as("ann_image_id"), col("a.caption").as("caption"));
        Dataset<Row> joined = anns.join(images, anns.col("ann_image_id").equalTo(images.col("image_id")), "full_outer");
        String source = in.source();
        String file = new Path(in.path()).getName();
        return joined.toJavaRDD().map(r -> {
            boolean hasAnn = !r.isNullAt(0);
            boolean hasImage = !r.isNullAt(3);
            if (!hasImage) {
                long annId = r.getLong(0);
                return RawRecord.problem(source, file + ":annotation " + annId, RawRecord.ord(sourceIndex, annId), r.getString(1),
                        RejectReason.CAPTION_WITHOUT_IMAGE, "image_id " + r.getString(1) + " is not in images[]");
            }
            String imageId = r.getString(3);
            if (!hasAnn) {
                long imageOrd = (1L << 39) + Math.abs(imageId.hashCode());
                return RawRecord.problem(source, file + ":image " + imageId, RawRecord.ord(sourceIndex, imageOrd), imageId,
                        RejectReason.IMAGE_WITHOUT_CAPTION, "no annotation refers to image " + imageId);
            }
            long annId = r.getLong(0);
            return RawRecord.of(source, file + ":annotation " + annId, RawRecord.ord(sourceIndex, annId), imageId, base,
                    r.isNullAt(4) ? null : r.getString(4), null, r.isNullAt(2) ? null : r.getString(2), null);
        });
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

    static JavaRDD<Row> webdataset(SparkSession spark, InputSpec in, int sourceIndex) {
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
                .flatMap(t -> readTar(t._2(), source, sourceIndex, tarIndex.getOrDefault(new Path(t._1()).toUri().getPath(), 0)).iterator());
    }

    /**
     * Samples of one tar: members grouped by key (path up to the first dot of the file name), adjacent
     * as WebDataset writes them. Order: (tar index << 24) + sample index, so up to 65,536 shards of up
     * to 16.7M members each keep a unique, stable order within the source.
     */
    static List<Row> readTar(PortableDataStream stream, String source, int sourceIndex, int tarIdx) throws IOException {
        List<Row> out = new ArrayList<>();
        String tarName = new Path(stream.getPath()).getName();
        long tarBase = RawRecord.ord(sourceIndex, (long) tarIdx << 24);
        try (InputStream raw = stream.open(); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            Map<String, byte[]> members = new LinkedHashMap<>();
            String key = null;
            long sample = 0;
            TarArchiveEntry e;
            while ((e = tar.getNextTarEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                String name = e.getName();
                long ord = tarBase + sample;
                if (name.startsWith("/") || Arrays.asList(name.split("/")).contains("..") || e.isSymbolicLink() || e.isLink()) {
                    out.add(RawRecord.problem(source, tarName + ":" + name, ord, null, RejectReason.PATH_OUTSIDE_ROOT,
                            "tar member name '" + name + "' escapes the shard"));
                    sample++;
                    continue;
                }
                String file = name.substring(name.lastIndexOf('/') + 1);
                int dot = file.indexOf('.');
                String k = dot < 0 ? name : name.substring(0, name.length() - file.length() + dot);
                String ext = dot < 0 ? "" : file.substring(dot + 1).toLowerCase(Locale.ROOT);
                if (key != null && !k.equals(key)) {
                    out.add(sampleRow(members, key, source, tarName, tarBase + sample));
                    sample++;
                    members.clear();
                }
                key = k;
                members.put(ext, tar.readAllBytes());
            }
            if (key != null) {
                out.add(sampleRow(members, key, source, tarName, tarBase + sample));
            }
        }
        return out;
    }

    private static Row sampleRow(Map<String, byte[]> members, String key, String source, String tarName, long ord) {
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
