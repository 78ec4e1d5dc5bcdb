package io.fusionpipe.dataset;

import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.errors.NotFoundException;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.records.DatasetManifest;
import io.fusionpipe.text.Vocabulary;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalInt;

/** A published dataset version as readers see it: where it is, its image size, caption length and vocabulary. */
public record DatasetVersion(String name, int version, Path path, int width, int height, int maxTokens, Vocabulary vocabulary,
                             DatasetManifest manifest) {

    /** Opens version {@code version} of dataset {@code name}, or the latest when {@code version} is null. */
    public static DatasetVersion open(FusionRoot root, String name, Integer version, Configuration hadoop) {
        DatasetVersions versions = new DatasetVersions(root.dataset(name), hadoop);
        int k;
        if (version == null) {
            OptionalInt latest = versions.latest();
            if (latest.isEmpty()) {
                throw new NotFoundException("dataset '" + name + "' has no published version under " + root.dataset(name)
                        + " (run: fusionpipe ingest --name " + name + " --input ...)");
            }
            k = latest.getAsInt();
        } else {
            k = version;
        }
        Path path = versions.version(k);
        Path manifestPath = new Path(path, DatasetSchema.MANIFEST);
        try {
            if (!manifestPath.getFileSystem(hadoop).exists(manifestPath) && !path.getFileSystem(hadoop).exists(path)) {
                throw new NotFoundException("dataset '" + name + "' has no version " + k + " (no " + path + ")");
            }
            String why = versions.uncommitted(path);
            if (why != null) {
                throw new NotFoundException("dataset '" + name + "' version " + k + " is not committed: " + path + " has " + why);
            }
            DatasetManifest m = DatasetManifest.fromJson(HadoopFiles.readString(hadoop, manifestPath), manifestPath.toString());
            int v = m.schemaVersion();
            if (v < DatasetSchema.OLDEST_READABLE || v > DatasetSchema.VERSION) {
                throw new BadInputException(path + " has dataset schema version " + v + "; this build reads versions "
                        + DatasetSchema.OLDEST_READABLE + " to " + DatasetSchema.VERSION
                        + (v > DatasetSchema.VERSION ? " (written by a newer Fusionpipe: upgrade)" : " (re-ingest it)"));
            }
            Vocabulary vocab = Vocabulary.fromJson(HadoopFiles.readString(hadoop, new Path(path, DatasetSchema.VOCAB)));
            return new DatasetVersion(name, k, path, m.image().width(), m.image().height(), m.maxTokens(), vocab, m);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + manifestPath + ": " + e.getMessage(), e);
        }
    }

    public Path split(String split) {
        return new Path(path, DatasetSchema.SPLIT_COLUMN + "=" + split);
    }

    public long rows(String split) {
        return manifest.rows(split);
    }
}
