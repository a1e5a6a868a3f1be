package io.rmbg.core.crypto;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The deployment's master key ({@code security.master-key}: 32 random bytes, base64) and the keys
 * derived from it, each for one purpose so that no key is used twice: one wraps data keys, one
 * makes blob addresses, one names the key in sealed headers. Derivation is HMAC-SHA256 of the
 * master key over a fixed label (HKDF-Expand with one block). {@link #toString()} never prints key
 * material.
 */
public final class MasterKey implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int BYTES = 32;

    private final byte[] wrapKey;
    private final byte[] addressKey;
    private final byte[] keyId;

    private MasterKey(byte[] master) {
        this.wrapKey = derive(master, "rmbg blob wrap v1");
        this.addressKey = derive(master, "rmbg blob address v1");
        this.keyId = Arrays.copyOf(derive(master, "rmbg key id v1"), 8);
    }

    /**
     * Parses {@code base64} (standard alphabet) into a master key.
     *
     * @throws IllegalArgumentException naming what is wrong, never the value
     */
    public static MasterKey fromBase64(String base64) {
        byte[] master;
        try {
            master = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "security.master-key is not valid base64; make one with: openssl rand -base64 32");
        }
        if (master.length != BYTES) {
            throw new IllegalArgumentException(
                    "security.master-key must be 32 bytes (base64 of 32 random bytes), got "
                            + master.length
                            + " bytes; make one with: openssl rand -base64 32");
        }
        return new MasterKey(master);
    }

    SecretKeySpec wrapKey() {
        return new SecretKeySpec(wrapKey, "AES");
    }

    byte[] addressKey() {
        return addressKey.clone();
    }

    /** 8 bytes that name this key in sealed headers, so a wrong key reads as such. */
    byte[] keyId() {
        return keyId.clone();
    }

    /** The key id as hex, for messages. */
    public String keyIdHex() {
        return HexFormat.of().formatHex(keyId);
    }

    static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static byte[] derive(byte[] master, String label) {
        return hmac(master, label.getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }

    @Override
    public String toString() {
        return "MasterKey[id=" + keyIdHex() + "]";
    }
}
