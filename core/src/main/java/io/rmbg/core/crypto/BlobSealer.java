package io.rmbg.core.crypto;

import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Encryption at rest of sensitive blobs (envelope encryption with the JDK's AES): each blob gets a
 * fresh random AES-256 data key, the bytes are encrypted with AES-256-GCM under it, and the data
 * key is wrapped with AES Key Wrap (RFC 3394) under a key derived from the {@link MasterKey}. The
 * stored blob is a versioned header followed by the ciphertext and its 16-byte tag:
 *
 * <pre>
 *   "RMBS" | version 1 (1 byte) | master key id (8) | wrapped data key (40) | GCM IV (12) | ciphertext+tag
 * </pre>
 *
 * The header and the blob's address are the GCM associated data, so a blob copied to another
 * address, or a header edited, fails to open. Addresses of sealed blobs are {@code
 * HMAC-SHA256(address key, user_id, SHA-256 of the plain bytes)}: stable for one user (writes stay
 * idempotent) but unrelated across users, so keys do not reveal that two users stored the same
 * image. Thread-safe.
 *
 * <pre>{@code
 * BlobSealer sealer = new BlobSealer(MasterKey.fromBase64(key), false);
 * String address = sealer.address("alice", ContentAddress.sha256Hex(png));
 * byte[] stored = sealer.seal(png, address);
 * byte[] back = sealer.open(stored, address);
 * }</pre>
 */
public final class BlobSealer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The extension of every sealed blob: {@code <kind>/<address>.enc}. */
    public static final String EXTENSION = "enc";

    /**
     * No master key: nothing may be sealed, and a sensitive image fails instead of being stored.
     */
    public static final BlobSealer OFF = new BlobSealer(null, false);

    /** Marks an {@code image_base64} sealed by {@link #sealInline}. */
    public static final String SEALED_INLINE = "rmbg-sealed:";

    static final byte[] MAGIC = "RMBS".getBytes(StandardCharsets.US_ASCII);
    static final byte VERSION = 1;
    static final int KEY_ID_BYTES = 8;
    static final int WRAPPED_BYTES = 40;
    static final int IV_BYTES = 12;
    static final int TAG_BITS = 128;
    static final int HEADER_BYTES = MAGIC.length + 1 + KEY_ID_BYTES + WRAPPED_BYTES + IV_BYTES;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final MasterKey master;
    private final boolean encryptAll;

    /**
     * @param master the master key, or {@code null} when the deployment has none
     * @param encryptAll whether every image is sensitive ({@code security.encrypt-all})
     */
    public BlobSealer(MasterKey master, boolean encryptAll) {
        if (encryptAll && master == null) {
            throw new IllegalArgumentException(
                    "security.encrypt-all needs security.master-key (or RMBG_SECURITY_MASTER_KEY):"
                            + " make one with: openssl rand -base64 32");
        }
        this.master = master;
        this.encryptAll = encryptAll;
    }

    /** Whether a job with {@code params} stores its blobs sealed. */
    public boolean seals(ImageParams params) {
        return encryptAll || params.sensitive();
    }

    /** Whether every job's blobs are sealed ({@code security.encrypt-all}). */
    public boolean sealsAll() {
        return encryptAll;
    }

    /** Whether a master key is configured (sealed blobs can be written and read). */
    public boolean hasKey() {
        return master != null;
    }

    /** Whether {@code uriOrKey} names a sealed blob (by its extension). */
    public static boolean isSealed(String uriOrKey) {
        return uriOrKey.endsWith("." + EXTENSION);
    }

    /**
     * The address (lowercase hex) of {@code user}'s blob whose plain bytes hash to {@code sha256}.
     */
    public String address(String user, String sha256) {
        byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
        byte[] userLength = ByteBuffer.allocate(4).putInt(userBytes.length).array();
        byte[] mac =
                MasterKey.hmac(
                        key().addressKey(), userLength, userBytes, HexFormat.of().parseHex(sha256));
        return HexFormat.of().formatHex(mac);
    }

    /** Encrypts {@code plain} for storage at {@code address}. */
    public byte[] seal(byte[] plain, String address) {
        MasterKey key = key();
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, RANDOM);
            SecretKey dataKey = generator.generateKey();
            Cipher wrap = Cipher.getInstance("AESWrap");
            wrap.init(Cipher.WRAP_MODE, key.wrapKey());
            byte[] wrapped = wrap.wrap(dataKey);
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);

            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            header.put(MAGIC).put(VERSION).put(key.keyId()).put(wrapped).put(iv);

            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(TAG_BITS, iv));
            gcm.updateAAD(header.array());
            gcm.updateAAD(address.getBytes(StandardCharsets.US_ASCII));
            byte[] out = new byte[HEADER_BYTES + gcm.getOutputSize(plain.length)];
            System.arraycopy(header.array(), 0, out, 0, HEADER_BYTES);
            gcm.doFinal(plain, 0, plain.length, out, HEADER_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's AES-GCM and AESWrap must be available", e);
        }
    }

    /**
     * Decrypts and authenticates a blob stored at {@code address}.
     *
     * @throws SealedBlobException when it is not a sealed blob of a known version, was sealed with
     *     another master key, or was altered (header, ciphertext or address)
     */
    public byte[] open(byte[] sealed, String address) throws SealedBlobException {
        MasterKey key = key();
        if (sealed.length < HEADER_BYTES + TAG_BITS / 8
                || !Arrays.equals(sealed, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SealedBlobException(
                    "not a sealed blob (no RMBS header, or shorter than one): it was damaged or"
                            + " replaced");
        }
        if (sealed[MAGIC.length] != VERSION) {
            throw new SealedBlobException(
                    "sealed with format version "
                            + sealed[MAGIC.length]
                            + ", this version reads "
                            + VERSION
                            + "; use a newer rmbg");
        }
        int at = MAGIC.length + 1;
        byte[] keyId = Arrays.copyOfRange(sealed, at, at + KEY_ID_BYTES);
        if (!Arrays.equals(keyId, key.keyId())) {
            throw new SealedBlobException(
                    "sealed with master key "
                            + HexFormat.of().formatHex(keyId)
                            + ", but the configured security.master-key is "
                            + key.keyIdHex()
                            + "; configure the key the job used");
        }
        at += KEY_ID_BYTES;
        byte[] wrapped = Arrays.copyOfRange(sealed, at, at + WRAPPED_BYTES);
        at += WRAPPED_BYTES;
        byte[] iv = Arrays.copyOfRange(sealed, at, at + IV_BYTES);
        try {
            Cipher unwrap = Cipher.getInstance("AESWrap");
            unwrap.init(Cipher.UNWRAP_MODE, key.wrapKey());
            SecretKey dataKey = (SecretKey) unwrap.unwrap(wrapped, "AES", Cipher.SECRET_KEY);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(
                    Cipher.DECRYPT_MODE,
                    new SecretKeySpec(dataKey.getEncoded(), "AES"),
                    new GCMParameterSpec(TAG_BITS, iv));
            gcm.updateAAD(sealed, 0, HEADER_BYTES);
            gcm.updateAAD(address.getBytes(StandardCharsets.US_ASCII));
            return gcm.doFinal(sealed, HEADER_BYTES, sealed.length - HEADER_BYTES);
        } catch (InvalidKeyException e) {
            throw new SealedBlobException(
                    "the wrapped data key does not unwrap under the configured master key: the"
                            + " header was altered",
                    e);
        } catch (AEADBadTagException e) {
            throw new SealedBlobException(
                    "does not authenticate (AES-GCM tag mismatch): the blob was altered, truncated"
                            + " or moved from another address",
                    e);
        } catch (GeneralSecurityException e) {
            throw new SealedBlobException("cannot be decrypted: " + e.getMessage(), e);
        }
    }

    /**
     * {@code event} with its inline image sealed, so that it does not sit in checkpoints (the
     * asynchronous operator's in-flight queue) or dead letters in the clear: {@code image_base64}
     * becomes {@value #SEALED_INLINE} + base64 of the sealed bytes, bound to the job id. Returns
     * {@code event} itself when it has no inline image, is not sensitive, there is no master key,
     * or the text is not base64 (the job then fails on it as before).
     */
    public ImageEvent sealInline(ImageEvent event) {
        String inline = event.imageBase64();
        if (inline == null || master == null || !seals(event.params()) || isSealedInline(inline)) {
            return event;
        }
        byte[] plain;
        try {
            plain = Base64.getDecoder().decode(inline);
        } catch (IllegalArgumentException notBase64) {
            return event;
        }
        String sealed =
                SEALED_INLINE
                        + Base64.getEncoder().encodeToString(seal(plain, inlineAddress(event)));
        return new ImageEvent(
                event.jobId(),
                event.userId(),
                event.imageUri(),
                sealed,
                event.params(),
                event.paramsJson(),
                event.tags(),
                event.createdAtMillis(),
                event.receivedAtMillis(),
                event.sourcePosition());
    }

    /** Whether an event's {@code image_base64} was sealed by {@link #sealInline}. */
    public static boolean isSealedInline(String imageBase64) {
        return imageBase64 != null && imageBase64.startsWith(SEALED_INLINE);
    }

    /**
     * The plain bytes of an inline image sealed by {@link #sealInline}.
     *
     * @throws SealedBlobException when it does not open (another master key after a restore, or
     *     altered)
     */
    public byte[] openInline(ImageEvent event) throws SealedBlobException {
        byte[] sealed;
        try {
            sealed =
                    Base64.getDecoder()
                            .decode(event.imageBase64().substring(SEALED_INLINE.length()));
        } catch (IllegalArgumentException e) {
            throw new SealedBlobException("the sealed inline image is not base64", e);
        }
        if (master == null) {
            throw new SealedBlobException(
                    "the inline image was sealed but no security.master-key is configured now");
        }
        return open(sealed, inlineAddress(event));
    }

    private static String inlineAddress(ImageEvent event) {
        return "inline:" + event.jobId();
    }

    private MasterKey key() {
        if (master == null) {
            throw new IllegalStateException(
                    "no security.master-key is configured: sensitive images cannot be sealed or"
                            + " read; set security.master-key (or RMBG_SECURITY_MASTER_KEY) to the"
                            + " deployment's key");
        }
        return master;
    }

    @Override
    public String toString() {
        return "BlobSealer[key="
                + (master == null ? "none" : master)
                + ", encryptAll="
                + encryptAll
                + "]";
    }
}
