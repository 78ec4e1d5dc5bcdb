package io.fusionpipe.train;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.collection.Iterator;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Live progress of an epoch on the driver's console (stderr): batches handed to the trainers so far,
 * samples/s and ETA. Executors count batches in a Spark accumulator (see TrainingData); the driver
 * sees running tasks' counts in the executors' heartbeats (every {@code spark.executor.heartbeatInterval},
 * which TrainCommand sets to 2 s) and finished tasks' in the accumulator, so it works the same on
 * local[N] and on a cluster.
 */
final class TrainProgress extends SparkListener implements AutoCloseable {

    private final SparkContext sc;
    private final LongAccumulator batches;
    private final Map<Long, Long> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final PrintStream out;

    TrainProgress(SparkContext sc, String name, long intervalMillis, PrintStream out, LongFunction<String> line) {
        this.sc = sc;
        this.batches = sc.longAccumulator(name);
        this.out = out;
        sc.addSparkListener(this);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fusionpipe-train-progress");
            t.setDaemon(true);
            return t;
        });
        if (intervalMillis > 0) {
            timer.scheduleAtFixedRate(() -> this.out.println(line.apply(batches())), intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    LongAccumulator accumulator() {
        return batches;
    }

    /** Batches handed out since the last reset: finished tasks plus what running tasks reported. */
    long batches() {
        long live = 0;
        for (long v : running.values()) {
            live += v;
        }
        return batches.value() + live;
    }

    void reset() {
        running.clear();
        batches.reset();
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        Iterator<Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>>> it = update.accumUpdates().iterator();
        while (it.hasNext()) {
            Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task = it.next();
            Iterator<AccumulableInfo> infos = task._4().iterator();
            while (infos.hasNext()) {
                AccumulableInfo info = infos.next();
                if (info.id() == batches.id() && info.update().isDefined() && info.update().get() instanceof Number n) {
                    running.put((Long) task._1(), n.longValue());
                }
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        running.remove(end.taskInfo().taskId());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sc.removeSparkListener(this);
    }

    /** "1:05" or "1:02:03". */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
