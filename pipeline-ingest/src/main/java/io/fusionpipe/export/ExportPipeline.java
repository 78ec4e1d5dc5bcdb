package io.fusionpipe.export;

import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.json.Json;
import io.fusionpipe.layout.Commits;
import io.fusionpipe.layout.HadoopFiles;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * A published dataset version in another tool's layout, written into a staging directory next to
 * {@code out} and renamed into place when complete (an existing {@code out} is refused):
 * <ul>
 *   <li>{@code webdataset}: {@code <split>-NNNNN.tar} shards; each sample is {@code <key>.png|jpg}
 *   (the stored image) and {@code <key>.json} ({@code caption}, {@code id}, {@code captions},
 *   the fields); the key is the id with '.' as '_' (WebDataset splits member names at the first dot).
 *   {@code fusionpipe ingest --format webdataset} reads it back.</li>
 *   <li>{@code hf}: Parquet under {@code data/<split>/} with {@code image} ({bytes, path}), {@code id},
 *   {@code caption}, {@code captions}, {@code fields} (JSON string), and a README.md dataset card
 *   whose YAML declares {@code image} an Image feature and maps the files to the splits train,
 *   validation and test, as Hugging Face {@code datasets.load_dataset(DIR)} reads it.</li>
 * </ul>
 */
public final class ExportPipeline {

    public enum Format {
        WEBDATASET, HF;

        public static Format parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--format " + s + ": expected webdataset or hf");
            }
        }
    }

    /** Samples and files written per split. */
    public record Result(Path out, Map<String, Long> samplesBySplit, Map<String, Integer> filesBySplit) {
    }

    private ExportPipeline() {
    }

    /** The split names Hugging Face uses for ours. */
    static String hfSplit(String split) {
        return split.equals("val") ? "validation" : split;
    }

    /** The WebDataset key of an id: member names are split at their first dot, so ids keep no dots. */
    static String key(String id) {
        return id.replace('.', '_').replace('/', '_');
    }

    public static Result export(SparkSession spark, DatasetVersion ds, Format format, Path out, int samplesPerShard) {
        if (samplesPerShard < 1) {
            throw new BadInputException("--samples-per-shard " + samplesPerShard + ": must be at least 1");
        }
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        FileSystem fs;
        try {
            fs = HadoopFiles.fileSystem(out, hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException("--out " + out + ": " + e.getMessage(), e);
        }
        Path staging = new Path(out.getParent(), "." + out.getName() + ".tmp-export");
        try {
            if (fs.exists(out)) {
                throw new BadInputException("--out " + out + ": already exists (export writes a new directory; remove it or pick another)");
            }
            fs.delete(staging, true);
            Map<String, Long> samples = new LinkedHashMap<>();
            Map<String, Integer> files = new LinkedHashMap<>();
            String ext = "jpeg".equals(ds.manifest().image().format()) ? "jpg" : "png";
            for (String split : DatasetSchema.SPLITS) {
                long n = ds.rows(split);
                if (n == 0) {
                    continue;
                }
                int shards = (int) Math.max(1, Math.ceil(n / (double) samplesPerShard));
                Dataset<Row> rows = spark.read().parquet(ds.split(split).toString())
                        .select(col(DatasetSchema.IMAGE), col(DatasetSchema.ID), col(DatasetSchema.CAPTION), col(DatasetSchema.CAPTIONS),
                                col(DatasetSchema.FIELDS).cast("string"))
                        .repartition(shards, functions.hash(col(DatasetSchema.ID))).sortWithinPartitions(DatasetSchema.ID);
                if (format == Format.WEBDATASET) {
                    writeTars(rows, hadoop, staging, split, ext);
                } else {
                    rows.write().parquet(new Path(staging, "data/" + hfSplit(split)).toString());
                }
                samples.put(split, n);
                files.put(split, shards);
            }
            if (format == Format.HF) {
                HadoopFiles.writeAtomically(hadoop, new Path(staging, "README.md"), datasetCard(ds, samples.keySet().stream().toList()));
            }
            HadoopFiles.writeAtomically(hadoop, new Path(staging, "_export.json"), Json.pretty(Map.of("dataset", ds.name(),
                    "version", ds.version(), "format", format.name().toLowerCase(Locale.ROOT), "samples_by_split", samples)));
            Commits.publish(hadoop, staging, out, Map.of("dataset", ds.name(), "version", ds.version()), false);
            return new Result(out, samples, files);
        } catch (IOException e) {
            throw new UncheckedIOException("exporting " + ds.name() + " v" + ds.version() + " to " + out + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            try {
                fs.delete(staging, true);
            } catch (IOException ignored) {
                // the staging directory is hidden and replaced by the next export
            }
            throw e;
        }
    }

    /** One tar per partition: {@code <split>-<partition>.tar}, samples in id order. */
    private static void writeTars(Dataset<Row> rows, Configuration hadoop, Path dir, String split, String ext) {
        Map<String, String> conf = HadoopFiles.settings(hadoop);
        String base = dir.toString();
        rows.toJavaRDD().foreachPartition(it -> {
            if (!it.hasNext()) {
                return;
            }
            Configuration h = HadoopFiles.configuration(conf);
            Path file = new Path(base, String.format(Locale.ROOT, "%s-%05d.tar", split, TaskContext.getPartitionId()));
            try (OutputStream os = file.getFileSystem(h).create(file, false);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                while (it.hasNext()) {
                    Row r = it.next();
                    String id = r.getString(1);
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("caption", r.getString(2));
                    json.put("id", id);
                    json.put("captions", r.getList(3));
                    if (!r.isNullAt(4)) {
                        Json.tree(r.getString(4), "fields of " + id).fields().forEachRemaining(f -> json.putIfAbsent(f.getKey(), f.getValue().asText()));
                    }
                    member(tar, key(id) + "." + ext, (byte[]) r.getStruct(0).get(0));
                    member(tar, key(id) + ".json", Json.compact(json).getBytes(StandardCharsets.UTF_8));
                }
            }
        });
    }

    private static void member(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        e.setModTime(0); // the same bytes on every export
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    /** The Hugging Face dataset card: features (image as an Image) and the files of each split. */
    static String datasetCard(DatasetVersion ds, List<String> splits) {
        StringBuilder b = new StringBuilder("---\ndataset_info:\n  features:\n");
        b.append("  - name: image\n    dtype: image\n");
        b.append("  - name: id\n    dtype: string\n");
        b.append("  - name: caption\n    dtype: string\n");
        b.append("  - name: captions\n    sequence: string\n");
        b.append("  - name: fields\n    dtype: string\n");
        b.append("configs:\n- config_name: default\n  data_files:\n");
        for (String split : splits) {
            b.append("  - split: ").append(hfSplit(split)).append("\n    path: data/").append(hfSplit(split)).append("/*.parquet\n");
        }
        b.append("---\n\n# ").append(ds.name()).append(" v").append(ds.version()).append("\n\nExported by Fusionpipe from ")
                .append(ds.path()).append(". `fields` is a JSON object of the source's extra columns (card fields).\n");
        return b.toString();
    }
}
