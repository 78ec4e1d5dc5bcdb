package io.fusionpipe.eval;

import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.text.Tokenizer;
import io.fusionpipe.text.Vocabulary;
import io.fusionpipe.train.TrainPipeline;
import io.fusionpipe.train.TrainSettings;
import io.fusionpipe.train.model.Variant;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny card dataset whose type is the card's colour (60 train, 12 val, 16 test images of 32x48),
 * published as dataset "cards" v1 under the session's root, and runs trained on it: the shared
 * fixture of the eval, report and promotion tests.
 */
public final class TinyCards {

    static final String[] TYPES = {"Fire", "Grass", "Water", "Lightning"};
    static final Color[] COLOURS = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};

    private TinyCards() {
    }

    /** Publishes the dataset (once per root) and trains one run per variant; returns the run ids. */
    public static List<String> publishAndTrain(LocalSpark spark, List<Variant> variants) throws Exception {
        Path v1 = spark.root().resolve("datasets/cards/v1");
        if (!Files.exists(v1.resolve("_manifest.json"))) {
            publish(spark, Files.createDirectories(v1));
        }
        DatasetVersion ds = DatasetVersion.open(FusionRoot.of(spark.config()), "cards", null, spark.session().sparkContext().hadoopConfiguration());
        TrainSettings s = TrainSettings.of(spark.config());
        List<String> runs = new ArrayList<>();
        for (Variant v : variants) {
            runs.add(TrainPipeline.train(spark.session(), spark.config(), s, ds, v).runId());
        }
        return runs;
    }

    private static void publish(LocalSpark spark, Path v1) throws Exception {
        Tokenizer tok = new Tokenizer(true);
        Map<String, Long> counts = new HashMap<>();
        List<String> captions = new ArrayList<>();
        for (String t : TYPES) {
            captions.add("A Basic Pokemon Card of type " + t + " with the title Mon and 50 HP from the set Base.");
        }
        for (String c : captions) {
            for (String w : tok.tokenize(c)) {
                counts.merge(w, 10L, Long::sum);
            }
        }
        Vocabulary vocab = Vocabulary.fit(counts, 1, 100, tok);
        Random r = new Random(5);
        Map<String, List<Row>> bySplit = new HashMap<>();
        for (int i = 0; i < 88; i++) {
            int k = r.nextInt(4);
            BufferedImage img = new BufferedImage(32, 48, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(COLOURS[k]);
            g.fillRect(0, 0, 32, 48);
            g.dispose();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            List<Integer> tokens = new ArrayList<>();
            for (int t : vocab.encode(captions.get(k), 24)) {
                tokens.add(t);
            }
            String split = i < 60 ? "train" : i < 72 ? "val" : "test";
            bySplit.computeIfAbsent(split, s -> new ArrayList<>()).add(RowFactory.create(String.format("card-%03d", i),
                    RowFactory.create(png.toByteArray(), "x.png"), captions.get(k),
                    scala.collection.JavaConverters.asScalaBuffer(tokens).toSeq()));
        }
        StructType schema = new StructType().add("id", DataTypes.StringType).add("image", DatasetSchema.IMAGE_STRUCT)
                .add("caption", DataTypes.StringType).add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
        for (Map.Entry<String, List<Row>> e : bySplit.entrySet()) {
            spark.session().createDataFrame(e.getValue(), schema).coalesce(1).write().parquet(v1.resolve("split=" + e.getKey()).toString());
        }
        Files.writeString(v1.resolve("_vocab.json"), vocab.toJson());
        Files.writeString(v1.resolve("_manifest.json"), "{\"schema_version\":1,\"image\":{\"width\":32,\"height\":48},\"max_tokens\":24,"
                + "\"samples_by_split\":{\"train\":60,\"val\":12,\"test\":16},\"inputs\":[]}");
    }
}
