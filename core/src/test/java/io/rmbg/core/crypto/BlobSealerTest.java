package io.rmbg.core.crypto;

import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.records.ImageParams;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobSealerTest {
    private static final BlobSealer SEALER = new BlobSealer(newKey(), false);
    private static final byte[] PLAIN = "\u0089PNG pretend image bytes".getBytes();

    @Test
    void sealedBytesOpenToTheExactPlainBytes() throws Exception {
        String address = SEALER.address("alice", ContentAddress.sha256Hex(PLAIN));
        byte[] sealed = SEALER.seal(PLAIN, address);

        assertThat(sealed).hasSize(BlobSealer.HEADER_BYTES + PLAIN.length + 16);
        assertThat(new String(sealed)).doesNotContain("PNG pretend");
        assertThat(SEALER.open(sealed, address)).isEqualTo(PLAIN);
        assertThat(SEALER.seal(PLAIN, address))
                .as("a fresh data key and IV per blob")
                .isNotEqualTo(sealed);
    }

    @Test
    void aChangedByteAnywhereFailsToOpen() {
        String address = SEALER.address("alice", ContentAddress.sha256Hex(PLAIN));
        byte[] sealed = SEALER.seal(PLAIN, address);
        for (int at :
                new int[] {
                    BlobSealer.HEADER_BYTES - 1, BlobSealer.HEADER_BYTES, sealed.length - 1
                }) {
            byte[] tampered = sealed.clone();
            tampered[at] ^= 1;
            assertThatThrownBy(() -> SEALER.open(tampered, address))
                    .as("byte %d flipped", at)
                    .isInstanceOf(SealedBlobException.class)
                    .hasMessageContaining("does not authenticate");
        }
        byte[] wrappedKeyFlipped = sealed.clone();
        wrappedKeyFlipped[14] ^= 1;
        assertThatThrownBy(() -> SEALER.open(wrappedKeyFlipped, address))
                .isInstanceOf(SealedBlobException.class)
                .hasMessageContaining("header was altered");
        byte[] truncated = java.util.Arrays.copyOf(sealed, 20);
        assertThatThrownBy(() -> SEALER.open(truncated, address))
                .isInstanceOf(SealedBlobException.class)
                .hasMessageContaining("not a sealed blob");
    }

    @Test
    void aBlobMovedToAnotherAddressFailsToOpen() {
        String address = SEALER.address("alice", ContentAddress.sha256Hex(PLAIN));
        byte[] sealed = SEALER.seal(PLAIN, address);
        String other = SEALER.address("bob", ContentAddress.sha256Hex(PLAIN));

        assertThatThrownBy(() -> SEALER.open(sealed, other))
                .isInstanceOf(SealedBlobException.class)
                .hasMessageContaining("moved from another address");
    }

    @Test
    void anotherMasterKeyIsNamedAsSuch() {
        String address = SEALER.address("alice", ContentAddress.sha256Hex(PLAIN));
        byte[] sealed = SEALER.seal(PLAIN, address);
        BlobSealer other = new BlobSealer(newKey(), false);

        assertThatThrownBy(() -> other.open(sealed, address))
                .isInstanceOf(SealedBlobException.class)
                .hasMessageContaining("sealed with master key")
                .hasMessageContaining("configure the key the job used");
    }

    @Test
    void addressesDifferPerUserAndPerKeyButStayStableForOneUser() {
        String sha = ContentAddress.sha256Hex(PLAIN);

        assertThat(SEALER.address("alice", sha)).isEqualTo(SEALER.address("alice", sha));
        assertThat(SEALER.address("alice", sha))
                .isNotEqualTo(SEALER.address("bob", sha))
                .isNotEqualTo(sha)
                .isNotEqualTo(new BlobSealer(newKey(), false).address("alice", sha))
                .matches("[0-9a-f]{64}");
        // user_id is length-prefixed: ("ab", …) and ("a", "b…") cannot collide by concatenation.
        assertThat(SEALER.address("ab", sha)).isNotEqualTo(SEALER.address("a", sha));
    }

    @Test
    void sensitiveOrEncryptAllDecidesWhatIsSealed() {
        ImageParams sensitive = new ImageParams(null, null, null, false, true, true);

        assertThat(SEALER.seals(ImageParams.DEFAULTS)).isFalse();
        assertThat(SEALER.seals(sensitive)).isTrue();
        assertThat(new BlobSealer(newKey(), true).seals(ImageParams.DEFAULTS)).isTrue();
        assertThatThrownBy(() -> new BlobSealer(null, true))
                .hasMessageContaining("security.encrypt-all needs security.master-key");
    }

    @Test
    void masterKeysMustBe32BytesOfBase64AndAreNeverPrinted() {
        String text = Base64.getEncoder().encodeToString(new byte[32]);

        assertThat(MasterKey.fromBase64(text).toString())
                .startsWith("MasterKey[id=")
                .doesNotContain(text);
        assertThatThrownBy(() -> MasterKey.fromBase64("c2hvcnQ="))
                .hasMessageContaining("must be 32 bytes")
                .hasMessageContaining("openssl rand -base64 32");
        assertThatThrownBy(() -> MasterKey.fromBase64("not base64!"))
                .hasMessageContaining("not valid base64");
    }

    static MasterKey newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return MasterKey.fromBase64(Base64.getEncoder().encodeToString(key));
    }
}
