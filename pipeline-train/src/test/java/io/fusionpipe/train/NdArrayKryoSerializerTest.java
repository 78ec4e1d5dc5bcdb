package io.fusionpipe.train;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ND4J arrays and MultiDataSets round-trip through Spark's Kryo with FusionKryoRegistrator, in bulk where it can. */
class NdArrayKryoSerializerTest {

    private static final SerializerInstance KRYO = new KryoSerializer(new SparkConf()
            .set("spark.kryo.registrator", FusionKryoRegistrator.class.getName())).newInstance();

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) {
        ByteBuffer bytes = KRYO.serialize(value, ClassTag$.MODULE$.apply(Object.class));
        return (T) KRYO.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
    }

    @Test
    void everyKindOfArrayComesBackEqual() {
        INDArray matrix = Nd4j.rand(DataType.FLOAT, 3, 4, 5);
        List<INDArray> arrays = List.of(
                matrix,
                Nd4j.rand(DataType.DOUBLE, 7),
                Nd4j.createFromArray(new int[][]{{1, -2}, {3, 4}}),
                Nd4j.createFromArray(Long.MAX_VALUE, Long.MIN_VALUE),
                Nd4j.rand(DataType.FLOAT, 4, 6).castTo(DataType.HALF),
                Nd4j.createFromArray(true, false, true),
                Nd4j.scalar(2.5f),
                Nd4j.empty(DataType.FLOAT),
                matrix.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)),          // a view with an offset
                Nd4j.rand(DataType.FLOAT, 'f', 5, 3),                                  // f order
                matrix.permute(2, 0, 1));                                              // strided
        for (INDArray a : arrays) {
            INDArray back;
            try {
                back = roundTrip(a);
            } catch (RuntimeException e) {
                throw new AssertionError(a.shapeInfoToString() + " " + a.dataType(), e);
            }
            assertEquals(a.dataType(), back.dataType(), a.shapeInfoToString());
            assertArrayEquals(a.shape(), back.shape(), a.shapeInfoToString());
            assertEquals(a, back, a.shapeInfoToString());
        }
    }

    @Test
    void batchesKeepTheirNullMasks() {
        INDArray image = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 6);
        INDArray tokens = Nd4j.rand(DataType.FLOAT, 2, 1, 5);
        INDArray mask = Nd4j.ones(DataType.FLOAT, 2, 5);
        MultiDataSet m = new MultiDataSet(new INDArray[]{image, tokens}, new INDArray[]{tokens.dup()}, new INDArray[]{null, mask},
                new INDArray[]{mask});
        MultiDataSet back = roundTrip(m);
        assertEquals(image, back.getFeatures(0));
        assertEquals(tokens, back.getFeatures(1));
        assertNull(back.getFeaturesMaskArray(0));
        assertEquals(mask, back.getFeaturesMaskArray(1));
        assertEquals(mask, back.getLabelsMaskArray(0));
    }

    @Test
    void theRegistratorReplacesNd4jsElementByElementSerializer() {
        var kryo = new KryoSerializer(new SparkConf().set("spark.kryo.registrator", FusionKryoRegistrator.class.getName())).newKryo();
        assertTrue(kryo.getSerializer(Nd4j.getBackend().getNDArrayClass()) instanceof NdArrayKryoSerializer,
                kryo.getSerializer(Nd4j.getBackend().getNDArrayClass()).getClass().getName());
    }
}
