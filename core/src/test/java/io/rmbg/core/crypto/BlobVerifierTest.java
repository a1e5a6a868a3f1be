package io.rmbg.core.crypto;

import io.rmbg.core.blob.ContentAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobVerifierTest {
    private static final BlobSealer SEALER = new BlobSealer(BlobSealerTest.newKey(), false);
    private static final BlobVerifier VERIFIER = new BlobVerifier(SEALER);
    private static final byte[] PNG = "\u0089PNG mask".getBytes();

    @Test
    void aPlainBlobMustHashToItsKey() throws Exception {
        String uri = "s3://rmbg/mask/" + ContentAddress.sha256Hex(PNG) + ".png";

        assertThat(VERIFIER.plain(uri, PNG, "alice")).isEqualTo(PNG);
        assertThatThrownBy(() -> VERIFIER.plain(uri, "other".getBytes(), "alice"))
                .isInstanceOf(SealedBlobException.class)
                .hasMessageContaining("is corrupt: its bytes hash to");
    }

    @Test
    void aSealedBlobOpensForItsOwnerOnly() throws Exception {
        String address = SEALER.address("alice", ContentAddress.sha256Hex(PNG));
        String uri = "s3://rmbg/mask/" + address + ".enc";
        byte[] sealed = SEALER.seal(PNG, address);

        assertThat(VERIFIER.plain(uri, sealed, "alice")).isEqualTo(PNG);
        assertThatThrownBy(() -> VERIFIER.plain(uri, sealed, "bob"))
                .isInstanceOf(SealedBlobException.class)
                .hasMessageContaining("does not give its address for user bob");
        sealed[sealed.length - 3] ^= 1;
        assertThatThrownBy(() -> VERIFIER.plain(uri, sealed, "alice"))
                .isInstanceOf(SealedBlobException.class)
                .hasMessageContaining("is corrupt or unreadable");
    }

    @Test
    void aSealedBlobWithoutAKeyAsksForOne() {
        String uri = "s3://rmbg/mask/" + "ab".repeat(32) + ".enc";

        assertThatThrownBy(() -> new BlobVerifier(BlobSealer.OFF).plain(uri, PNG, "alice"))
                .isInstanceOf(SealedBlobException.class)
                .hasMessageContaining("no security.master-key is configured");
    }
}
