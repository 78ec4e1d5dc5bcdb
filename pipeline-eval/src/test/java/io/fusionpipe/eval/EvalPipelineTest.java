package io.fusionpipe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.testing.Cli;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.train.TrainPipeline;
import io.fusionpipe.train.model.Variant;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The eval job end to end on two tiny trained runs: outputs, intervals, robustness, fields, determinism, errors. */
@Tag("slow") // whole-pipeline runs on Spark: -Pall-tests (CI) runs them, plain mvn verify does not
class EvalPipelineTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(TrainPipeline.SPARK_CONF,
            "train.model.embedding=16", "train.model.hidden=24", "train.model.patch-size=8", "train.model.cnn-channels=[4, 8]",
            "train.model.cnn-stem-stride=1", "train.batch-size=8", "train.epochs=3", "train.learning-rate=0.01", "train.model.dropout=0",
            "train.progress-interval=0", "train.shared.port=40311", "eval.bootstrap.resamples=200", "eval.batch-size=5");

    static List<String> runs = new ArrayList<>();

    @BeforeAll
    static void publishAndTrain() throws Exception {
        runs.addAll(TinyCards.publishAndTrain(SPARK, List.of(Variant.EARLY, Variant.LATE)));
    }

    @Test
    void scoresTheRunsAndWritesMetricsAndPredictions() throws Exception {
        EvalSettings s = EvalSettings.of(SPARK.config());
        EvalPipeline.Result r = EvalPipeline.evaluate(SPARK.session(), SPARK.config(), s, runs);
        // the file as written: this test pins metrics.json's field names
        JsonNode m = io.fusionpipe.json.Json.MAPPER.readTree(Files.readString(Paths.get(r.dir().toUri()).resolve("metrics.json")));
        assertEquals(1, m.path("schema_version").asInt());
        assertEquals(16, m.path("dataset").path("images").asInt());
        assertTrue(m.path("dataset").path("card_fields").asBoolean());
        for (String v : List.of("early", "late")) {
            JsonNode variant = m.path("variants").path(v);
            for (String metric : List.of("Bleu_1", "Bleu_4", "ROUGE_L", "CIDEr")) {
                JsonNode x = variant.path("metrics").path(metric);
                assertTrue(x.path("lo").asDouble() <= x.path("value").asDouble() + 1e-12
                        && x.path("value").asDouble() <= x.path("hi").asDouble() + 1e-12, v + " " + metric + " " + x);
            }
            assertTrue(variant.path("fields").path("types").path("value").asDouble() >= 0, variant.toString());
            double recall = variant.path("fields").path("field_recall").path("value").asDouble(-1);
            assertTrue(recall >= 0 && recall <= 1, variant.toString());
            double wrong = variant.path("fields").path("wrong_per_caption").path("value").asDouble(-1);
            assertTrue(wrong >= 0 && wrong <= 8, variant.toString());
            assertTrue(variant.path("fields").path("wrong_per_caption").has("lo"), variant.toString());
            assertTrue(variant.path("robustness").path("no_image").path("CIDEr").has("drop"));
            assertTrue(variant.path("robustness").path("no_text").path("Bleu_4").has("drop"));
            assertEquals(3, variant.path("training").path("epochs").asInt());
            assertTrue(variant.path("captions_per_second").asDouble() > 0);
        }
        assertEquals(6, m.path("pairwise").size(), "one pair x six metrics");
        JsonNode baseline = m.path("field_baseline");
        assertEquals("train", baseline.path("from_split").asText());
        assertTrue(baseline.path("values").has("types") && baseline.path("values").has("hp"), baseline.toString());
        double typesBaseline = baseline.path("fields").path("types").path("value").asDouble(-1);
        assertTrue(typesBaseline >= 0 && typesBaseline <= 1 && baseline.path("fields").path("types").has("hi"), baseline.toString());
        Path dir = Paths.get(r.dir().toUri());
        assertTrue(Files.exists(dir.resolve("metrics.json")) && Files.exists(dir.resolve("fusionpipe.conf")));
        var table = SPARK.session().read().parquet(dir.resolve("metrics.parquet").toString());
        assertEquals(m.path("variants").path("early").path("metrics").path("CIDEr").path("value").asDouble(),
                table.where("label = 'early' and condition = 'full' and kind = 'caption' and name = 'CIDEr'").first().getAs("value"), 1e-12);
        assertEquals(typesBaseline, table.where("label = 'majority_baseline' and kind = 'field' and name = 'types'").first().getAs("value"), 1e-12);
        var preds = SPARK.session().read().parquet(dir.resolve("predictions.parquet").toString());
        assertEquals(16L * 2 * 3, preds.count(), "images x variants x conditions");
        assertEquals(16L, preds.where("variant = 'early' and condition = 'full'").count());
        Row one = preds.where("condition = 'full'").first();
        assertTrue(one.getMap(one.fieldIndex("scores")).contains("CIDEr"));
        assertFalse(Files.list(dir.getParent()).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no staging left");

        // same seed, same intervals
        JsonNode again = io.fusionpipe.json.Json.MAPPER.valueToTree(EvalPipeline.evaluate(SPARK.session(), SPARK.config(), s, runs).metrics());
        assertEquals(m.path("variants").path("early").path("metrics"), again.path("variants").path("early").path("metrics"));
    }

    @Test
    void theCommandPicksTheLatestRunPerVariant() {
        assertEquals(2, io.fusionpipe.train.Runs.latestOnDataset(FusionRoot.of(SPARK.config()), SPARK.session().sparkContext().hadoopConfiguration(),
                "cards", null).size());
    }

    @Test
    void clearErrors() throws Exception {
        EvalSettings s = EvalSettings.of(SPARK.config());
        BadInputException missing = assertThrows(BadInputException.class,
                () -> EvalPipeline.evaluate(SPARK.session(), SPARK.config(), s, List.of("no-such-run")));
        assertTrue(missing.getMessage().contains("no run no-such-run"), missing.getMessage());

        // a corrupt model
        Path runDir = SPARK.root().resolve("runs").resolve(runs.get(0));
        Path broken = SPARK.root().resolve("runs/broken");
        Files.createDirectories(broken);
        Files.copy(runDir.resolve("run.json"), broken.resolve("run.json"));
        Files.copy(runDir.resolve("fusionpipe.conf"), broken.resolve("fusionpipe.conf"));
        Files.writeString(broken.resolve("best.zip"), "not a zip");
        BadInputException corrupt = assertThrows(BadInputException.class,
                () -> EvalPipeline.evaluate(SPARK.session(), SPARK.config(), s, List.of("broken")));
        assertTrue(corrupt.getMessage().contains("not a readable model"), corrupt.getMessage());

        // a vocabulary that is not the dataset's any more
        Path other = SPARK.root().resolve("runs/other-vocab");
        Files.createDirectories(other);
        Files.writeString(other.resolve("run.json"), Files.readString(runDir.resolve("run.json"))
                .replaceAll("\"vocab_hash\" : \"[0-9a-f]+\"", "\"vocab_hash\" : \"0000\""));
        Files.copy(runDir.resolve("fusionpipe.conf"), other.resolve("fusionpipe.conf"));
        Files.copy(runDir.resolve("best.zip"), other.resolve("best.zip"));
        BadInputException vocab = assertThrows(BadInputException.class,
                () -> EvalPipeline.evaluate(SPARK.session(), SPARK.config(), s, List.of("other-vocab")));
        assertTrue(vocab.getMessage().contains("another vocabulary"), vocab.getMessage());

        // an empty split
        EvalSettings onEmpty = new EvalSettings("empty", s.decode(), s.beamWidth(), s.lengthPenalty(), s.maxTokens(), s.batchSize(),
                s.conditions(), s.primaryMetric(), s.resamples(), s.confidence(), s.seed(), s.significance());
        BadInputException empty = assertThrows(BadInputException.class,
                () -> EvalPipeline.evaluate(SPARK.session(), SPARK.config(), onEmpty, runs));
        assertTrue(empty.getMessage().contains("empty empty split"), empty.getMessage());

        Cli.Run neither = Cli.run("eval");
        assertEquals(2, neither.code());
        assertTrue(neither.err().contains("--runs") && neither.err().contains("--dataset"), neither.err());
    }
}
