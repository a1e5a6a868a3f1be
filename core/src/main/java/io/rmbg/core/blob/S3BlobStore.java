package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link BlobStore} on any S3-compatible server through the AWS SDK v2. Thread-safe. */
public final class S3BlobStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);

    private final S3Client s3;
    private final String bucket;
    private final ServerSideEncryption sse;
    private final String sseKmsKeyId;
    private final AtomicBoolean forbiddenLogged = new AtomicBoolean();

    public S3BlobStore(S3Options options) {
        this.bucket = options.bucket();
        this.sse = options.sse();
        this.sseKmsKeyId = options.sseKmsKeyId();
        AwsCredentialsProvider credentials =
                options.accessKey() == null
                        ? DefaultCredentialsProvider.builder().build()
                        : StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        options.accessKey(), options.secretKey()));
        var builder =
                S3Client.builder()
                        .region(Region.of(options.region()))
                        .credentialsProvider(credentials)
                        .forcePathStyle(options.pathStyle())
                        .httpClientBuilder(
                                UrlConnectionHttpClient.builder()
                                        .connectionTimeout(Duration.ofSeconds(5))
                                        .socketTimeout(Duration.ofSeconds(30)));
        if (options.endpoint() != null && !options.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(options.endpoint()));
        }
        this.s3 = builder.build();
    }

    /** The client, for setup code that creates buckets; jobs use {@link #put} and {@link #get}. */
    public S3Client client() {
        return s3;
    }

    @Override
    public String put(
            BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
            throws ProcessingException {
        String key = ContentAddress.key(kind, sha256, extension);
        try {
            // An existing key holds the same bytes by construction, so overwriting is harmless and
            // cheaper than a HEAD round trip for the common case of new content.
            s3.putObject(
                    b -> encrypted(b.bucket(bucket).key(key).contentType(contentType)),
                    RequestBody.fromBytes(bytes));
            return "s3://" + bucket + "/" + key;
        } catch (SdkException | UncheckedIOException e) {
            // The HTTP client reports some broken connections as UncheckedIOException, not as an
            // SdkException; S3Failures tells outages (retryable) from final answers.
            ProcessingException failure = S3Failures.writeFailed(bucket, kind, e);
            if (failure.isRetryable() && !(e instanceof SdkServiceException)) {
                ProcessingException refused = refusal(kind, key);
                if (refused != null) {
                    throw refused;
                }
            }
            throw failure;
        }
    }

    /** Adds the {@code s3.sse} headers. */
    private PutObjectRequest.Builder encrypted(PutObjectRequest.Builder put) {
        switch (sse) {
            case AES256 ->
                    put.serverSideEncryption(
                            software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256);
            case KMS -> {
                put.serverSideEncryption(
                        software.amazon.awssdk.services.s3.model.ServerSideEncryption.AWS_KMS);
                if (sseKmsKeyId != null) {
                    put.ssekmsKeyId(sseKmsKeyId);
                }
            }
            case NONE -> {}
        }
        return put;
    }

    /**
     * A server that refuses a write may close the connection before reading its body: the client
     * then sees a broken connection, not the answer, which would read as an outage and be retried
     * for the whole budget. Asking once more without a body (HEAD of the same key, which the job's
     * credentials may do) tells a refusal (403) from a network failure; null when it is not one.
     */
    private ProcessingException refusal(BlobKind kind, String key) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return null;
        } catch (S3Exception answer) {
            return answer.statusCode() == 403 ? S3Failures.writeFailed(bucket, kind, answer) : null;
        } catch (SdkException | UncheckedIOException stillNoAnswer) {
            return null;
        }
    }

    @Override
    public byte[] get(String uri, long maxBytes) throws ProcessingException {
        S3Uri location = S3Uri.parse(uri);
        GetObjectRequest request =
                GetObjectRequest.builder().bucket(location.bucket()).key(location.key()).build();
        try {
            HeadObjectResponse head =
                    s3.headObject(b -> b.bucket(location.bucket()).key(location.key()));
            if (head.contentLength() != null && head.contentLength() > maxBytes) {
                throw new ProcessingException(
                        ErrorCode.IMAGE_TOO_LARGE,
                        uri + " is " + head.contentLength() + " bytes, the limit is " + maxBytes);
            }
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(request);
            return bytes.asByteArrayUnsafe();
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw notFound(uri);
        } catch (S3Exception e) {
            // Without s3:ListBucket, S3 answers 403 for a missing key too: 403 and 404 read alike,
            // so a user cannot tell an existing object they may not read from a missing one.
            if (e.statusCode() == 404) {
                throw notFound(uri);
            }
            if (e.statusCode() == 403) {
                forbidden(uri, e);
                throw notFound(uri);
            }
            throw S3Failures.readFailed(uri, e);
        } catch (SdkException | UncheckedIOException e) {
            throw S3Failures.readFailed(uri, e);
        }
    }

    /**
     * A HEAD of the object. Only "no such key/bucket" means absent: a refusal (403) says nothing
     * about the object, so it fails instead of letting a caller forget a blob that exists.
     */
    @Override
    public boolean exists(String uri) throws ProcessingException {
        S3Uri location = S3Uri.parse(uri);
        try {
            s3.headObject(b -> b.bucket(location.bucket()).key(location.key()));
            return true;
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw S3Failures.readFailed(uri, e);
        } catch (SdkException | UncheckedIOException e) {
            throw S3Failures.readFailed(uri, e);
        }
    }

    /**
     * Operators learn of refused reads (wrong credentials or policy) from the log, once per store.
     */
    private void forbidden(String uri, S3Exception e) {
        if (!forbiddenLogged.getAndSet(true)) {
            LOG.warn(
                    "S3 refused to read {} ({}); jobs report this as SOURCE_NOT_FOUND. If the object"
                            + " exists, give the source credentials (s3.source.* or s3.*) s3:GetObject on it;"
                            + " further refusals are logged at DEBUG",
                    uri,
                    S3Failures.reason(e));
        } else {
            LOG.debug("S3 refused to read {} ({})", uri, S3Failures.reason(e));
        }
    }

    /** One text for missing and forbidden objects and buckets (see {@link #get}). */
    static ProcessingException notFound(String uri) {
        return new ProcessingException(
                ErrorCode.SOURCE_NOT_FOUND,
                "no object at " + uri + " that this service can read (check bucket and key)");
    }

    @Override
    public void close() {
        s3.close();
    }
}
