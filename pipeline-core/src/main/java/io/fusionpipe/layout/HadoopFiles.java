package io.fusionpipe.layout;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Small file operations on any Hadoop FileSystem (local, hdfs://, s3a://). */
public final class HadoopFiles {

    private HadoopFiles() {
    }

    /**
     * The file system of {@code path}, set not to write {@code .crc} side files on the local file
     * system (they would litter datasets users read with other tools).
     */
    public static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        fs.setWriteChecksum(false);
        return fs;
    }

    /**
     * Writes a file so that readers see either the old content or the new one, never half of it:
     * write a hidden temporary sibling, then rename over the target.
     */
    public static void writeAtomically(Configuration conf, Path target, byte[] content) {
        try {
            FileSystem fs = fileSystem(target, conf);
            Path parent = target.getParent();
            fs.mkdirs(parent);
            Path tmp = new Path(parent, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(content);
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                fs.delete(tmp, false);
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(tmp, target)) {
                fs.delete(tmp, false);
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target + ": " + e.getMessage(), e);
        }
    }

    public static void writeAtomically(Configuration conf, Path target, String content) {
        writeAtomically(conf, target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static String readString(Configuration conf, Path file) {
        try {
            FileSystem fs = file.getFileSystem(conf);
            try (var in = fs.open(file)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }
}
