package io.rmbg.local;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real S3 protocol server (s3proxy) storing objects as files under a directory. */
public final class LocalS3 implements AutoCloseable {
    private final S3Proxy proxy;
    private final String endpoint;

    private LocalS3(S3Proxy proxy, String endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    public static LocalS3 start(Path dir, String host, int port, String accessKey, String secretKey)
            throws Exception {
        Files.createDirectories(dir);
        String endpoint = "http://" + host + ":" + port;
        S3Proxy proxy =
                S3Proxy.builder()
                        .blobStore(new FilesystemNio2BlobStore(dir.toAbsolutePath().toString()))
                        .endpoint(URI.create(endpoint))
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                        .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "S3 server did not start on " + endpoint + ": " + proxy.getState());
            }
            Thread.sleep(20);
        }
        return new LocalS3(proxy, endpoint);
    }

    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
