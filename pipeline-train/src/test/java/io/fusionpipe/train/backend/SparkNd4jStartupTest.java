package io.fusionpipe.train.backend;

import io.fusionpipe.doctor.CheckResult;
import io.fusionpipe.testing.LocalSpark;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark (with Kryo and FusionKryoRegistrator, as training uses it) and ND4J start and work together in one JVM. */
class SparkNd4jStartupTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(io.fusionpipe.train.TrainPipeline.SPARK_CONF);

    /** Records go through Kryo as Java-serialised objects (Kryo 4's field serializer cannot build them). */
    record Slice(int index, String name) implements java.io.Serializable {
    }

    @Test
    void recordsTravelThroughKryo() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SPARK.session().sparkContext());
        List<Slice> back = jsc.parallelize(List.of(new Slice(1, "a"), new Slice(2, "b")), 2).map(s -> new Slice(s.index() * 10, s.name())).collect();
        assertEquals(List.of(new Slice(10, "a"), new Slice(20, "b")), back);
    }

    @Test
    void nd4jComputesOnTheDriverAndInsideSparkTasks() {
        Nd4jBackendInfo info = Nd4jBackendInfo.load();
        assertTrue(info.cpu(), "default build uses the CPU backend: " + info.describe());
        assertTrue(info.minimalMet(), info.describe());

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SPARK.session().sparkContext());
        JavaRDD<Integer> seeds = jsc.parallelize(IntStream.range(0, 8).boxed().collect(Collectors.toList()), 4);
        // Each task builds a matrix with ND4J and returns it through Kryo (Nd4jRegistrator) to the driver.
        List<INDArray> results = seeds.map(seed -> {
            INDArray m = Nd4j.linspace(1, 4, 4, DataType.FLOAT).reshape(2, 2).muli(seed + 1);
            return m.mmul(m);
        }).collect();
        assertEquals(8, results.size());
        for (int seed = 0; seed < 8; seed++) {
            float scale = (seed + 1) * (seed + 1);
            INDArray expected = Nd4j.createFromArray(new float[][]{{7, 10}, {15, 22}}).muli(scale);
            assertEquals(expected, results.get(seed), "seed " + seed);
        }
        assertEquals("org.apache.spark.serializer.KryoSerializer", SPARK.session().conf().get("spark.serializer"));
    }

    @Test
    void doctorCheckReportsTheBackend() {
        CheckResult r = new Nd4jCheck().run(SPARK.config());
        assertNotEquals(CheckResult.Status.FAIL, r.status(), r.detail());
        assertTrue(r.detail().contains("CpuBackend") && r.detail().contains("binary"), r.detail());
    }
}
