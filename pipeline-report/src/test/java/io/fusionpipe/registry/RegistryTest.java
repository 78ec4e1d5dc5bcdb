package io.fusionpipe.registry;

import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.LockSettings;
import io.fusionpipe.records.RegistryRecord;
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
        assertEquals(0, r.read().revision());
        r.update(s -> s.with(decision("m", "first", "run-1"), champion("run-1"), "t1"), waiting(Duration.ofSeconds(1)));
        r.update(s -> s.with(decision("m", "promoted", "run-2"), champion("run-2"), "t2"), waiting(Duration.ofSeconds(1)));
        assertEquals(2, r.read().revision());
        assertEquals("run-2", r.champion("m").runId());
        assertEquals(List.of("run-2", "run-1"), r.championRuns("m"));
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
        r.update(s -> s.with(decision("m", "first", "run-1"), champion("run-1"), "t1"), waiting(Duration.ofSeconds(1)));
        String before = Files.readString(dir.resolve("registry/registry.json"));
        assertThrows(IllegalStateException.class, () -> r.update(s -> {
            throw new IllegalStateException("boom");
        }, waiting(Duration.ofSeconds(1))));
        assertEquals(before, Files.readString(dir.resolve("registry/registry.json")));
        assertFalse(Files.exists(dir.resolve("registry/.lock")));
    }

    @Test
    void aHeldLockIsReportedWithItsOwner() throws Exception {
        Files.createDirectories(dir.resolve("registry"));
        Files.writeString(dir.resolve("registry/.lock"), "pid 4242 on somewhere");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> registry().update(s -> s, waiting(Duration.ofMillis(300))));
        assertTrue(e.getMessage().contains("pid 4242 on somewhere") && e.getMessage().contains(".lock"), e.getMessage());
    }

    @Test
    void concurrentUpdatesAreSerialised() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int k = i;
            futures.add(pool.submit(() -> registry().update(s -> s.with(decision("m", "kept", "run-" + k), null, "t"),
                    waiting(Duration.ofSeconds(30)))));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertEquals(12, registry().history().size(), "no update lost");
        assertEquals(12, registry().read().revision());
    }

    @Test
    void aForeignFileIsRefusedByName() throws Exception {
        Files.createDirectories(dir.resolve("registry"));
        Files.writeString(dir.resolve("registry/registry.json"), "[1, 2]");
        BadInputException e = assertThrows(BadInputException.class, () -> registry().read());
        assertTrue(e.getMessage().contains("registry.json") && e.getMessage().contains("not a Fusionpipe registry"), e.getMessage());
    }

    @Test
    void aRegistryFromANewerMajorVersionIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("registry"));
        Files.writeString(dir.resolve("registry/registry.json"), "{\"schema_version\": 2, \"champions\": {}, \"history\": []}");
        BadInputException e = assertThrows(BadInputException.class, () -> registry().read());
        assertTrue(e.getMessage().contains("schema_version 2") && e.getMessage().contains("upgrade"), e.getMessage());
    }

    @Test
    void aPromoteKilledBetweenItsTwoWritesLosesNoHistory() throws Exception {
        Registry r = registry();
        r.update(s -> s.with(decision("m", "first", "run-1"), champion("run-1"), "t1"), waiting(Duration.ofSeconds(1)));
        String rev1 = Files.readString(dir.resolve("registry/registry.json"));
        r.update(s -> s.with(decision("m", "promoted", "run-2"), champion("run-2"), "t2"), waiting(Duration.ofSeconds(1)));
        // killed after history/rev-2 and before registry.json: registry.json still says revision 1
        Files.writeString(dir.resolve("registry/registry.json"), rev1);
        assertEquals(2, r.read().revision());
        assertEquals("run-2", r.champion("m").runId());
        // registry.json gone altogether: the history still holds the state, and the next promote builds on it
        Files.delete(dir.resolve("registry/registry.json"));
        assertEquals(2, r.read().revision());
        r.update(s -> s.with(decision("m", "kept", "run-3"), null, "t3"), waiting(Duration.ofSeconds(1)));
        assertEquals(3, r.read().revision());
        assertEquals(3, r.history().size(), "no decision lost");
        assertEquals("run-2", r.champion("m").runId());
    }

    @Test
    void aLockLeftByAKilledPromoteIsTakenOver() throws Exception {
        Files.createDirectories(dir.resolve("registry"));
        Path lock = dir.resolve("registry/.lock");
        Files.writeString(lock, "pid 4242 on somewhere");
        Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 10_000));
        RegistryRecord after = registry().update(s -> s.with(decision("m", "first", "run-1"), champion("run-1"), "t1"),
                new LockSettings(Duration.ofSeconds(5), Duration.ZERO));
        assertEquals(1, after.revision());
        assertFalse(Files.exists(lock), "released after the update");
    }

    private static LockSettings waiting(Duration d) {
        return new LockSettings(Duration.ofMinutes(2), d);
    }

    private static RegistryRecord.Decision decision(String model, String outcome, String run) {
        return new RegistryRecord.Decision("t", model, outcome, "eval-1", "c", "CIDEr", run, "early", 0.5, null, null, null, "because");
    }

    private static RegistryRecord.Champion champion(String run) {
        return new RegistryRecord.Champion(run, "early", "eval-1", "CIDEr", 0.5, "cards v1", "t");
    }
}
