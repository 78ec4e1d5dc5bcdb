package io.fusionpipe.ingest.source;

import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.ingest.RejectReason;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The samples of one WebDataset tar, read as a stream: members grouped by key (path up to the first
 * dot of the file name), adjacent as WebDataset writes them, one sample in memory at a time. Only
 * the members a sample uses (image, .txt, .json) are read, each only if its declared size is within
 * {@code image.max-bytes}; a larger one makes the sample a reject without being read. Order:
 * (tar index << 24) + sample index, so one shard may hold at most 2^24 samples.
 */
final class TarSamples implements Iterator<Row> {

    static final long MAX_SAMPLES = 1L << 24;
    private static final Set<String> READ = Set.of("jpg", "jpeg", "png", "webp", "gif", "bmp", "txt", "json");
    private static final byte[] NOT_READ = new byte[0];

    private final TarArchiveInputStream tar;
    private final String source;
    private final String tarName;
    private final long tarBase;
    private final long maxMemberBytes;
    private final Map<String, byte[]> members = new LinkedHashMap<>();
    private String tooLarge;
    private String key;
    private long sample;
    private Row next;
    private boolean done;

    private TarSamples(InputStream raw, String source, String tarName, long tarBase, long maxMemberBytes) {
        this.tar = new TarArchiveInputStream(raw);
        this.source = source;
        this.tarName = tarName;
        this.tarBase = tarBase;
        this.maxMemberBytes = maxMemberBytes;
    }

    static Iterator<Row> open(PortableDataStream stream, String source, int sourceIndex, int tarIdx, long maxMemberBytes) {
        return read(stream.open(), source, new Path(stream.getPath()).getName(), RawRecord.ord(sourceIndex, (long) tarIdx << 24), maxMemberBytes);
    }

    /** The samples of the tar in {@code raw}, closed at the end (or when the Spark task ends). */
    static Iterator<Row> read(InputStream raw, String source, String tarName, long tarBase, long maxMemberBytes) {
        TarSamples samples = new TarSamples(raw, source, tarName, tarBase, maxMemberBytes);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) t -> samples.close());
        }
        return samples;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            try {
                next = advance();
            } catch (IOException | RuntimeException e) {
                if (e instanceof BadInputException) {
                    throw (BadInputException) e;
                }
                // A damaged tar: what was read stays, the rest is one reject (nothing after it can be found).
                next = RawRecord.problem(source, tarName + ":after sample " + sample, ordAfterDamage(), null, RejectReason.MALFORMED_RECORD,
                        "the tar is damaged after " + sample + " sample(s); the rest of it cannot be read: " + e.getMessage());
                done = true;
                close();
                return true;
            }
            if (next == null) {
                done = true;
                close();
            }
        }
        return next != null;
    }

    /** The order of the reject that stands for a damaged tar's unreadable rest: after every sample read. */
    private long ordAfterDamage() {
        return tarBase + Math.min(sample, MAX_SAMPLES - 1);
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Row r = next;
        next = null;
        return r;
    }

    /** Reads members until a sample is complete; null at the end of the tar. */
    private Row advance() throws IOException {
        TarArchiveEntry e;
        while ((e = tar.getNextTarEntry()) != null) {
            if (!e.isFile()) {
                continue;
            }
            String name = e.getName();
            if (name.startsWith("/") || Arrays.asList(name.split("/")).contains("..") || e.isSymbolicLink() || e.isLink()) {
                return RawRecord.problem(source, tarName + ":" + name, ord(), null, RejectReason.PATH_OUTSIDE_ROOT,
                        "tar member name '" + name + "' escapes the shard");
            }
            String file = name.substring(name.lastIndexOf('/') + 1);
            int dot = file.indexOf('.');
            String k = dot < 0 ? name : name.substring(0, name.length() - file.length() + dot);
            String ext = dot < 0 ? "" : file.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
            Row finished = null;
            if (key != null && !k.equals(key)) {
                finished = finish();
            }
            key = k;
            keep(ext, e);
            if (finished != null) {
                return finished;
            }
        }
        return key == null ? null : finish();
    }

    private void keep(String ext, TarArchiveEntry e) throws IOException {
        if (!READ.contains(ext)) {
            members.put(ext, NOT_READ);
        } else if (e.getSize() > maxMemberBytes) {
            tooLarge = e.getName() + " is " + e.getSize() + " bytes > " + maxMemberBytes + " (fusionpipe.ingest.image.max-bytes); not read";
            members.put(ext, NOT_READ);
        } else {
            members.put(ext, tar.readNBytes((int) e.getSize()));
        }
    }

    /** The row of the sample read so far; clears it. */
    private Row finish() {
        long ord = ord();
        Row row = tooLarge != null
                ? RawRecord.problem(source, tarName + ":" + key, ord, key.substring(key.lastIndexOf('/') + 1), RejectReason.IMAGE_TOO_LARGE, tooLarge)
                : Sources.sampleRow(members, key, source, tarName, ord);
        members.clear();
        tooLarge = null;
        key = null;
        return row;
    }

    private long ord() {
        if (sample >= MAX_SAMPLES) {
            throw new BadInputException("WebDataset shard " + tarName + " holds more than " + MAX_SAMPLES
                    + " samples (members or member groups); split it into smaller tars");
        }
        return tarBase + sample++;
    }

    private void close() {
        try {
            tar.close();
        } catch (IOException ignored) {
            // closing a read-only stream: nothing to lose
        }
    }
}
