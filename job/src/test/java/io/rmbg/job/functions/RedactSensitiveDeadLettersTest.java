package io.rmbg.job.functions;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.SourceRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Sensitive inline images never reach the dead-letter topic; every other value passes as it is. */
class RedactSensitiveDeadLettersTest {
    private static final String SENSITIVE =
            "{\"job_id\":\"x\",\"image_base64\":\"iVBORw0KGgo=\",\"params\":{\"sensitive\":true}}";
    private static final String PLAIN = "{\"job_id\":\"x\",\"image_base64\":\"iVBORw0KGgo=\"}";

    @Test
    void aSensitiveInlineImageIsDroppedAndMarked() {
        DeadLetter out = new RedactSensitiveDeadLetters(false).map(letter(SENSITIVE));

        String value = new String(out.source().value(), StandardCharsets.UTF_8);
        assertThat(value)
                .doesNotContain("iVBORw0KGgo")
                .contains("\"image_base64_redacted\":true")
                .contains("\"job_id\":\"x\"")
                .contains("\"sensitive\":true");
        assertThat(out.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(out.source().offset()).isEqualTo(7);
    }

    @Test
    void plainImagesAndNonJsonValuesPassUnchangedUnlessEveryImageIsSensitive() {
        DeadLetter plain = letter(PLAIN);
        DeadLetter garbage = letter("not json \u0000");

        assertThat(new RedactSensitiveDeadLetters(false).map(plain)).isSameAs(plain);
        assertThat(new RedactSensitiveDeadLetters(true).map(garbage)).isSameAs(garbage);
        assertThat(
                        new String(
                                new RedactSensitiveDeadLetters(true).map(plain).source().value(),
                                StandardCharsets.UTF_8))
                .doesNotContain("iVBORw0KGgo")
                .contains("image_base64_redacted");
    }

    private static DeadLetter letter(String value) {
        return new DeadLetter(
                new SourceRecord("image-events", 0, 7, 1L, value.getBytes(StandardCharsets.UTF_8)),
                ErrorCode.INVALID_EVENT,
                "user_id is missing");
    }
}
