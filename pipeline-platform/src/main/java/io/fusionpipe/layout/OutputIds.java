package io.fusionpipe.layout;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** Ids of outputs (runs, evaluations): readable, sorted by start time, unique without coordination. */
public final class OutputIds {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private OutputIds() {
    }

    /** {@code <prefix>-<UTC yyyyMMdd-HHmmss>-<6 random hex digits>}, e.g. {@code cards-v1-early-20261201-003752-57e4d1}. */
    public static String next(String prefix) {
        return prefix + "-" + TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-" + UUID.randomUUID().toString().substring(0, 6);
    }
}
