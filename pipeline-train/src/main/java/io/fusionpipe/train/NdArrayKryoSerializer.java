package io.fusionpipe.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.nd4j.kryo.Nd4jSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Kryo serializer for ND4J arrays that copies the data buffer in bulk. ND4J's own
 * ({@link Nd4jSerializer}) writes and reads one element at a time through Data streams, and the
 * Spark trainer's Direct approach stores every batch of an epoch in Spark's block manager, so that
 * loop was a large share of the executors' time (docs/training.md, "Batches through Kryo").
 * <p>Numeric arrays on the CPU backend go as: tag, data type, shape, byte order, then the raw
 * c-ordered bytes; empty arrays as type and shape; anything else (strings, compressed buffers, a GPU
 * backend) is delegated to ND4J's serializer behind its own tag.
 */
public final class NdArrayKryoSerializer extends Serializer<INDArray> {

    private static final byte BULK = 1;
    private static final byte DELEGATED = 2;
    private static final byte EMPTY = 3;
    private static final int CHUNK = 1 << 16;

    private final Nd4jSerializer fallback = new Nd4jSerializer();

    @Override
    public void write(Kryo kryo, Output output, INDArray array) {
        if (array.isEmpty()) {
            // ND4J's serializer cannot read back an empty array (EOF): type and shape say it all
            output.writeByte(EMPTY);
            output.writeString(array.dataType().name());
            writeShape(output, array.shape());
            return;
        }
        if (!bulk(array)) {
            output.writeByte(DELEGATED);
            fallback.write(kryo, output, array);
            return;
        }
        INDArray a = contiguous(array);
        long[] shape = a.shape();
        output.writeByte(BULK);
        output.writeString(a.dataType().name());
        writeShape(output, shape);
        output.writeBoolean(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        long bytes = a.length() * a.dataType().width();
        output.writeLong(bytes, true);
        ByteBuffer src = a.data().asNio().duplicate();
        src.position(0).limit(Math.toIntExact(bytes));
        byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
        while (src.hasRemaining()) {
            int n = Math.min(chunk.length, src.remaining());
            src.get(chunk, 0, n);
            output.writeBytes(chunk, 0, n);
        }
    }

    @Override
    public INDArray read(Kryo kryo, Input input, Class<INDArray> type) {
        byte tag = input.readByte();
        if (tag == DELEGATED) {
            return fallback.read(kryo, input, type);
        }
        if (tag == EMPTY) {
            DataType dataType = DataType.valueOf(input.readString());
            long[] shape = readShape(input);
            return shape.length == 0 ? Nd4j.empty(dataType) : Nd4j.create(dataType, shape);
        }
        if (tag != BULK) {
            throw new KryoException("not an ND4J array written by " + NdArrayKryoSerializer.class.getSimpleName() + " (tag " + tag + ")");
        }
        DataType dataType = DataType.valueOf(input.readString());
        long[] shape = readShape(input);
        boolean little = input.readBoolean();
        if (little != (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)) {
            throw new KryoException("an ND4J array written on a " + (little ? "little" : "big") + "-endian JVM cannot be read on this "
                    + ByteOrder.nativeOrder() + " one: run every executor on one byte order");
        }
        long bytes = input.readLong(true);
        INDArray out = Nd4j.createUninitialized(dataType, shape, 'c');
        if (out.length() * dataType.width() != bytes) {
            throw new KryoException("ND4J array of shape " + java.util.Arrays.toString(shape) + " " + dataType + " announced " + bytes + " bytes");
        }
        ByteBuffer dst = out.data().asNio().duplicate();
        dst.position(0).limit(Math.toIntExact(bytes));
        byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
        while (dst.hasRemaining()) {
            int n = Math.min(chunk.length, dst.remaining());
            input.readBytes(chunk, 0, n);
            dst.put(chunk, 0, n);
        }
        return out;
    }

    private static void writeShape(Output output, long[] shape) {
        output.writeInt(shape.length, true);
        for (long d : shape) {
            output.writeLong(d, true);
        }
    }

    private static long[] readShape(Input input) {
        long[] shape = new long[input.readInt(true)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = input.readLong(true);
        }
        return shape;
    }

    /** Arrays this serializer copies in bulk: non-empty numeric arrays of the CPU backend that fit one NIO buffer. */
    static boolean bulk(INDArray a) {
        return !a.isCompressed() && Nd4j.getEnvironment().isCPU() && a.dataType().isNumerical()
                && a.length() * a.dataType().width() <= Integer.MAX_VALUE;
    }

    private static INDArray contiguous(INDArray a) {
        // ordering() alone is not enough: a permuted array reports 'c' with other strides
        boolean dense = a.ordering() == 'c' && !a.isView() && a.data().offset() == 0 && a.data().length() == a.length()
                && java.util.Arrays.equals(a.stride(), org.nd4j.common.util.ArrayUtil.calcStrides(a.shape()));
        return dense ? a : a.dup('c');
    }
}
