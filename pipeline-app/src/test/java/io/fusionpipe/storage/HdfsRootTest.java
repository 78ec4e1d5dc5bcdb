package io.fusionpipe.storage;

import io.fusionpipe.testing.MiniHdfs;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

/** {@link RootStoreTest} with {@code fusionpipe.root=hdfs://...} on a real HDFS (NameNode + DataNode). */
class HdfsRootTest extends RootStoreTest {

    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs();

    @Override
    String root() {
        return HDFS.uri() + "/fusionpipe";
    }

    @Override
    List<String> storeSets() {
        return List.of("train.shared.port=40341");
    }
}
