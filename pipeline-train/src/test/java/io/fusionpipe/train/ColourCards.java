package io.fusionpipe.train;

import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.text.Tokenizer;
import io.fusionpipe.text.Vocabulary;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

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

/** A tiny published dataset for the trainer's tests (this module does not depend on ingest). */
public final class ColourCards {

    private ColourCards() {
    }

    /**
     * A published dataset written directly in the dataset layout (this module does not depend on
     * ingest): 48 coloured 32x48 images whose captions name the colour.
     */
    public static DatasetVersion publish(LocalSpark spark, String name) throws Exception {
        Path v1 = Files.createDirectories(spark.root().resolve("datasets/" + name + "/v1"));
        String[] names = {"red", "green", "blue", "yellow"};
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
        Map<String, Long> counts = new HashMap<>();
        for (String n : names) {
            counts.put(n, 10L);
        }
        counts.put("a", 10L);
        counts.put("card", 10L);
        Tokenizer tok = new Tokenizer(true);
        Vocabulary vocab = Vocabulary.fit(counts, 1, 100, tok);
        Random r = new Random(3);
        Map<String, List<Row>> bySplit = new HashMap<>();
        for (int i = 0; i < 48; i++) {
            int k = r.nextInt(4);
            BufferedImage img = new BufferedImage(32, 48, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(colours[k]);
            g.fillRect(0, 0, 32, 48);
            g.dispose();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            String caption = "a " + names[k] + " card";
            List<Integer> tokens = new ArrayList<>();
            for (int t : vocab.encode(caption, 12)) {
                tokens.add(t);
            }
            String split = i < 36 ? "train" : "val";
            bySplit.computeIfAbsent(split, s -> new ArrayList<>()).add(RowFactory.create(RowFactory.create(png.toByteArray(), "x.png"),
                    scala.collection.JavaConverters.asScalaBuffer(tokens).toSeq()));
        }
        var schema = new org.apache.spark.sql.types.StructType()
                .add("image", io.fusionpipe.dataset.DatasetSchema.IMAGE_STRUCT)
                .add("tokens", org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.IntegerType));
        for (Map.Entry<String, List<Row>> e : bySplit.entrySet()) {
            spark.session().createDataFrame(e.getValue(), schema).coalesce(1).write().parquet(v1.resolve("split=" + e.getKey()).toString());
        }
        Files.writeString(v1.resolve("_vocab.json"), vocab.toJson());
        Files.writeString(v1.resolve("_manifest.json"), "{\"schema_version\":1,\"image\":{\"width\":32,\"height\":48},\"max_tokens\":12,"
                + "\"samples_by_split\":{\"train\":36,\"val\":12,\"test\":0},\"inputs\":[]}");
        return DatasetVersion.open(FusionRoot.of(spark.config()), name, null, spark.session().sparkContext().hadoopConfiguration());
    }

}
