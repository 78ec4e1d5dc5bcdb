package io.fusionpipe.layout;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HadoopFiles.class);

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

    /** Object stores whose single-object PUT is atomic but whose rename is a copy and whose create-if-absent is check-then-put. */
    private static final java.util.Set<String> OBJECT_STORES = java.util.Set.of("s3a", "s3", "s3n", "gs", "oss", "cosn", "obs", "wasb", "wasbs");

    /** True for object stores (see {@link #OBJECT_STORES}), where a rename copies and a directory rename is not atomic. */
    public static boolean isObjectStore(FileSystem fs) {
        return OBJECT_STORES.contains(fs.getUri().getScheme());
    }

    /** True when {@link #createExclusive} is one atomic step on {@code fs} (local, HDFS); false on object stores. */
    public static boolean hasAtomicCreate(FileSystem fs) {
        return !isObjectStore(fs);
    }

    /**
     * Writes a file so that readers see either the old content or the new one, never half of it and
     * never no file: on the local file system a hidden temporary sibling is renamed over the target
     * (POSIX rename); on HDFS and other file systems the same with an overwriting rename through
     * {@link FileContext} (one step in the NameNode); on object stores the target is written directly,
     * since an object becomes visible only when its upload completes, whole, replacing the old one.
     */
    public static void writeAtomically(Configuration conf, Path target, byte[] content) {
        try {
            FileSystem fs = fileSystem(target, conf);
            Path parent = target.getParent();
            if (isObjectStore(fs)) {
                try (FSDataOutputStream out = fs.create(target, true)) {
                    out.write(content);
                }
                return;
            }
            fs.mkdirs(parent);
            Path tmp = new Path(parent, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(content);
            }
            replace(conf, tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Moves the complete file {@code tmp} over {@code target} in one step for readers (see
     * {@link #writeAtomically}); on object stores it is copied in one upload and then removed.
     * On failure {@code tmp} is removed and the target keeps its old content.
     */
    public static void replace(Configuration conf, Path tmp, Path target) throws IOException {
        FileSystem fs = fileSystem(target, conf);
        try {
            if (fs instanceof LocalFileSystem local) {
                Files.move(local.pathToFile(tmp).toPath(), local.pathToFile(target).toPath(), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } else if (isObjectStore(fs)) {
                try (var in = fs.open(tmp); FSDataOutputStream out = fs.create(target, true)) {
                    in.transferTo(out);
                }
                fs.delete(tmp, false);
            } else {
                FileContext.getFileContext(fs.getUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
            }
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, false);
            throw e;
        }
    }

    /**
     * {@link #removeLeftovers(Configuration, Path, java.time.Duration)} with the age from
     * {@code fusionpipe.storage.leftover-age}, logging each removed path as {@code writer}'s.
     */
    public static java.util.List<Path> removeLeftovers(io.fusionpipe.config.FusionConfig config, Configuration conf, Path dir, String writer) {
        java.util.List<Path> removed = removeLeftovers(conf, dir, config.config().getDuration("fusionpipe.storage.leftover-age"));
        removed.forEach(p -> LOG.info("{}: removed {}, left by a writer that did not finish", writer, p));
        return removed;
    }

    /**
     * Removes what killed writers left in {@code dir}: hidden staging directories ({@code .staging-*})
     * and temporary files ({@code .*.tmp}) last modified more than {@code age} ago. Returns what was removed.
     */
    public static java.util.List<Path> removeLeftovers(Configuration conf, Path dir, java.time.Duration age) {
        java.util.List<Path> removed = new java.util.ArrayList<>();
        try {
            FileSystem fs = fileSystem(dir, conf);
            if (!fs.exists(dir)) {
                return removed;
            }
            long cutoff = System.currentTimeMillis() - age.toMillis();
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(dir)) {
                String n = st.getPath().getName();
                boolean leftover = n.startsWith(".staging-") || (n.startsWith(".") && n.endsWith(".tmp"));
                if (leftover && lastModified(fs, st) < cutoff && fs.delete(st.getPath(), true)) {
                    removed.add(st.getPath());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cleaning leftovers in " + dir + ": " + e.getMessage(), e);
        }
        return removed;
    }

    /**
     * When anything under {@code st} last changed. A directory's own time is not enough: HDFS does not
     * update it when a file inside grows, so a staging directory a live writer is still filling would look
     * abandoned; object stores have no directories, and S3A reports the current time for one, so an
     * abandoned directory would never look old. An empty directory on an object store counts as old.
     */
    static long lastModified(FileSystem fs, org.apache.hadoop.fs.FileStatus st) throws IOException {
        if (!st.isDirectory()) {
            return st.getModificationTime();
        }
        long newest = isObjectStore(fs) ? 0 : st.getModificationTime();
        var files = fs.listFiles(st.getPath(), true);
        while (files.hasNext()) {
            newest = Math.max(newest, files.next().getModificationTime());
        }
        return newest;
    }

    /**
     * Creates {@code file} with {@code content} only if it does not exist yet, as one step (O_EXCL on
     * the local file system, HDFS's create without overwrite elsewhere); false when it exists. On
     * object stores it is a check then a write ({@link #hasAtomicCreate} is false).
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

    /** Deletes {@code path} recursively, ignoring failures (for a failed writer's staging; a later writer removes what is left). */
    public static void deleteQuietly(Configuration conf, Path path) {
        try {
            fileSystem(path, conf).delete(path, true);
        } catch (IOException | RuntimeException ignored) {
            // removed later by removeLeftovers
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
