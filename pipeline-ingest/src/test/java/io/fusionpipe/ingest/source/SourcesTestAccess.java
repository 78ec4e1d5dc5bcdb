package io.fusionpipe.ingest.source;

/** Package-private parts of Sources that tests in other packages check. */
public final class SourcesTestAccess {

    private SourcesTestAccess() {
    }

    public static String derivedId(byte[] image) {
        return Sources.derivedId(image);
    }
}
