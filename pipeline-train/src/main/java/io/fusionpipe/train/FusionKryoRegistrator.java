package io.fusionpipe.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;

/**
 * Kryo setup of the jobs that train or decode: ND4J's registrations (INDArrays must not go through
 * Kryo's field serializer), and Java serialization for every Java record, which Kryo 4's field
 * serializer cannot build (the stages' task data - e.g. the generator's slices - are records).
 */
public final class FusionKryoRegistrator implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        kryo.addDefaultSerializer(Record.class, JavaSerializer.class);
    }
}
