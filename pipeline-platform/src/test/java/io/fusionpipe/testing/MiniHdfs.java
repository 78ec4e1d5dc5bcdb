package io.fusionpipe.testing;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real single-node HDFS (a NameNode and a DataNode, Hadoop's MiniDFSCluster) on loopback, for a
 * test class ({@code @RegisterExtension static final MiniHdfs HDFS = new MiniHdfs();}) or as a
 * process: {@code main(dir)} starts one, prints "hdfs-uri=hdfs://127.0.0.1:PORT" and runs until killed
 * (the soak script uses that).
 */
public final class MiniHdfs implements BeforeAllCallback, AfterAllCallback {

    private MiniDFSCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Path base = TestRoots.newRoot("hdfs-" + context.getRequiredTestClass().getSimpleName());
        cluster = start(base);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.shutdown(true);
            cluster = null;
        }
    }

    /** "hdfs://127.0.0.1:PORT". */
    public String uri() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    static MiniDFSCluster start(Path base) throws IOException {
        Files.createDirectories(base);
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toAbsolutePath().toString());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.setBoolean("dfs.permissions.enabled", false);
        MiniDFSCluster c = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        c.waitActive();
        return c;
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(args.length > 0 ? args[0] : "target/minihdfs");
        MiniDFSCluster c = start(base);
        System.out.println("hdfs-uri=hdfs://127.0.0.1:" + c.getNameNodePort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> c.shutdown(true)));
        Thread.currentThread().join();
    }
}
