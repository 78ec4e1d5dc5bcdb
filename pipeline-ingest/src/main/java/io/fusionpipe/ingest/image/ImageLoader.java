package io.fusionpipe.ingest.image;

import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.fetch.ImageFetcher;
import io.fusionpipe.ingest.Rejection;
import io.fusionpipe.ingest.source.ImageRefs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;

/** The bytes of a row's image: inline, from a file under the input's folder, or from an http(s) URL. */
public final class ImageLoader {

    private ImageLoader() {
    }

    public static byte[] load(String base, String ref, byte[] inline, IngestSettings s, Configuration hadoop) throws Rejection {
        if (inline != null) {
            return inline;
        }
        ImageRefs.Resolved r = ImageRefs.resolve(ref, s.allowedHosts());
        if (r.url() != null) {
            return ImageFetcher.fetch(r.url(), s);
        }
        Path path;
        try {
            path = new Path(new Path(base), r.relativePath());
        } catch (IllegalArgumentException e) {
            throw new Rejection(RejectReason.IMAGE_NOT_FOUND, "'" + ref + "' is not a usable path: " + e.getMessage());
        }
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            if ("file".equals(fs.getScheme())) {
                checkNoSymlinkEscape(fs.makeQualified(new Path(base)), fs.makeQualified(path));
            }
            FileStatus st = fs.getFileStatus(path);
            if (st.isDirectory()) {
                throw new Rejection(RejectReason.IMAGE_NOT_FOUND, path + " is a directory");
            }
            if (st.getLen() == 0) {
                throw new Rejection(RejectReason.ZERO_BYTES, path.toString());
            }
            if (st.getLen() > s.maxBytes()) {
                throw new Rejection(RejectReason.IMAGE_TOO_LARGE, st.getLen() + " bytes > " + s.maxBytes() + ": " + path);
            }
            try (InputStream in = fs.open(path)) {
                return in.readAllBytes();
            }
        } catch (FileNotFoundException e) {
            throw new Rejection(RejectReason.IMAGE_NOT_FOUND, path.toString());
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: a name the file system cannot turn into a path (a bad %-escape, say)
            throw new Rejection(RejectReason.IMAGE_NOT_FOUND, path + ": " + e.getMessage());
        }
    }

    /** On the local file system, a symlink may not lead out of the input's folder. */
    private static void checkNoSymlinkEscape(Path base, Path file) throws Rejection, IOException {
        java.nio.file.Path b = Paths.get(base.toUri());
        java.nio.file.Path f = Paths.get(file.toUri());
        if (!Files.exists(f)) {
            return;
        }
        if (!f.toRealPath().startsWith(b.toRealPath())) {
            throw new Rejection(RejectReason.PATH_OUTSIDE_ROOT, "'" + file + "' resolves to " + f.toRealPath() + " outside " + b.toRealPath());
        }
    }
}
