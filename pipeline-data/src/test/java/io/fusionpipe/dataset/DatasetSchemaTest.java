package io.fusionpipe.dataset;

import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The fields column: a JSON string now, a MAP in version-1 shards; both read the same. */
class DatasetSchemaTest {

    @Test
    void fieldsReadFromAJsonStringOrAVersionOneMap() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", "Pikachu");
        fields.put("hp", "60");
        String json = DatasetSchema.fieldsJson(fields);
        assertEquals("{\"hp\":\"60\",\"name\":\"Pikachu\"}", json, "keys sorted: the same fields give the same bytes");
        StructType v2 = new StructType().add(DatasetSchema.FIELDS, DataTypes.StringType);
        assertEquals(fields, DatasetSchema.fields(new GenericRowWithSchema(new Object[]{json}, v2)));
        StructType v1 = new StructType().add(DatasetSchema.FIELDS, DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
        Object scalaMap = scala.collection.JavaConverters.mapAsScalaMap(fields).toMap(scala.Predef.$conforms());
        assertEquals(fields, DatasetSchema.fields(new GenericRowWithSchema(new Object[]{scalaMap}, v1)));
        assertEquals(Map.of(), DatasetSchema.fields(new GenericRowWithSchema(new Object[]{null}, v2)));
        assertNull(DatasetSchema.fieldsJson(Map.of()));
    }
}
