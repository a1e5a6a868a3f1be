package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.crypto.MasterKey;

import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code security.*}: encryption at rest of sensitive images, read into core's {@link BlobSealer}.
 * The master key is a secret: give it as {@code RMBG_SECURITY_MASTER_KEY}, not in a file.
 */
final class SecurityOptions {
    static final ConfigOption<String> MASTER_KEY =
            key(ConfigKeys.SECURITY_MASTER_KEY)
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "base64 of 32 random bytes (openssl rand -base64 32) that wraps the"
                                    + " data keys of sensitive blobs; empty: sensitive images fail");
    static final ConfigOption<Boolean> ENCRYPT_ALL =
            key(ConfigKeys.SECURITY_ENCRYPT_ALL)
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("treat every image as sensitive (turns result reuse off)");

    static final List<ConfigOption<?>> OPTIONS = List.of(MASTER_KEY, ENCRYPT_ALL);

    private SecurityOptions() {}

    static BlobSealer from(SettingValues values) {
        String key = values.get(MASTER_KEY);
        return new BlobSealer(
                key.isBlank() ? null : MasterKey.fromBase64(key), values.get(ENCRYPT_ALL));
    }
}
