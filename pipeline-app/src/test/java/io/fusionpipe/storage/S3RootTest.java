package io.fusionpipe.storage;

import io.fusionpipe.testing.MiniS3;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link RootStoreTest} with {@code fusionpipe.root=s3a://...}: Hadoop's S3A connector (hadoop-aws) against a
 * real S3 API server that checks request signatures, the credentials passed the way a user passes them
 * ({@code fusionpipe.spark.conf."spark.hadoop.fs.s3a.*"}).
 */
class S3RootTest extends RootStoreTest {

    @RegisterExtension
    static final MiniS3 S3 = new MiniS3();

    @Override
    String root() {
        return "s3a://" + MiniS3.BUCKET + "/fusionpipe";
    }

    @Override
    List<String> storeSets() {
        List<String> sets = new ArrayList<>(S3.configSets());
        sets.add("train.shared.port=40401");
        sets.add("storage.leftover-age=20s"); // objects cannot be backdated: the test waits this long instead
        return sets;
    }
}
