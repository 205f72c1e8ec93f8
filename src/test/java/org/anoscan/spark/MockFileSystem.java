package org.anoscan.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@code mock:}, standing in for a file system the executors do not mount (hdfs:,
 * s3a:): paths of that scheme cannot be read by path, only through Hadoop, as Spark's binaryFile source reads them.
 */
public final class MockFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "mock";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }
}
