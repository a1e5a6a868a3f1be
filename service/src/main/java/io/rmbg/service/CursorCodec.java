package io.rmbg.service;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Opaque, tamper-evident keyset cursors: the last row's {@code (created_at, job_id)} plus who asked
 * and with which filters, signed with HMAC-SHA256. A cursor edited by hand, made for another user
 * or reused with other filters is refused (400), so it can never widen what a caller sees.
 */
public final class CursorCodec {
    /** Where the next page starts: strictly after this row in (created_at DESC, job_id DESC). */
    public record Position(OffsetDateTime createdAt, UUID jobId) {}

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private final SecretKeySpec key;

    CursorCodec(String secret) {
        byte[] bytes;
        if (secret == null || secret.isEmpty()) {
            bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
        } else {
            bytes = secret.getBytes(UTF_8);
        }
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    String encode(Position p, Principal who, HistoryFilter filter) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, p.createdAt().toInstant());
        String body = micros + "." + p.jobId();
        return B64.encodeToString(body.getBytes(UTF_8)) + "." + sign(body, who, filter);
    }

    Position decode(String cursor, Principal who, HistoryFilter filter) throws ApiException {
        ApiException bad =
                ApiException.badRequest(
                        "cursor is not valid for this user and these filters: start again without"
                                + " cursor");
        int dot = cursor.indexOf('.');
        if (dot < 0) {
            throw bad;
        }
        try {
            String body = new String(B64D.decode(cursor.substring(0, dot)), UTF_8);
            byte[] given = B64D.decode(cursor.substring(dot + 1));
            byte[] expected = B64D.decode(sign(body, who, filter));
            if (!MessageDigest.isEqual(given, expected)) {
                throw bad;
            }
            int sep = body.indexOf('.');
            long micros = Long.parseLong(body.substring(0, sep));
            Instant at = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
            return new Position(
                    OffsetDateTime.ofInstant(at, ZoneOffset.UTC),
                    UUID.fromString(body.substring(sep + 1)));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw bad;
        }
    }

    private String sign(String body, Principal who, HistoryFilter filter) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            String scope =
                    body
                            + "\u0000"
                            + who.userId()
                            + "\u0000"
                            + who.admin()
                            + "\u0000"
                            + filter.canonical();
            return B64.encodeToString(mac.doFinal(scope.getBytes(UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
