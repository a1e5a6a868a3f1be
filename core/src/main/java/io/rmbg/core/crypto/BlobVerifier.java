package io.rmbg.core.crypto;

import io.rmbg.core.blob.ContentAddress;

/**
 * Checks a blob read back from the store against its address before anyone trusts it: a plain blob
 * must hash to the SHA-256 in its key (docs/contracts.md §4); a sealed blob must open
 * (authenticate) under the master key, and its plain bytes must give its address for the owner.
 * Every reader of job blobs ({@code bin/rmbg fetch}, {@code bin/rmbg check}, the results service)
 * goes through here, so a corrupt blob is never served as an image.
 */
public final class BlobVerifier {
    private final BlobSealer sealer;

    public BlobVerifier(BlobSealer sealer) {
        this.sealer = sealer;
    }

    /**
     * The plain bytes of the blob {@code uri} names, whose stored bytes are {@code stored}.
     *
     * @param owner the user_id of the job that references the blob (sealed addresses depend on it)
     * @throws SealedBlobException when the bytes do not match the address, or do not authenticate
     */
    public byte[] plain(String uri, byte[] stored, String owner) throws SealedBlobException {
        String address = address(uri);
        if (!BlobSealer.isSealed(uri)) {
            String sha = ContentAddress.sha256Hex(stored);
            if (!sha.equals(address)) {
                throw new SealedBlobException(
                        "is corrupt: its bytes hash to " + sha + ", not to its key " + address);
            }
            return stored;
        }
        if (!sealer.hasKey()) {
            throw new SealedBlobException(
                    "is sealed (sensitive image) and no security.master-key is configured; set"
                            + " security.master-key (or RMBG_SECURITY_MASTER_KEY) to the job's key");
        }
        byte[] plain;
        try {
            plain = sealer.open(stored, address);
        } catch (SealedBlobException e) {
            throw new SealedBlobException("is corrupt or unreadable: " + e.getMessage(), e);
        }
        String expected = sealer.address(owner, ContentAddress.sha256Hex(plain));
        if (!expected.equals(address)) {
            throw new SealedBlobException(
                    "is corrupt: it decrypts, but its content does not give its address for user "
                            + owner);
        }
        return plain;
    }

    /** The hex address in {@code <kind>/<address>.<ext>}. */
    public static String address(String uri) {
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
