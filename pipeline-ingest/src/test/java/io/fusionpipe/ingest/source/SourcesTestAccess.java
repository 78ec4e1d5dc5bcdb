package io.fusionpipe.ingest.source;

/** Package-private parts of Sources that tests in other packages check. */
public final class SourcesTestAccess {

    private SourcesTestAccess() {
    }

    public static String derivedId(byte[] image) {
        return Sources.derivedId(image);
    }

    public static org.apache.spark.sql.Row jsonLine(String line, String ref, io.fusionpipe.ingest.IngestSettings s) {
        return Sources.jsonLine(line, "fuzz", ref, 0, "/nowhere", s);
    }

    public static java.util.Iterator<org.apache.spark.sql.Row> tar(byte[] tar, io.fusionpipe.ingest.IngestSettings s) {
        return TarSamples.read(new java.io.ByteArrayInputStream(tar), "fuzz", "fuzz.tar", 0, s.maxBytes());
    }
}
