package io.fusionpipe.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.ingest.image.PerceptualHash;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.testing.LocalSpark;
import io.fusionpipe.testing.TestRoots;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reject reason from a real bad input (files, lines, URLs, COCO entries, tar members), in one
 * run over four sources, with the conservation check and the published counts.
 */
class IngestRejectsTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark("ingest.caption.max-chars=300", "ingest.image.max-bytes=2M",
            "ingest.fetch.retries=1", "ingest.fetch.backoff=10ms", "ingest.fetch.allowed-hosts=[127.0.0.1, 127.0.0.2]",
            "ingest.fetch.allow-private=[127.0.0.1]", "ingest.fetch.total-timeout=3s", "ingest.fetch.max-redirects=3");

    static HttpServer server;
    static int port;

    @BeforeAll
    static void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] ok = Fixtures.card(40);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        server.createContext("/", ex -> {
            String p = ex.getRequestURI().getPath();
            if (p.equals("/loop.png") || p.equals("/to-https.png")) {
                ex.getResponseHeaders().add("Location", p.equals("/loop.png") ? "/loop.png" : "https://127.0.0.1:" + port + "/ok.png");
                ex.sendResponseHeaders(302, -1);
                ex.close();
                return;
            }
            if (p.equals("/drip.png")) {
                ex.sendResponseHeaders(200, 1000);
                try {
                    for (int i = 0; i < 1000; i++) {
                        ex.getResponseBody().write(0);
                        ex.getResponseBody().flush();
                        Thread.sleep(100);
                    }
                } catch (Exception stopped) {
                    // the client gave up, as it should
                }
                ex.close();
                return;
            }
            int status = p.equals("/ok.png") ? 200 : p.equals("/boom.png") ? 500 : 404;
            byte[] body = status == 200 ? ok : new byte[0];
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void everyBadInputEndsInRejectsWithItsReason() throws Exception {
        Path root = TestRoots.newRoot("rejects");
        Path in = Files.createDirectories(root.resolve("in"));
        Path img = Files.createDirectories(in.resolve("images"));
        Files.write(root.resolve("outside.png"), Fixtures.card(30));
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            Files.write(img.resolve("good-" + i + ".png"), Fixtures.card(i));
        }
        for (int i = 1; i <= 6; i++) {
            lines.add(Fixtures.line("good-" + i, "images/good-" + i + ".png", Fixtures.cardCaption(i), Map.of("name", "n" + i)));
        }
        Files.write(img.resolve("zero.png"), new byte[0]);
        byte[] full = Fixtures.card(8);
        Files.write(img.resolve("trunc.png"), java.util.Arrays.copyOf(full, full.length / 2));
        Files.writeString(img.resolve("text.png"), "hello, not an image");
        Files.write(img.resolve("bomb.png"), Fixtures.pngHeaderOnly(100_000, 100_000));
        Files.write(img.resolve("tiny.png"), Fixtures.solid(8, 8, Color.RED));
        Files.write(img.resolve("thin.png"), Fixtures.solid(16, 200, Color.BLUE));
        byte[] garbled = new byte[4000];
        new Random(1).nextBytes(garbled);
        garbled[0] = (byte) 0xFF;
        garbled[1] = (byte) 0xD8;
        garbled[2] = (byte) 0xFF;
        garbled[3998] = (byte) 0xFF;
        garbled[3999] = (byte) 0xD9;
        Files.write(img.resolve("garbled.jpg"), garbled);
        byte[] big = new byte[3 * 1024 * 1024];
        System.arraycopy(Fixtures.card(9), 0, big, 0, 100);
        Files.write(img.resolve("big.png"), big);
        Files.createSymbolicLink(img.resolve("link.png"), root.resolve("outside.png"));
        Files.write(img.resolve("copy.png"), Fixtures.card(4));
        byte[] near = Fixtures.jpegOf(Fixtures.card(5), 0.92f, 1.0);
        int d = PerceptualHash.distance(PerceptualHash.hex(PerceptualHash.of(ImageIO.read(new ByteArrayInputStream(near)))),
                PerceptualHash.hex(PerceptualHash.of(ImageIO.read(new ByteArrayInputStream(Fixtures.card(5))))));
        assertTrue(d > 0 && d <= 6, "fixture: the re-encoded copy is near but not identical (distance " + d + ")");
        Files.write(img.resolve("near.jpg"), near);

        lines.add(Fixtures.line("zero", "images/zero.png", "a caption", null));
        lines.add(Fixtures.line("trunc", "images/trunc.png", "a caption", null));
        lines.add(Fixtures.line("text", "images/text.png", "a caption", null));
        lines.add(Fixtures.line("bomb", "images/bomb.png", "a caption", null));
        lines.add(Fixtures.line("tiny", "images/tiny.png", "a caption", null));
        lines.add(Fixtures.line("thin", "images/thin.png", "a caption", null));
        lines.add(Fixtures.line("garbled", "images/garbled.jpg", "a caption", null));
        lines.add(Fixtures.line("big", "images/big.png", "a caption", null));
        lines.add(Fixtures.line("nocap", "images/good-7.png", "", null));
        lines.add(Fixtures.line("spaces", "images/good-7.png", "  \t ", null));
        lines.add(Fixtures.line("long", "images/good-7.png", "word ".repeat(80), null));
        lines.add("{\"image\":\"images/good-7.png\",\"caption\":\"no id here\"}");
        lines.add("{not json");
        lines.add(Fixtures.line("escape", "../outside.png", "a caption", null));
        lines.add(Fixtures.line("abs", root.resolve("outside.png").toString(), "a caption", null));
        lines.add(Fixtures.line("link", "images/link.png", "a caption", null));
        lines.add(Fixtures.line("ftp", "ftp://example.com/a.png", "a caption", null));
        lines.add(Fixtures.line("fileurl", "file:///etc/hostname", "a caption", null));
        lines.add(Fixtures.line("gone", "images/none.png", "a caption", null));
        lines.add("{\"id\":\"noimg\",\"caption\":\"an image is missing\"}");
        lines.add(Fixtures.line("good-1", "images/good-2.png", "another image under a used id", null));
        lines.add(Fixtures.line("good-2", "images/good-2.png", Fixtures.cardCaption(2), null));
        lines.add(Fixtures.line("good-3", "images/good-3.png", "a second caption for good-3", null));
        lines.add(Fixtures.line("copy", "images/copy.png", "same bytes as good-4", null));
        lines.add(Fixtures.line("near", "images/near.jpg", Fixtures.cardCaption(5), null));
        lines.add(Fixtures.line("web-ok", "http://127.0.0.1:" + port + "/ok.png", "fetched", null));
        lines.add(Fixtures.line("web-404", "http://127.0.0.1:" + port + "/missing.png", "a caption", null));
        lines.add(Fixtures.line("web-500", "http://127.0.0.1:" + port + "/boom.png", "a caption", null));
        lines.add(Fixtures.line("web-host", "http://localhost:" + port + "/ok.png", "a caption", null));
        lines.add(Fixtures.line("web-internal", "http://127.0.0.2:" + port + "/ok.png", "a caption", null));
        lines.add(Fixtures.line("web-loop", "http://127.0.0.1:" + port + "/loop.png", "a caption", null));
        lines.add(Fixtures.line("web-https", "http://127.0.0.1:" + port + "/to-https.png", "a caption", null));
        lines.add(Fixtures.line("web-drip", "http://127.0.0.1:" + port + "/drip.png", "a caption", null));
        Files.write(in.resolve("manifest.jsonl"), lines);

        // CSV with a caption that is not UTF-8.
        Path csv = root.resolve("extra.csv");
        byte[] head = ("id,image,caption\ncsv-1,in/images/good-7.png,fine caption\ncsv-2,in/images/good-6.png,bad ").getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\n".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xC3;
        bytes[head.length + 1] = (byte) 0x28;
        System.arraycopy(tail, 0, bytes, head.length + 2, tail.length);
        Files.write(csv, bytes);

        // COCO: two captions for image 1, images 2 and 3 without captions, an annotation for a missing image.
        Path coco = Files.createDirectories(root.resolve("coco"));
        Files.createDirectories(coco.resolve("images"));
        for (int i = 1; i <= 3; i++) {
            Files.write(coco.resolve("images/c" + i + ".png"), Fixtures.card(50 + i));
        }
        // Entries without ids and an id that is not a number are rejects, not a crash.
        Files.writeString(coco.resolve("captions.json"), "{\"images\":[{\"id\":1,\"file_name\":\"c1.png\"},{\"id\":2,\"file_name\":\"c2.png\"},"
                + "{\"id\":3,\"file_name\":\"c3.png\"},{\"file_name\":\"c4.png\"}],\"annotations\":[{\"id\":10,\"image_id\":1,\"caption\":\"first caption\"},"
                + "{\"id\":11,\"image_id\":1,\"caption\":\"second caption\"},{\"id\":12,\"image_id\":99,\"caption\":\"orphan\"},"
                + "{\"image_id\":1,\"caption\":\"no id\"},{\"id\":\"x7\",\"image_id\":1,\"caption\":\"odd id\"}]}");

        // WebDataset shard.
        Path shards = Files.createDirectories(root.resolve("shards"));
        Fixtures.tar(shards.resolve("shard-000.tar"), Fixtures.members(
                "s1.png", Fixtures.card(60), "s1.txt", "a shard caption",
                "s2.png", Fixtures.card(61),
                "s3.txt", "caption without image",
                "../evil.png", Fixtures.card(62),
                "s4.png", Fixtures.card(63), "s4.txt", new byte[]{'b', 'a', 'd', (byte) 0xC3, 0x28},
                "s5.png", new byte[3 * 1024 * 1024], "s5.txt", "an image over max-bytes, never read"));

        var conf = SPARK.session().sparkContext().hadoopConfiguration();
        List<InputSpec> inputs = List.of(
                InputSpec.resolve(in.toString(), "auto", "manifest", conf),
                InputSpec.resolve(csv.toString(), "auto", "csv", conf),
                InputSpec.resolve(coco.resolve("captions.json").toString(), "auto", "coco", conf),
                InputSpec.resolve(shards.toString(), "auto", "shards", conf));
        assertEquals(List.of("jsonl", "csv", "coco", "webdataset"), inputs.stream().map(InputSpec::format).toList());
        IngestPipeline.Result r = IngestPipeline.run(SPARK.session(), SPARK.config(), IngestSettings.of(SPARK.config()),
                new IngestPipeline.Request("mixed", inputs));

        Map<String, String> reasonById = new HashMap<>();
        Map<String, String> reasonByRef = new HashMap<>();
        for (Row row : SPARK.session().read().parquet(r.path() + "/" + DatasetSchema.REJECTS).collectAsList()) {
            String id = row.isNullAt(2) ? null : row.getString(2);
            reasonByRef.put(row.getString(1), row.getString(3));
            if (id != null) {
                reasonById.merge(id, row.getString(3), (a, b) -> a + "," + b);
            }
        }
        Map<String, String> expected = new TreeMap<>(Map.ofEntries(
                Map.entry("zero", "zero_bytes"), Map.entry("trunc", "truncated_image"), Map.entry("text", "unsupported_format"),
                Map.entry("bomb", "too_many_pixels"), Map.entry("tiny", "too_small"), Map.entry("thin", "extreme_aspect_ratio"),
                Map.entry("garbled", "unreadable_image"), Map.entry("big", "image_too_large"), Map.entry("nocap", "empty_caption"),
                Map.entry("spaces", "empty_caption"), Map.entry("long", "caption_too_long"), Map.entry("escape", "path_outside_root"),
                Map.entry("abs", "path_outside_root"), Map.entry("link", "path_outside_root"), Map.entry("ftp", "unsupported_url_scheme"),
                Map.entry("fileurl", "unsupported_url_scheme"), Map.entry("gone", "image_not_found"), Map.entry("noimg", "caption_without_image"),
                Map.entry("good-1", "duplicate_id_conflict"), Map.entry("good-2", "duplicate_row"), Map.entry("copy", "duplicate_image"),
                Map.entry("near", "near_duplicate_image"), Map.entry("web-404", "fetch_failed"), Map.entry("web-500", "fetch_failed"),
                Map.entry("web-host", "host_not_allowed"), Map.entry("web-internal", "address_not_allowed"),
                Map.entry("web-loop", "too_many_redirects"), Map.entry("web-https", "redirect_scheme_change"),
                Map.entry("web-drip", "fetch_timeout"), Map.entry("csv-2", "invalid_utf8"), Map.entry("2", "image_without_caption"),
                Map.entry("3", "image_without_caption"), Map.entry("99", "caption_without_image"), Map.entry("s2", "image_without_caption"),
                Map.entry("s3", "caption_without_image"), Map.entry("s4", "invalid_utf8"), Map.entry("s5", "image_too_large")));
        assertEquals(expected, new TreeMap<>(filter(reasonById, expected.keySet())));
        assertEquals("missing_id", reasonByRef.get("manifest.jsonl:" + (lines.indexOf("{\"image\":\"images/good-7.png\",\"caption\":\"no id here\"}") + 1)));
        assertEquals("malformed_record", reasonByRef.get("manifest.jsonl:" + (lines.indexOf("{not json") + 1)));
        assertEquals("path_outside_root", reasonByRef.get("shard-000.tar:../evil.png"));
        assertEquals("missing_id", reasonByRef.get("captions.json:image without id (file_name c4.png)"), reasonByRef.toString());
        assertEquals("missing_id", reasonByRef.get("captions.json:annotation without id (image_id 1)"));
        assertEquals("malformed_record", reasonByRef.get("captions.json:annotation x7"));
        for (RejectReason reason : RejectReason.values()) {
            // already_in_dataset needs append mode (IngestPublishTest), bad_split a split column (HuggingFaceLayoutTest)
            if (reason != RejectReason.ALREADY_IN_DATASET && reason != RejectReason.BAD_SPLIT) {
                assertTrue(r.rejectsByReason().containsKey(reason.code()), "covered: " + reason.code() + " in " + r.rejectsByReason());
            }
        }

        // Conservation, and what made it in.
        assertEquals(r.rowsIn(), r.rowsWritten() + r.rowsRejected());
        List<Row> rows = SPARK.session().read().parquet(r.path()).collectAsList();
        Map<String, Row> byId = new HashMap<>();
        rows.forEach(row -> byId.put(row.getString(row.fieldIndex("id")), row));
        assertEquals(java.util.Set.of("good-1", "good-2", "good-3", "good-4", "good-5", "good-6", "web-ok", "csv-1", "1", "s1"), byId.keySet());
        assertEquals(List.of(Fixtures.cardCaption(3), "a second caption for good-3"), byId.get("good-3").getList(byId.get("good-3").fieldIndex("captions")));
        assertEquals(List.of("first caption", "second caption"), byId.get("1").getList(byId.get("1").fieldIndex("captions")));
        JsonNode manifest = new ObjectMapper().readTree(Files.readString(Path.of(java.net.URI.create(r.path() + "/_manifest.json"))));
        assertEquals(r.rowsIn(), manifest.get("rows_in").asLong());
        assertEquals(r.rowsRejected(), manifest.get("rows_rejected").asLong());
        assertEquals(4, manifest.get("rows_in_by_source").size());
    }

    private static Map<String, String> filter(Map<String, String> m, java.util.Set<String> keys) {
        Map<String, String> out = new HashMap<>();
        m.forEach((k, v) -> {
            if (keys.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
