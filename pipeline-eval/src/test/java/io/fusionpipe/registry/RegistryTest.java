package io.fusionpipe.registry;

import io.fusionpipe.layout.FusionRoot;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registry revisions, history files, the lock, and concurrent updates that lose nothing. */
class RegistryTest {

    @TempDir
    Path dir;

    private Registry registry() {
        return new Registry(new FusionRoot(dir.toString(), ""), new Configuration());
    }

    @Test
    void updatesWriteRevisionsAndKeepHistory() throws Exception {
        Registry r = registry();
        assertEquals(0, r.read().path("revision").asLong());
        r.update(s -> {
            s.with("champions").putObject("m").put("run_id", "run-1");
            s.withArray("history").addObject().put("outcome", "first");
            return s;
        }, Duration.ofSeconds(1));
        r.update(s -> {
            s.with("champions").putObject("m").put("run_id", "run-2");
            s.withArray("history").addObject().put("outcome", "promoted");
            return s;
        }, Duration.ofSeconds(1));
        assertEquals(2, r.read().path("revision").asLong());
        assertEquals("run-2", r.champion("m").path("run_id").asText());
        assertEquals(2, r.history().size());
        assertTrue(Files.exists(dir.resolve("registry/history/rev-000001.json")));
        assertTrue(Files.readString(dir.resolve("registry/history/rev-000001.json")).contains("run-1"));
        assertFalse(Files.exists(dir.resolve("registry/.lock")), "the lock is released");
        try (var files = Files.list(dir.resolve("registry"))) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void aFailedChangeLeavesTheRegistryAsItWas() throws Exception {
        Registry r = registry();
        r.update(s -> {
            s.with("champions").putObject("m").put("run_id", "run-1");
            return s;
        }, Duration.ofSeconds(1));
        String before = Files.readString(dir.resolve("registry/registry.json"));
        assertThrows(IllegalStateException.class, () -> r.update(s -> {
            throw new IllegalStateException("boom");
        }, Duration.ofSeconds(1)));
        assertEquals(before, Files.readString(dir.resolve("registry/registry.json")));
        assertFalse(Files.exists(dir.resolve("registry/.lock")));
    }

    @Test
    void aHeldLockIsReportedWithItsOwner() throws Exception {
        Files.createDirectories(dir.resolve("registry"));
        Files.writeString(dir.resolve("registry/.lock"), "pid 4242 on somewhere");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> registry().update(s -> s, Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("pid 4242 on somewhere") && e.getMessage().contains(".lock"), e.getMessage());
    }

    @Test
    void concurrentUpdatesAreSerialised() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int k = i;
            futures.add(pool.submit(() -> registry().update(s -> {
                s.withArray("history").addObject().put("n", k);
                return s;
            }, Duration.ofSeconds(30))));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertEquals(12, registry().history().size(), "no update lost");
        assertEquals(12, registry().read().path("revision").asLong());
    }

    @Test
    void aForeignFileIsRefusedByName() throws Exception {
        Files.createDirectories(dir.resolve("registry"));
        Files.writeString(dir.resolve("registry/registry.json"), "[1, 2]");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> registry().read());
        assertTrue(e.getMessage().contains("registry.json") && e.getMessage().contains("not a Fusionpipe registry"), e.getMessage());
    }
}
