package io.fusionpipe.layout;

import io.fusionpipe.json.Json;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileLockTest {

    private static final Configuration CONF = new Configuration();
    private static final LockSettings LONG_LEASE = new LockSettings(Duration.ofMinutes(2), Duration.ZERO);

    @TempDir
    Path dir;

    private org.apache.hadoop.fs.Path lock() {
        return new org.apache.hadoop.fs.Path(dir.resolve("x/.lock").toString());
    }

    @Test
    void aHeldLockRefusesASecondWriterNamingTheHolder() throws Exception {
        try (FileLock held = FileLock.acquire(CONF, lock(), LONG_LEASE, "first").orElseThrow()) {
            assertTrue(FileLock.acquire(CONF, lock(), LONG_LEASE, "second").isEmpty());
            String holder = FileLock.holder(CONF, lock());
            assertTrue(holder.contains("pid " + ProcessHandle.current().pid()) && holder.contains("(first)"), holder);
            assertEquals(held.holder().token(), read().token());
        }
        assertFalse(Files.exists(dir.resolve("x/.lock")), "released");
        FileLock.acquire(CONF, lock(), LONG_LEASE, "third").orElseThrow().close();
    }

    @Test
    void aLeaseNotRenewedForALeaseIsTakenOver() throws Exception {
        long old = System.currentTimeMillis() - 10_000;
        write(new FileLock.Holder("pid 1 on elsewhere", "t-old", 1, "elsewhere", "another-machine", 0, old, old));
        // a long lease: the holder might still be alive
        assertTrue(FileLock.acquire(CONF, lock(), LONG_LEASE, "").isEmpty());
        // a lease shorter than the silence: taken over
        try (FileLock held = FileLock.acquire(CONF, lock(), new LockSettings(Duration.ofSeconds(5), Duration.ZERO), "").orElseThrow()) {
            assertEquals(held.holder().token(), read().token());
        }
        assertFalse(Files.exists(dir.resolve("x/.lock.takeover-" + Integer.toHexString("t-old".hashCode()))), "the takeover claim is removed");
    }

    @Test
    void aLockWhoseProcessOnThisMachineIsGoneIsTakenOverAtOnce() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        long pid = p.pid();
        long started = p.info().startInstant().orElseThrow().toEpochMilli();
        long now = System.currentTimeMillis();
        ProcessIdentity me = ProcessIdentity.THIS;
        write(new FileLock.Holder("pid " + pid, "t-sleep", pid, me.host(), me.processTable(), started, now, now));
        assertTrue(FileLock.acquire(CONF, lock(), LONG_LEASE, "").isEmpty(), "its process is alive");
        p.destroyForcibly().waitFor();
        try (FileLock held = FileLock.acquire(CONF, lock(), LONG_LEASE, "").orElseThrow()) {
            assertEquals(held.holder().token(), read().token());
        }
    }

    @Test
    void aPidReusedByAnotherProcessDoesNotKeepALock() throws Exception {
        long now = System.currentTimeMillis();
        ProcessIdentity me = ProcessIdentity.THIS;
        // this JVM's pid, but a start time an hour earlier: the holder was another process with that pid
        write(new FileLock.Holder("pid " + me.pid(), "t-reused", me.pid(), me.host(), me.processTable(), me.start() - 3_600_000, now, now));
        FileLock.acquire(CONF, lock(), LONG_LEASE, "").orElseThrow().close();
    }

    @Test
    void theHolderRenewsItsLease() throws Exception {
        LockSettings shortLease = new LockSettings(Duration.ofMillis(600), Duration.ZERO);
        try (FileLock held = FileLock.acquire(CONF, lock(), shortLease, "").orElseThrow()) {
            long first = read().renewed();
            Thread.sleep(1500);
            assertTrue(read().renewed() > first, "renewed");
            // the holder is in this JVM and alive, and renewing: never taken over
            assertTrue(FileLock.acquire(CONF, lock(), shortLease.withMaxWait(Duration.ofMillis(1500)), "").isEmpty());
            held.check();
        }
    }

    @Test
    void releaseLeavesALockThatIsNoLongerItsOwn() throws Exception {
        FileLock held = FileLock.acquire(CONF, lock(), LONG_LEASE, "").orElseThrow();
        long now = System.currentTimeMillis();
        FileLock.Holder other = new FileLock.Holder("pid 2 on elsewhere", "t-new", 2, "elsewhere", "another-machine", 0, now, now);
        write(other);
        IllegalStateException e = assertThrows(IllegalStateException.class, held::check);
        assertTrue(e.getMessage().contains("pid 2 on elsewhere"), e.getMessage());
        held.close();
        assertEquals("t-new", read().token(), "the new holder's lock is kept");
    }

    @Test
    void threadsTakingTheLockNeverOverlap() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            all.add(pool.submit(() -> {
                Optional<FileLock> l = FileLock.acquire(CONF, lock(), LONG_LEASE.withMaxWait(Duration.ofSeconds(60)), "");
                try (FileLock held = l.orElseThrow()) {
                    if (inside.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    Thread.sleep(20);
                    inside.decrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
        assertEquals(0, overlaps.get());
    }

    private FileLock.Holder read() throws Exception {
        return Json.read(Files.readString(dir.resolve("x/.lock")), FileLock.Holder.class, "lock");
    }

    private void write(FileLock.Holder h) throws Exception {
        Files.createDirectories(dir.resolve("x"));
        Files.writeString(dir.resolve("x/.lock"), Json.compact(h));
    }
}
