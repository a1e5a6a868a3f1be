package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

/** An {@code s3://bucket/key} reference. */
public record S3Uri(String bucket, String key) {

    public static S3Uri parse(String uri) throws ProcessingException {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new ProcessingException(ErrorCode.INVALID_EVENT, "not an s3:// URI: " + uri);
        }
        int slash = uri.indexOf('/', 5);
        if (slash <= 5 || slash == uri.length() - 1) {
            throw new ProcessingException(
                    ErrorCode.INVALID_EVENT, "an s3 URI needs a bucket and a key: " + uri);
        }
        return new S3Uri(uri.substring(5, slash), uri.substring(slash + 1));
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
