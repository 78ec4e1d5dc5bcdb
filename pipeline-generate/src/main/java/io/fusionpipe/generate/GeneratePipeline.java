package io.fusionpipe.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.cards.CaptionTemplate;
import io.fusionpipe.cards.Card;
import io.fusionpipe.cards.CardRecords;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.json.Json;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.log.StageLog;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Generates a card dataset on Spark: partitions take contiguous index ranges, render and write
 * their images straight to the output file system and a manifest part each; the driver then
 * joins the parts in index order into {@code manifest.jsonl}, written last and atomically, so a
 * crash never leaves a manifest naming missing images. Output bytes do not depend on the number
 * of partitions. No image bytes reach the driver.
 */
public final class GeneratePipeline {

    public static final String MANIFEST = "manifest.jsonl";
    public static final String SUMMARY = "generate.json";
    public static final String IMAGES = "images";
    private static final String PARTS = "_parts";
    /** What a generator run writes; --overwrite removes exactly these. */
    static final Set<String> OUTPUTS = Set.of(MANIFEST, SUMMARY, IMAGES, PARTS, "fusionpipe.conf");

    private static final ObjectMapper JSON = Json.MAPPER;

    private GeneratePipeline() {
    }

    /**
     * What to generate. {@code count} null with {@code cardsFile} means every record.
     * {@code failAtIndex} is fault injection for tests: the task holding that card index throws
     * after writing its images (-1: never).
     */
    public record Request(String out, Integer count, long seed, GenerateSettings.Style style, String cardsFile,
                          boolean strict, boolean overwrite, long failAtIndex) {
        public Request(String out, Integer count, long seed, GenerateSettings.Style style, String cardsFile,
                       boolean strict, boolean overwrite) {
            this(out, count, seed, style, cardsFile, strict, overwrite, -1);
        }
    }

    /**
     * Whether {@code dir} holds a finished generation of {@code count} cards of {@code style} from
     * {@code seed} (not from a cards file): a caller can reuse it instead of drawing them again.
     */
    public static boolean isGenerated(Configuration hadoop, Path dir, int count, long seed, GenerateSettings.Style style) throws IOException {
        Path summary = new Path(dir, SUMMARY);
        Path manifest = new Path(dir, MANIFEST);
        if (!summary.getFileSystem(hadoop).exists(summary) || !manifest.getFileSystem(hadoop).exists(manifest)) {
            return false;
        }
        JsonNode s = Json.MAPPER.readTree(HadoopFiles.readString(hadoop, summary));
        return s.path("cards").asLong() == count && s.path("seed").asLong() == seed
                && s.path("style").asText().equals(style.name().toLowerCase(Locale.ROOT)) && s.path("cards_file").isNull();
    }

    /** What a run did. */
    public record Summary(String out, long cards, long scans, long photos, long imageBytes, int partitions,
                          List<String> skippedRecords, long skippedTotal, double seconds) {
    }

    private record Slice(int partition, long from, long to, ArrayList<Card> records) implements Serializable {
    }

    private record PartResult(int partition, long cards, long scans, long photos, long bytes) implements Serializable {
    }

    public static Summary run(SparkSession spark, GenerateSettings settings, Request req) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(req.out());
        StageLog stage = StageLog.start("generate");
        List<Card> records = null;
        List<String> skipped = new ArrayList<>();
        long skippedTotal = 0;
        if (req.cardsFile() != null) {
            CardRecords.Result read = readCards(hadoop, req.cardsFile(), req.strict());
            records = read.cards();
            skippedTotal = read.skipped().size();
            read.skipped().stream().limit(20).forEach(b -> skipped.add(b.getMessage()));
            if (records.isEmpty()) {
                throw new BadInputException("--cards " + req.cardsFile() + ": no usable card records (" + skippedTotal + " skipped"
                        + (skipped.isEmpty() ? "" : "; first: " + skipped.get(0)) + ")");
            }
        }
        long count = req.count() != null ? req.count() : records != null ? records.size() : -1;
        if (count <= 0) {
            throw new BadInputException(req.count() == null ? "--count is required without --cards"
                    : "--count must be a positive number, got " + req.count());
        }
        if (records != null && count > records.size()) {
            throw new BadInputException("--count " + count + " but --cards " + req.cardsFile() + " has only " + records.size() + " usable records");
        }
        prepareOutput(hadoop, out, req.overwrite());

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = (int) Math.min(count, settings.partitions() > 0 ? settings.partitions() : Math.max(1, jsc.defaultParallelism() * 4L));
        List<Slice> slices = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            long from = count * p / partitions;
            long to = count * (p + 1) / partitions;
            slices.add(new Slice(p, from, to, records == null ? null : new ArrayList<>(records.subList((int) from, (int) to))));
        }
        Map<String, String> conf = HadoopFiles.settings(hadoop);
        String outUri = out.toString();
        long seed = req.seed();
        GenerateSettings.Style style = req.style();
        long failAt = req.failAtIndex();
        List<PartResult> results = jsc.parallelize(slices, partitions)
                .map(slice -> writeSlice(slice, outUri, conf, seed, style, settings, failAt))
                .collect();

        long cards = 0;
        long scans = 0;
        long photos = 0;
        long bytes = 0;
        for (PartResult r : results) {
            cards += r.cards();
            scans += r.scans();
            photos += r.photos();
            bytes += r.bytes();
        }
        joinManifest(hadoop, out, partitions);
        Summary summary = new Summary(outUri, cards, scans, photos, bytes, partitions, skipped, skippedTotal, stage.seconds());
        writeSummary(hadoop, out, summary, req);
        stage.count("cards", cards).count("scans", scans).count("photos", photos).count("skipped_records", skippedTotal)
                .count("partitions", partitions).ok();
        return summary;
    }

    static CardRecords.Result readCards(Configuration hadoop, String file, boolean strict) {
        Path path = new Path(file);
        try (InputStream in = path.getFileSystem(hadoop).open(path);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return CardRecords.read(reader, strict);
        } catch (CardRecords.BadRecord e) {
            throw new BadInputException("--cards " + file + ": " + e.getMessage() + " (--strict stops at the first bad record;"
                    + " without it bad records are skipped and counted)");
        } catch (java.io.FileNotFoundException e) {
            throw new BadInputException("--cards " + file + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("reading --cards " + file + ": " + e.getMessage(), e);
        }
    }

    /** Refuses a non-empty directory unless overwriting, then proves the directory writable. */
    static void prepareOutput(Configuration hadoop, Path out, boolean overwrite) {
        try {
            FileSystem fs = HadoopFiles.fileSystem(out, hadoop);
            if (fs.exists(out)) {
                if (!fs.getFileStatus(out).isDirectory()) {
                    throw new BadInputException("--out " + out + " is a file, not a directory");
                }
                FileStatus[] entries = fs.listStatus(out);
                if (entries.length > 0 && !overwrite) {
                    throw new BadInputException("--out " + out + " is not empty (" + entries.length
                            + " entries); choose another directory or pass --overwrite to replace a previous generator run");
                }
                for (FileStatus e : entries) {
                    if (OUTPUTS.contains(e.getPath().getName())) {
                        fs.delete(e.getPath(), true);
                    }
                }
            }
            if (!fs.mkdirs(new Path(out, IMAGES))) {
                throw new IOException("mkdirs failed");
            }
            Path probe = new Path(out, "._write-probe");
            fs.create(probe, true).close();
            fs.delete(probe, false);
        } catch (IOException | SecurityException e) {
            throw new BadInputException("--out " + out + " is not writable: " + e.getMessage());
        }
    }

    private static PartResult writeSlice(Slice slice, String outUri, Map<String, String> conf, long seed,
                                         GenerateSettings.Style style, GenerateSettings settings, long failAt) throws IOException {
        Configuration hadoop = HadoopFiles.configuration(conf);
        Path out = new Path(outUri);
        FileSystem fs = HadoopFiles.fileSystem(out, hadoop);
        CardGenerator generator = new CardGenerator(seed, style, settings);
        long scans = 0;
        long photos = 0;
        long bytes = 0;
        StringBuilder manifest = new StringBuilder();
        for (long i = slice.from(); i < slice.to(); i++) {
            Card record = slice.records() == null ? null : slice.records().get((int) (i - slice.from()));
            CardGenerator.Generated g = generator.generate(i, record);
            String image = IMAGES + "/" + g.fileName() + "." + g.extension();
            try (FSDataOutputStream o = fs.create(new Path(out, image), true)) {
                o.write(g.image());
            }
            bytes += g.image().length;
            if (g.style().equals("photo")) {
                photos++;
            } else {
                scans++;
            }
            manifest.append(manifestLine(g, image)).append('\n');
            if (i == failAt) {
                throw new IOException("injected failure after card " + i);
            }
        }
        try (FSDataOutputStream o = fs.create(part(out, slice.partition()), true)) {
            o.write(manifest.toString().getBytes(StandardCharsets.UTF_8));
        }
        return new PartResult(slice.partition(), slice.to() - slice.from(), scans, photos, bytes);
    }

    private static Path part(Path out, int partition) {
        return new Path(new Path(out, PARTS), String.format(java.util.Locale.ROOT, "part-%06d.jsonl", partition));
    }

    /** One manifest line: id, image (relative to the dataset directory), caption and the card fields. */
    static String manifestLine(CardGenerator.Generated g, String image) throws IOException {
        Card c = g.card();
        ObjectNode n = JSON.createObjectNode();
        n.put("id", g.id());
        n.put("image", image);
        n.put("caption", CaptionTemplate.format(c));
        n.put("name", c.name());
        ArrayNode subtypes = n.putArray("subtypes");
        c.subtypes().forEach(subtypes::add);
        ArrayNode types = n.putArray("types");
        c.types().forEach(types::add);
        n.put("hp", c.hp());
        n.put("rarity", c.rarity());
        n.put("evolvesFrom", c.evolvesFrom());
        n.put("set_name", c.setName());
        n.put("flavorText", c.flavorText());
        n.put("style", g.style());
        return JSON.writeValueAsString(n);
    }

    /** Concatenates the parts in partition (= index) order into the manifest, atomically, then drops them. */
    private static void joinManifest(Configuration hadoop, Path out, int partitions) {
        try {
            FileSystem fs = HadoopFiles.fileSystem(out, hadoop);
            Path tmp = new Path(out, "." + MANIFEST + ".tmp");
            try (FSDataOutputStream o = fs.create(tmp, true)) {
                for (int p = 0; p < partitions; p++) {
                    try (InputStream in = fs.open(part(out, p))) {
                        in.transferTo(o);
                    }
                }
            }
            HadoopFiles.replace(hadoop, tmp, new Path(out, MANIFEST));
            fs.delete(new Path(out, PARTS), true);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + out + "/" + MANIFEST + ": " + e.getMessage(), e);
        }
    }

    /** generate.json: what was made, from what; no timings or partition count, so reruns are byte-identical. */
    private static void writeSummary(Configuration hadoop, Path out, Summary s, Request req) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cards", s.cards());
        m.put("scans", s.scans());
        m.put("photos", s.photos());
        m.put("image_bytes", s.imageBytes());
        m.put("seed", req.seed());
        m.put("style", req.style().name().toLowerCase(java.util.Locale.ROOT));
        m.put("cards_file", req.cardsFile());
        m.put("skipped_records", s.skippedTotal());
        m.put("skipped_examples", s.skippedRecords());
        try {
            HadoopFiles.writeAtomically(hadoop, new Path(out, SUMMARY),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
