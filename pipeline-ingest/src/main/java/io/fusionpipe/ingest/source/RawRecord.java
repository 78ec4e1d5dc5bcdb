package io.fusionpipe.ingest.source;

import io.fusionpipe.ingest.RejectReason;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Map;

/**
 * One input row as every source delivers it, before validation: where it came from, its order
 * (first wins in every duplicate rule), id, image (a reference resolved later, or inline bytes),
 * caption, extra fields, and a problem already found by the source (a reject reason), if any.
 */
public final class RawRecord {

    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("source", DataTypes.StringType, false),
            DataTypes.createStructField("source_ref", DataTypes.StringType, false),
            DataTypes.createStructField("ord", DataTypes.LongType, false),
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("image_base", DataTypes.StringType, true),
            DataTypes.createStructField("image_ref", DataTypes.StringType, true),
            DataTypes.createStructField("image_bytes", DataTypes.BinaryType, true),
            DataTypes.createStructField("caption", DataTypes.StringType, true),
            DataTypes.createStructField("fields", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true), true),
            DataTypes.createStructField("problem", DataTypes.StringType, true),
            DataTypes.createStructField("problem_detail", DataTypes.StringType, true)});

    /** Rows numbered within a source are ordered across sources by this: source index first. */
    public static long ord(int sourceIndex, long rowIndex) {
        return ((long) sourceIndex << 40) | rowIndex;
    }

    private RawRecord() {
    }

    /** A row with an image reference resolved against {@code imageBase} (the input's folder). */
    public static Row of(String source, String ref, long ord, String id, String imageBase, String imageRef, byte[] imageBytes,
                         String caption, Map<String, String> fields) {
        return RowFactory.create(source, ref, ord, id, imageBase, imageRef, imageBytes, caption,
                fields == null ? null : scala.collection.JavaConverters.mapAsScalaMap(fields), null, null);
    }

    /** A row the source already knows is bad. */
    public static Row problem(String source, String ref, long ord, String id, RejectReason reason, String detail) {
        return RowFactory.create(source, ref, ord, id, null, null, null, null, null, reason.code(), detail);
    }
}
