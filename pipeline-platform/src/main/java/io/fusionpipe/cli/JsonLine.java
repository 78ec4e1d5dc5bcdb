package io.fusionpipe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.json.Json;

import java.io.PrintWriter;

/** The one-line JSON every benchmark command prints after its table, for scripts to read. */
public final class JsonLine {

    private static final ObjectMapper JSON = Json.MAPPER;

    private JsonLine() {
    }

    /** Writes {@code value} as compact JSON on one line and flushes. */
    public static void print(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable as JSON: " + value, e);
        }
        out.flush();
    }
}
