package io.fusionpipe.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kryo setup of the jobs that train or decode: ND4J's registrations (INDArrays must not go through
 * Kryo's field serializer) with the arrays themselves copied in bulk ({@link NdArrayKryoSerializer}),
 * and Java serialization for every Java record, which Kryo 4's field
 * serializer cannot build (the stages' task data - e.g. the generator's slices - are records).
 */
public final class FusionKryoRegistrator implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new NdArrayKryoSerializer());
        kryo.addDefaultSerializer(Record.class, JavaSerializer.class);
    }
}
