package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.SourcePolicy;

import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code source.allowed}: the {@code bucket/prefix} entries an {@code image_uri} must fall in, with
 * {@code ${s3.bucket}} standing for the results bucket.
 */
final class SourceSettings {
    private SourceSettings() {}

    /** Each user reads only their own folder of the results bucket's uploads/ area. */
    static final ConfigOption<String> ALLOWED =
            key(ConfigKeys.SOURCE_ALLOWED)
                    .stringType()
                    .defaultValue(ConfigKeys.RESULTS_BUCKET_PLACEHOLDER + "/uploads/${user_id}/")
                    .withDescription(
                            "comma-separated bucket/prefix entries an image_uri must lie in;"
                                    + " empty: inline images only");

    static final List<ConfigOption<?>> OPTIONS = List.of(ALLOWED);

    /** The policy, with {@code ${s3.bucket}} filled in; no entry may reach the job's results. */
    static SourcePolicy policy(SettingValues values, String resultsBucket) {
        String spec =
                values.get(ALLOWED).replace(ConfigKeys.RESULTS_BUCKET_PLACEHOLDER, resultsBucket);
        SourcePolicy policy;
        try {
            policy = SourcePolicy.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    ConfigKeys.SOURCE_ALLOWED + ": " + e.getMessage(), e);
        }
        for (SourcePolicy.Entry entry : policy.entries()) {
            if (entry.bucket().equals(resultsBucket)) {
                checkOutsideResults(entry, resultsBucket);
            }
        }
        return policy;
    }

    private static void checkOutsideResults(SourcePolicy.Entry entry, String bucket) {
        for (BlobKind kind : BlobKind.values()) {
            String area = kind.prefix() + "/";
            String fixed = entry.fixedPrefix();
            if (area.startsWith(fixed) || fixed.startsWith(area)) {
                // Results are content-addressed, not per user: reading them would cross users.
                throw new IllegalArgumentException(
                        ConfigKeys.SOURCE_ALLOWED
                                + " entry '"
                                + entry
                                + "' reaches the job's "
                                + area
                                + " results in bucket "
                                + bucket
                                + "; allow an upload area instead, such as "
                                + bucket
                                + "/uploads/${user_id}/");
            }
        }
    }
}
