package io.fusionpipe.layout;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** Small file operations on any Hadoop FileSystem (local, hdfs://, s3a://). */
public final class HadoopFiles {

    private HadoopFiles() {
    }

    /**
     * The driver's Hadoop settings as a plain map, for a Spark closure to carry to the executors
     * ({@link Configuration} is not serializable); {@link #configuration} rebuilds them there.
     */
    public static java.util.HashMap<String, String> settings(Configuration conf) {
        java.util.HashMap<String, String> out = new java.util.HashMap<>();
        conf.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** A Configuration of exactly {@code settings} (no defaults loaded): the inverse of {@link #settings}. */
    public static Configuration configuration(java.util.Map<String, String> settings) {
        Configuration conf = new Configuration(false);
        settings.forEach(conf::set);
        return conf;
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
     * write a hidden temporary sibling, then rename over the target. On the local file system the
     * rename replaces the target in one step (POSIX rename); elsewhere (HDFS, object stores) the old
     * target is deleted just before the rename.
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
            if (fs instanceof LocalFileSystem local) {
                try {
                    Files.move(local.pathToFile(tmp).toPath(), local.pathToFile(target).toPath(), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    fs.delete(tmp, false);
                    throw e;
                }
                return;
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

    /**
     * Creates {@code file} with {@code content} only if it does not exist yet, as one step (O_EXCL on
     * the local file system, HDFS's create without overwrite elsewhere); false when it exists. A lock.
     */
    public static boolean createExclusive(Configuration conf, Path file, String content) {
        try {
            FileSystem fs = fileSystem(file, conf);
            fs.mkdirs(file.getParent());
            if (fs instanceof LocalFileSystem local) {
                java.nio.file.Path p = local.pathToFile(file).toPath();
                try {
                    Files.writeString(p, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    return true;
                } catch (FileAlreadyExistsException e) {
                    return false;
                }
            }
            try (FSDataOutputStream out = fs.create(file, false)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
                return true;
            } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + file + ": " + e.getMessage(), e);
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
