package io.rmbg.job.functions;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.SourceRecord;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sensitive event's inline image leaves the parser sealed, so the asynchronous operator's
 * checkpointed queue never holds it in the clear; other events pass as they came.
 */
class SealInlineOnParseTest {
    private static final String IMAGE =
            Base64.getEncoder().encodeToString("pixels".getBytes(UTF_8));

    @Test
    void sensitiveInlineImagesAreSealedAndOthersNot() throws Exception {
        PipelineConfig config =
                PipelineConfig.builder()
                        .set(
                                ConfigKeys.SECURITY_MASTER_KEY,
                                Base64.getEncoder().encodeToString(new byte[32]))
                        .build();
        List<ImageEvent> events =
                parse(
                        config,
                        event(
                                "6f1c1a3e-2f59-4a8b-9d57-3c1e0b6a1f01",
                                ",\"params\":{\"sensitive\":true}"),
                        event("6f1c1a3e-2f59-4a8b-9d57-3c1e0b6a1f02", ""));

        assertThat(events.get(0).imageBase64())
                .startsWith(BlobSealer.SEALED_INLINE)
                .doesNotContain(IMAGE);
        assertThat(config.sealer().openInline(events.get(0))).isEqualTo("pixels".getBytes(UTF_8));
        assertThat(events.get(1).imageBase64()).isEqualTo(IMAGE);
    }

    private static String event(String jobId, String extra) {
        return "{\"job_id\":\""
                + jobId
                + "\",\"user_id\":\"u1\",\"image_base64\":\""
                + IMAGE
                + "\""
                + extra
                + "}";
    }

    private static List<ImageEvent> parse(PipelineConfig config, String... values)
            throws Exception {
        try (var harness =
                new OneInputStreamOperatorTestHarness<SourceRecord, ParseOutcome.Named>(
                        new ProcessOperator<>(
                                new ParseImageEventFunction(
                                        config.imageLimits(),
                                        config.sourcePolicy(),
                                        config.sealer())))) {
            harness.setup(
                    TypeInformation.of(ParseOutcome.Named.class)
                            .createSerializer(harness.getExecutionConfig().getSerializerConfig()));
            harness.open();
            long offset = 0;
            for (String value : values) {
                harness.processElement(
                        new StreamRecord<>(
                                new SourceRecord(
                                        "image-events", 0, offset++, 1_000L, value.getBytes(UTF_8)),
                                1_000L));
            }
            return harness.extractOutputValues().stream()
                    .map(o -> ((ParseOutcome.Accepted) o).event())
                    .toList();
        }
    }
}
