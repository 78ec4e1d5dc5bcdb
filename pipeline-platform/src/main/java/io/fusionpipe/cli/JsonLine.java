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

    /** The JSON line a benchmark printed last in {@code output}; fails naming {@code what} when there is none. */
    public static com.fasterxml.jackson.databind.JsonNode last(String output, String what) {
        String[] lines = output.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (line.startsWith("{") && line.endsWith("}")) {
                return Json.tree(line, what);
            }
        }
        throw new IllegalStateException(what + " printed no JSON line");
    }
}
