package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Turns what the AWS SDK throws into a job failure that says whether trying again can help: a store
 * that is down, overloaded or throttling (HTTP 5xx, 408, 429, {@code SlowDown}) or that could not
 * be reached (connection refused, reset, timed out) is <i>transient</i>; every other answer (403
 * access denied, 400 bad request, …) is final and fails the job at once.
 */
final class S3Failures {
    /** Error codes S3 and S3-compatible servers use for "slow down, try later". */
    private static final Set<String> THROTTLING_CODES =
            Set.of(
                    "SlowDown",
                    "Throttling",
                    "ThrottlingException",
                    "RequestLimitExceeded",
                    "TooManyRequests",
                    "RequestTimeout",
                    "ServiceUnavailable",
                    "InternalError");

    private S3Failures() {}

    /** Whether the same request may succeed later. */
    static boolean isTransient(RuntimeException e) {
        if (e instanceof UncheckedIOException) {
            return true; // the HTTP client's broken connections
        }
        if (e instanceof SdkServiceException service) {
            int status = service.statusCode();
            // 501 Not Implemented is an answer, not an outage: the store lacks a feature the
            // request
            // asks for (s3proxy and SSE headers) and will lack it next time too.
            return (status >= 500 && status != 501)
                    || status == 408
                    || status == 429
                    || service.isThrottlingException()
                    || THROTTLING_CODES.contains(errorCode(service));
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return true;
        }
        // No answer from the server: retry when the cause is the network, not when the request
        // could not be made at all (no credentials, a malformed endpoint).
        return e instanceof SdkClientException && causedByIo(e);
    }

    /** A failed read of {@code uri}: {@code SOURCE_UNREADABLE}, retryable when transient. */
    static ProcessingException readFailed(String uri, RuntimeException e) {
        if (isTransient(e)) {
            return ProcessingException.retryable(
                    ErrorCode.SOURCE_UNREADABLE, "could not read " + uri + ": " + reason(e), e);
        }
        String advice =
                status(e) == 403
                        ? "; the job's S3 credentials may not read it (check s3.access-key and the bucket policy)"
                        : "";
        return new ProcessingException(
                ErrorCode.SOURCE_UNREADABLE,
                "could not read " + uri + ": " + reason(e) + advice,
                e);
    }

    /** A failed write to {@code bucket}: {@code STORAGE}, retryable when transient. */
    static ProcessingException writeFailed(String bucket, BlobKind kind, RuntimeException e) {
        String message =
                "could not store " + kind.prefix() + " blob in bucket " + bucket + ": " + reason(e);
        if (isTransient(e)) {
            return ProcessingException.retryable(ErrorCode.STORAGE, message, e);
        }
        String advice =
                switch (status(e)) {
                    case 403 ->
                            "; the job's S3 credentials may not write there (check s3.access-key and the bucket"
                                    + " policy)";
                    case 404 -> "; create the bucket or set s3.bucket";
                    case 501 ->
                            "; the store does not implement this request (with s3.sse set: it has no"
                                    + " server-side encryption; set s3.sse=none)";
                    default -> "";
                };
        return new ProcessingException(ErrorCode.STORAGE, message + advice, e);
    }

    static String reason(RuntimeException e) {
        if (e instanceof S3Exception s3e
                && s3e.awsErrorDetails() != null
                && s3e.awsErrorDetails().errorCode() != null) {
            return s3e.awsErrorDetails().errorCode() + " (HTTP " + s3e.statusCode() + ")";
        }
        if (e instanceof SdkServiceException service) {
            return "HTTP " + service.statusCode();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static int status(RuntimeException e) {
        return e instanceof SdkServiceException service ? service.statusCode() : 0;
    }

    private static String errorCode(SdkServiceException e) {
        return e instanceof S3Exception s3e
                        && s3e.awsErrorDetails() != null
                        && s3e.awsErrorDetails().errorCode() != null
                ? s3e.awsErrorDetails().errorCode()
                : "";
    }

    private static boolean causedByIo(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }
}
