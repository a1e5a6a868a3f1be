package io.rmbg.core.event;

import io.rmbg.core.blob.SourcePolicy;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.SourceRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

class ImageEventParserTest {
    private static final String JOB_ID = "6f1c1a3e-2f59-4a8b-9d57-3c1e0b6a1f00";
    private static final long KAFKA_TIME = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    private static final long NOW = KAFKA_TIME + 5;

    /** The buckets the fixtures name, plus one per-user folder. */
    private static final SourcePolicy SOURCES =
            SourcePolicy.parse("photos/,bucket/,rmbg/uploads/${user_id}/");

    private final ImageEventParser parser =
            new ImageEventParser(new ImageLimits(50_000_000, 1 << 20, 300), SOURCES);

    private static SourceRecord record(String json) {
        return record(json.getBytes(UTF_8), 7);
    }

    private static SourceRecord record(byte[] value, long offset) {
        return new SourceRecord("image-events", 1, offset, KAFKA_TIME, value);
    }

    private ParseOutcome parse(String json) {
        return parser.parse(record(json), NOW);
    }

    private ImageEvent accepted(String json) {
        ParseOutcome outcome = parse(json);
        assertThat(outcome).isInstanceOf(ParseOutcome.Accepted.class);
        return ((ParseOutcome.Accepted) outcome).event();
    }

    private ParseOutcome.Rejected rejected(String json) {
        ParseOutcome outcome = parse(json);
        assertThat(outcome).isInstanceOf(ParseOutcome.Rejected.class);
        return (ParseOutcome.Rejected) outcome;
    }

    private String deadLetterReason(byte[] value) {
        ParseOutcome outcome = parser.parse(record(value, 7), NOW);
        assertThat(outcome).isInstanceOf(ParseOutcome.DeadLettered.class);
        var letter = ((ParseOutcome.DeadLettered) outcome).deadLetter();
        assertThat(letter.source().value()).isEqualTo(value);
        assertThat(letter.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        return letter.errorMessage();
    }

    private String deadLetterReason(String json) {
        return deadLetterReason(json.getBytes(UTF_8));
    }

    @Test
    void acceptsAFullEvent() {
        ImageEvent e =
                accepted(
                        "{\"job_id\":\""
                                + JOB_ID
                                + "\",\"user_id\":\"ünïcode-user\","
                                + "\"image_uri\":\"s3://photos/2026/a b.jpg\",\"params\":{\"model\":\"rmbg-2.0\","
                                + "\"threshold\":0.4,\"background\":\"#112233\",\"post_process_mask\":true,\"x\":1},"
                                + "\"tags\":[\"cat\",\"cat\",\"dog\"],\"created_at\":\"2026-11-19T23:30:00+01:00\"}");
        assertThat(e.jobId()).isEqualTo(JOB_ID);
        assertThat(e.userId()).isEqualTo("ünïcode-user");
        assertThat(e.imageUri()).isEqualTo("s3://photos/2026/a b.jpg");
        assertThat(e.imageBase64()).isNull();
        assertThat(e.params().model()).isEqualTo("rmbg-2.0");
        assertThat(e.params().threshold()).isEqualTo(0.4);
        assertThat(e.params().background()).isEqualTo("#112233");
        assertThat(e.params().postProcessMask()).isTrue();
        assertThat(e.paramsJson()).contains("\"x\":1");
        assertThat(e.tags()).containsExactly("cat", "dog");
        assertThat(e.createdAtMillis())
                .isEqualTo(Instant.parse("2026-11-19T22:30:00Z").toEpochMilli());
        assertThat(e.receivedAtMillis()).isEqualTo(NOW);
        assertThat(e.sourcePosition()).isEqualTo("image-events/1@7");
    }

    @Test
    void derivesTheSameJobIdForTheSameRecordPosition() {
        String json = "{\"user_id\":\"u\",\"image_base64\":\"AAAA\"}";
        ImageEvent first = accepted(json);
        ImageEvent again = accepted(json);
        ImageEvent elsewhere =
                ((ParseOutcome.Accepted) parser.parse(record(json.getBytes(UTF_8), 8), NOW))
                        .event();
        assertThat(first.jobId()).isEqualTo(again.jobId()).isNotEqualTo(elsewhere.jobId());
        assertThat(first.jobId()).matches("[0-9a-f-]{36}");
        assertThat(first.createdAtMillis()).isEqualTo(KAFKA_TIME);
    }

    @Test
    void recordsWithoutAUsableJobOrUserAreDeadLetters() {
        assertThat(deadLetterReason("{\"user_id\": \"u\", ")).contains("JSON");
        assertThat(deadLetterReason("[1,2]")).contains("JSON object");
        assertThat(deadLetterReason("")).isNotBlank();
        assertThat(deadLetterReason(new byte[] {(byte) 0xC3, 0x28, '{', '}'})).isNotBlank();
        assertThat(deadLetterReason("{\"image_base64\":\"AAAA\"}")).contains("user_id");
        assertThat(deadLetterReason("{\"user_id\":42,\"image_base64\":\"AAAA\"}"))
                .contains("user_id");
        assertThat(deadLetterReason("{\"user_id\":\"\",\"image_base64\":\"AAAA\"}"))
                .contains("1 to 64");
        assertThat(deadLetterReason("{\"user_id\":\"" + "x".repeat(65) + "\"}"))
                .contains("1 to 64");
        assertThat(deadLetterReason("{\"user_id\":\"a\\u0000b\"}")).contains("NUL");
        assertThat(deadLetterReason("{\"job_id\":\"nope\",\"user_id\":\"u\"}")).contains("job_id");
        assertThat(deadLetterReason("{\"job_id\":12,\"user_id\":\"u\"}")).contains("job_id");
    }

    @Test
    void sixtyFourCharactersOfAnyScriptAreAUserId() {
        String user = "😀".repeat(64); // 128 UTF-16 units, 64 characters
        assertThat(accepted("{\"user_id\":\"" + user + "\",\"image_base64\":\"AAAA\"}").userId())
                .isEqualTo(user);
    }

    @Test
    void invalidFieldsOfANamedJobFailItsRow() {
        String head = "{\"job_id\":\"" + JOB_ID + "\",\"user_id\":\"u\",";
        assertThat(rejected(head + "\"tags\":[\"a\"]}").errorMessage()).contains("exactly one of");
        assertThat(
                        rejected(head + "\"image_uri\":\"s3://b/k\",\"image_base64\":\"AAAA\"}")
                                .errorMessage())
                .contains("exactly one of");
        assertThat(rejected(head + "\"image_uri\":\"http://x/y.jpg\"}").errorMessage())
                .contains("s3://bucket/key");
        assertThat(
                        rejected(head + "\"image_uri\":\"s3://bucket/../../etc/passwd\"}")
                                .errorMessage())
                .contains("'..'");
        assertThat(
                        rejected(
                                        head
                                                + "\"image_uri\":\"s3://bucket/k\",\"params\":{\"threshold\":1.5}}")
                                .errorMessage())
                .contains("threshold");
        assertThat(
                        rejected(
                                        head
                                                + "\"image_uri\":\"s3://bucket/k\",\"params\":{\"background\":\"red\"}}")
                                .errorMessage())
                .contains("#RRGGBB");
        assertThat(
                        rejected(
                                        head
                                                + "\"image_uri\":\"s3://bucket/k\",\"params\":{\"a\":\"\\u0000\"}}")
                                .errorMessage())
                .contains("NUL");
        assertThat(
                        rejected(head + "\"image_uri\":\"s3://bucket/k\",\"params\":[1]}")
                                .errorMessage())
                .contains("params");
        assertThat(
                        rejected(head + "\"image_uri\":\"s3://bucket/k\",\"tags\":[\"\"]}")
                                .errorMessage())
                .contains("tag");
        assertThat(
                        rejected(
                                        head
                                                + "\"image_uri\":\"s3://bucket/k\",\"tags\":"
                                                + manyTags(33)
                                                + "}")
                                .errorMessage())
                .contains("at most 32");
        assertThat(
                        rejected(
                                        head
                                                + "\"image_uri\":\"s3://bucket/k\",\"created_at\":\"yesterday\"}")
                                .errorMessage())
                .contains("created_at");

        ParseOutcome.Rejected r = rejected(head + "\"image_uri\":\"s3://bucket/k\",\"tags\":7}");
        assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(r.event().jobId()).isEqualTo(JOB_ID);
        assertThat(r.event().sourceReference()).isEqualTo("s3://bucket/k");
    }

    @Test
    void inlineImagesOverTheLimitFailAsTooLargeBeforeDecoding() {
        String big = "A".repeat(2000);
        ParseOutcome.Rejected r = rejected("{\"user_id\":\"u\",\"image_base64\":\"" + big + "\"}");
        assertThat(r.errorCode()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(r.errorMessage()).contains("limit is 300");
        assertThat(r.event().sourceReference()).isEqualTo("inline:");
    }

    @Test
    void sourcesOutsideTheAllowedLocationsFailBeforeAnyStoreIsAsked() {
        String head = "{\"job_id\":\"" + JOB_ID + "\",\"user_id\":\"u1\",";
        assertThat(accepted(head + "\"image_uri\":\"s3://rmbg/uploads/u1/cat.jpg\"}").imageUri())
                .isEqualTo("s3://rmbg/uploads/u1/cat.jpg");

        ParseOutcome.Rejected other =
                rejected(head + "\"image_uri\":\"s3://rmbg/uploads/u2/cat.jpg\"}");
        assertThat(other.errorCode()).isEqualTo(ErrorCode.SOURCE_NOT_ALLOWED);
        assertThat(other.errorMessage())
                .contains("outside")
                .contains("upload it under")
                .contains("s3://rmbg/uploads/u1/")
                .doesNotContain("uploads/u2/'");
        assertThat(other.event().jobId()).isEqualTo(JOB_ID);
        assertThat(other.event().sourceReference()).isEqualTo("s3://rmbg/uploads/u2/cat.jpg");

        assertThat(
                        rejected(
                                        head
                                                + "\"image_uri\":\"s3://rmbg-checkpoints/checkpoints/x/_metadata\"}")
                                .errorCode())
                .isEqualTo(ErrorCode.SOURCE_NOT_ALLOWED);
        assertThat(rejected(head + "\"image_uri\":\"s3://rmbg/processed/abc.png\"}").errorCode())
                .isEqualTo(ErrorCode.SOURCE_NOT_ALLOWED);
    }

    @Test
    void theRefusalReadsTheSameForAnyObjectInAForbiddenPlace() {
        String head = "{\"user_id\":\"u1\",\"image_uri\":\"s3://rmbg/uploads/u2/";
        String a = rejected(head + "exists.jpg\"}").errorMessage();
        String b = rejected(head + "missing.jpg\"}").errorMessage();
        assertThat(a.replace("exists", "missing")).isEqualTo(b);
    }

    @Test
    void aUserIdThatCannotNameAFolderGetsNoPerUserLocation() {
        ParseOutcome.Rejected r =
                rejected("{\"user_id\":\"u1/x\",\"image_uri\":\"s3://rmbg/uploads/u1/x/cat.jpg\"}");
        assertThat(r.errorCode()).isEqualTo(ErrorCode.SOURCE_NOT_ALLOWED);
        assertThat(r.errorMessage())
                .contains("has no upload folder")
                .doesNotContain("or s3://rmbg/")
                .doesNotContain("under s3://rmbg/");
        // Inline images need no location.
        assertThat(accepted("{\"user_id\":\"u1/x\",\"image_base64\":\"AAAA\"}").userId())
                .isEqualTo("u1/x");
    }

    @Test
    void otherProblemsKeepTheirCode() {
        ParseOutcome.Rejected r =
                rejected(
                        "{\"user_id\":\"u1\",\"image_uri\":\"s3://rmbg/uploads/u2/a.jpg\","
                                + "\"tags\":7}");
        assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(r.errorMessage()).contains("tags").contains("outside");
    }

    private static String manyTags(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        return sb.append(']').toString();
    }

    @Test
    void createdAtOutsideTheSupportedRangeIsRejectedNotThrown() {
        for (String createdAt :
                new String[] {
                    "+999999999-12-31T23:59:59Z",
                    "+300000-01-01T00:00:00Z",
                    "1969-12-31T23:59:59Z",
                    "-000001-01-01T00:00:00Z"
                }) {
            ParseOutcome.Rejected r =
                    rejected(
                            "{\"job_id\":\""
                                    + JOB_ID
                                    + "\",\"user_id\":\"u\","
                                    + "\"image_uri\":\"s3://bucket/k.png\",\"created_at\":\""
                                    + createdAt
                                    + "\"}");
            assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
            assertThat(r.errorMessage())
                    .contains("created_at must lie between 1970-01-01T00:00:00Z");
            // The row still gets a storable created_at: the record's timestamp.
            assertThat(r.event().createdAtMillis()).isEqualTo(KAFKA_TIME);
        }
        assertThat(
                        accepted(
                                        "{\"user_id\":\"u\",\"image_uri\":\"s3://bucket/k.png\","
                                                + "\"created_at\":\"9999-12-31T23:59:59Z\"}")
                                .createdAtMillis())
                .isEqualTo(Instant.parse("9999-12-31T23:59:59Z").toEpochMilli());
    }

    @Test
    void aRecordTimestampOutsideTheRangeIsReplacedByTheArrivalTime() {
        byte[] value = "{\"user_id\":\"u\",\"image_uri\":\"s3://bucket/k.png\"}".getBytes(UTF_8);
        for (long ts : new long[] {-1L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            ParseOutcome outcome =
                    parser.parse(new SourceRecord("image-events", 0, 1, ts, value), NOW);
            assertThat(((ParseOutcome.Accepted) outcome).event().createdAtMillis()).isEqualTo(NOW);
        }
    }

    @Test
    void paramsOverTheSizeLimitAreRejectedAndNotKept() {
        String big = "x".repeat(ImageEventParser.MAX_PARAMS_BYTES);
        ParseOutcome.Rejected r =
                rejected(
                        "{\"job_id\":\""
                                + JOB_ID
                                + "\",\"user_id\":\"u\","
                                + "\"image_uri\":\"s3://bucket/k.png\",\"params\":{\"note\":\""
                                + big
                                + "\"}}");
        assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(r.errorMessage()).contains("params is").contains("the limit is 16384");
        assertThat(r.event().paramsJson()).isNull();
    }
}
