package io.fusionpipe.train.backend;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.ConfigValidationException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fusionpipe.nd4j.threads reaches ND4J's BLAS and libnd4j settings, and a benchmark's all-core reference is undone. */
class Nd4jThreadsTest {

    private static int blasThreads() {
        return Nd4j.factory().blas().getMaxThreads();
    }

    @Test
    void defaultIsPerJobAndBadValuesFailNamingTheKey() {
        var defaults = ConfigLoader.fromClasspath().systemProperties(new Properties()).load();
        assertEquals(0, Nd4jThreads.of(defaults));
        assertEquals(1, Nd4jThreads.perTask(defaults, new org.apache.spark.SparkConf()));
        assertEquals(2, Nd4jThreads.perTask(defaults, new org.apache.spark.SparkConf().set("spark.task.cpus", "2")));
        assertEquals(3, Nd4jThreads.perTask(ConfigLoader.fromClasspath().systemProperties(new Properties()).set("nd4j.threads", "3").load(),
                new org.apache.spark.SparkConf().set("spark.task.cpus", "2")));
        ConfigValidationException e = assertThrows(ConfigValidationException.class,
                () -> ConfigLoader.fromClasspath().systemProperties(new Properties()).set("nd4j.threads", "-1").load());
        assertTrue(e.getMessage().contains(Nd4jThreads.KEY), e.getMessage());
    }

    @Test
    void applyLimitsEveryOpAndWithRestoresIt() {
        Nd4jThreads.apply(1);
        assertEquals(1, blasThreads());
        int inside = Nd4jThreads.with(2, Nd4jThreadsTest::blasThreads);
        assertEquals(2, inside, "the reference ran with 2 threads per op");
        assertEquals(1, blasThreads(), "the configured limit is back after the reference");
        Nd4jThreads.apply(-1);
        assertEquals(1, blasThreads(), "below 0 leaves the current setting alone");
        Nd4jThreads.apply(0);
        assertEquals(Nd4jThreads.nd4jDefault(), blasThreads(), "0 restores ND4J's own choice");
        Nd4jThreads.apply(1);
        assertEquals(1, blasThreads());
    }
}
