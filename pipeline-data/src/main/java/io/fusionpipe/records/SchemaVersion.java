package io.fusionpipe.records;

import io.fusionpipe.errors.BadInputException;

/**
 * The {@code schema_version} every file the pipeline writes carries: an integer major version. A
 * reader accepts its own and older majors (fields a newer minor adds are ignored) and refuses a newer
 * one. Files written before versions existed have none, which reads as 1.
 */
public final class SchemaVersion {

    private SchemaVersion() {
    }

    /** The version a file declares (0 or absent: 1). */
    public static int of(int declared) {
        return declared <= 0 ? 1 : declared;
    }

    /** Throws when {@code declared} is newer than {@code supported}; {@code file} names what was read. */
    public static void check(String file, int declared, int supported) {
        if (of(declared) > supported) {
            throw new BadInputException(file + " has schema_version " + declared + ", newer than the " + supported
                    + " this build reads: it was written by a newer Fusionpipe; upgrade to read it");
        }
    }
}
