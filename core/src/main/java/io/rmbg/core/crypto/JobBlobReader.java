package io.rmbg.core.crypto;

import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

/**
 * Reads a job's blob back for a person or a check: from the store, verified against its address
 * ({@link BlobVerifier}) and, when sealed, decrypted. A missing or corrupt blob is a {@link
 * BrokenBlobException} that tells the user to run {@code bin/rmbg check}; it is never returned as
 * an image.
 */
public final class JobBlobReader {
    private final BlobStore store;
    private final BlobVerifier verifier;

    private final BlobSealer sealer;

    public JobBlobReader(BlobStore store, BlobSealer sealer) {
        this.store = store;
        this.sealer = sealer;
        this.verifier = new BlobVerifier(sealer);
    }

    /** Whether {@code uri} can be verified here: a sealed blob needs the master key. */
    public boolean canVerify(String uri) {
        return !BlobSealer.isSealed(uri) || sealer.hasKey();
    }

    /**
     * The plain bytes of the blob {@code uri}, referenced by a job of {@code owner}.
     *
     * @throws BrokenBlobException when it is missing or corrupt
     * @throws ProcessingException when the store cannot be read (down, refusing)
     * @throws IllegalStateException when the blob is sealed and no master key is configured
     */
    public byte[] read(String uri, String owner) throws BrokenBlobException, ProcessingException {
        if (!canVerify(uri)) {
            throw new IllegalStateException(
                    uri
                            + " is sealed (a sensitive image) and no security.master-key is"
                            + " configured; set RMBG_SECURITY_MASTER_KEY to the job's key");
        }
        byte[] stored;
        try {
            stored = store.get(uri, Long.MAX_VALUE);
        } catch (ProcessingException e) {
            if (e.code() == ErrorCode.SOURCE_NOT_FOUND) {
                throw new BrokenBlobException(
                        BrokenBlobException.Problem.MISSING,
                        uri,
                        uri + " is missing from the store; run bin/rmbg check",
                        e);
            }
            throw e;
        }
        try {
            return verifier.plain(uri, stored, owner);
        } catch (SealedBlobException e) {
            throw new BrokenBlobException(
                    BrokenBlobException.Problem.CORRUPT,
                    uri,
                    uri + " " + e.getMessage() + "; run bin/rmbg check",
                    e);
        }
    }
}
