package io.rmbg.core.blob;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourcePolicyTest {
    private static final SourcePolicy PER_USER = SourcePolicy.parse("rmbg/uploads/${user_id}/");
    private static final SourcePolicy MIXED =
            SourcePolicy.parse(" rmbg/uploads/${user_id}/ , shared-assets/public/,whole-bucket ");

    @Test
    void aUserReadsTheirOwnFolderOnly() {
        assertThat(PER_USER.allows("rmbg", "uploads/u1/cat.jpg", "u1")).isTrue();
        assertThat(PER_USER.allows("rmbg", "uploads/u1/deep/er/cat.jpg", "u1")).isTrue();
        assertThat(PER_USER.allows("rmbg", "uploads/u1/cat.jpg", "u2")).isFalse();
        assertThat(PER_USER.allows("rmbg", "uploads/u10/cat.jpg", "u1"))
                .as("u1 is not a prefix of u10")
                .isFalse();
        assertThat(PER_USER.allows("rmbg", "uploads/cat.jpg", "u1")).isFalse();
        assertThat(PER_USER.allows("rmbg", "processed/abc.png", "u1")).isFalse();
        assertThat(PER_USER.allows("rmbg-checkpoints", "uploads/u1/cat.jpg", "u1")).isFalse();
        assertThat(PER_USER.allows("other", "uploads/u1/cat.jpg", "u1")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "u1/../u2",
                "u1/x",
                "..",
                ".",
                "a\\b",
                "tab\there",
                "new\nline",
                "del\u007f"
            })
    void userIdsThatCouldSpanOrEscapeAFolderMatchNoPerUserEntry(String userId) {
        // "u1/x" would otherwise reach uploads/u1/x/…, inside user u1's folder.
        assertThat(PER_USER.allows("rmbg", "uploads/" + userId + "/cat.jpg", userId)).isFalse();
        assertThat(PER_USER.allows("rmbg", "uploads/u1/x/cat.jpg", userId)).isFalse();
        assertThat(PER_USER.locationsFor(userId)).isEmpty();
        assertThat(PER_USER.excludesUser(userId)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "u*", "%2F", "${user_id}", "ünïcode", "a b", "?", "..."})
    void wildcardLookingUserIdsAreLiteral(String userId) {
        assertThat(PER_USER.allows("rmbg", "uploads/" + userId + "/cat.jpg", userId)).isTrue();
        assertThat(PER_USER.allows("rmbg", "uploads/u1/cat.jpg", userId)).isFalse();
        assertThat(PER_USER.allows("rmbg", "uploads/" + userId + "x/cat.jpg", userId)).isFalse();
    }

    @Test
    void fixedEntriesApplyToEveryUser() {
        assertThat(MIXED.allows("shared-assets", "public/logo.png", "u/with/slash")).isTrue();
        assertThat(MIXED.allows("shared-assets", "private/logo.png", "u1")).isFalse();
        assertThat(MIXED.allows("whole-bucket", "any/key.png", "u1")).isTrue();
        assertThat(MIXED.locationsFor("u1"))
                .containsExactly(
                        "s3://rmbg/uploads/u1/",
                        "s3://shared-assets/public/",
                        "s3://whole-bucket/");
        assertThat(MIXED.locationsFor("a/b"))
                .containsExactly("s3://shared-assets/public/", "s3://whole-bucket/");
    }

    @Test
    void aBlankListAllowsNoUri() {
        SourcePolicy none = SourcePolicy.parse(" , ");
        assertThat(none.entries()).isEmpty();
        assertThat(none.allows("rmbg", "uploads/u1/cat.jpg", "u1")).isFalse();
        assertThat(none.locationsFor("u1")).isEmpty();
    }

    @Test
    void entriesKeepTheirParts() {
        assertThat(MIXED.entries())
                .extracting(SourcePolicy.Entry::bucket)
                .containsExactly("rmbg", "shared-assets", "whole-bucket");
        assertThat(MIXED.entries().get(0).fixedPrefix()).isEqualTo("uploads/");
        assertThat(MIXED.entries().get(2).prefix()).isEmpty();
        assertThat(MIXED)
                .hasToString("rmbg/uploads/${user_id}/,shared-assets/public/,whole-bucket/");
    }

    @Test
    void badEntriesAreRefusedWithWhatToWrite() {
        assertThatThrownBy(() -> SourcePolicy.parse("rmbg/uploads/${user_id}"))
                .hasMessageContaining("must be followed by '/'");
        assertThatThrownBy(() -> SourcePolicy.parse("rmbg/uploads/${user_id}x/"))
                .hasMessageContaining("must be followed by '/'");
        assertThatThrownBy(() -> SourcePolicy.parse("rmbg/uploads/${user}/"))
                .hasMessageContaining("placeholder");
        assertThatThrownBy(() -> SourcePolicy.parse("Rmbg/uploads/"))
                .hasMessageContaining("bucket name");
        assertThatThrownBy(() -> SourcePolicy.parse("s3://rmbg/uploads/"))
                .hasMessageContaining("bucket name");
        assertThatThrownBy(() -> SourcePolicy.parse("rmbg/uploads/../"))
                .hasMessageContaining("'..'");
        assertThatThrownBy(() -> SourcePolicy.parse("rmbg//uploads/"))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> SourcePolicy.parse("rmbg/a\\b/")).hasMessageContaining("'\\'");
    }
}
