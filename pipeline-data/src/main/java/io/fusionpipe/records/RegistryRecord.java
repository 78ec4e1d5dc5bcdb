package io.fusionpipe.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code registry/registry.json} (and each {@code registry/history/rev-N.json}): the champion of
 * each model name and every promotion decision, oldest first.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegistryRecord(int schemaVersion, long revision, String updated, Map<String, Champion> champions, List<Decision> history) {

    public static final String FILE = "registry.json";
    public static final int VERSION = 1;

    /** The model a name currently serves: run, variant, the evaluation and metric value it won with. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Champion(String runId, String variant, String evalId, String metric, double value, String dataset, String since) {
    }

    /** One promote decision: the challenger, the champion it met (if any), the test and the outcome. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Decision(String time, String model, String outcome, String evalId, String created, String metric, String challengerRun,
                           String challengerVariant, double challengerValue, String championRun, Double championValue, Double pValue,
                           String reason) {
    }

    public static RegistryRecord empty() {
        return new RegistryRecord(VERSION, 0, null, new LinkedHashMap<>(), new ArrayList<>());
    }

    /** The champion of {@code model}, or null. */
    public Champion champion(String model) {
        return champions.get(model);
    }

    /** The next revision: {@code decision} appended, {@code crowned} (when not null) the champion of the decision's model. */
    public RegistryRecord with(Decision decision, Champion crowned, String updated) {
        Map<String, Champion> c = new LinkedHashMap<>(champions);
        if (crowned != null) {
            c.put(decision.model(), crowned);
        }
        List<Decision> h = new ArrayList<>(history);
        h.add(decision);
        return new RegistryRecord(VERSION, revision + 1, updated, c, h);
    }

    public String toJson() {
        return Json.pretty(this);
    }

    public static RegistryRecord fromJson(String text, String file) {
        String expected = "registry " + file + " is not a Fusionpipe registry (expected an object with champions{} and history[])";
        RegistryRecord r;
        try {
            r = Json.read(text, RegistryRecord.class, file);
        } catch (BadInputException e) {
            throw new BadInputException(expected + ": " + e.getMessage(), e);
        }
        SchemaVersion.check(file, r.schemaVersion(), VERSION);
        if (r.champions() == null || r.history() == null) {
            throw new BadInputException(expected);
        }
        return r;
    }
}
