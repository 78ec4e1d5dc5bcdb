package io.fusionpipe.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fusionpipe.errors.BadInputException;

/**
 * The one JSON mapper every file Fusionpipe writes or reads goes through. Unknown fields are
 * ignored (a newer minor version may add some; a newer major version is refused by
 * {@code SchemaVersion}); NaN is written as the string "NaN" and read back, as training losses can be NaN.
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private Json() {
    }

    /** Indented, with a final newline: the form of every JSON file the pipeline writes. */
    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable as JSON: " + value.getClass().getName(), e);
        }
    }

    /** One line, no final newline (JSON Lines, the benchmark commands' last line). */
    public static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable as JSON: " + value.getClass().getName(), e);
        }
    }

    /** Parses {@code text}; {@code what} names its source in the error (a path, "--input x"). */
    public static JsonNode tree(String text, String what) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadInputException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Binds {@code text} to {@code type}; {@code what} names its source in the error. */
    public static <T> T read(String text, Class<T> type, String what) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new BadInputException(what + " is not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
