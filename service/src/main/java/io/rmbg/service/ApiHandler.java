package io.rmbg.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.rmbg.core.crypto.BlobSealer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Everything under {@code /api/}: see service/src/main/resources/openapi.yaml. */
final class ApiHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("completed", "failed");
    private static final Map<String, String> BLOB_FIELDS =
            Map.of("original", "original", "mask", "mask", "cutout", "cutout");
    static final int MAX_STATS_DAYS = 366;

    private final Database db;
    private final TokenAuth auth;
    private final CursorCodec cursors;
    private final ResultCache cache;
    private final BlobReader blobs;
    private final byte[] openApi;

    ApiHandler(
            Database db,
            TokenAuth auth,
            CursorCodec cursors,
            ResultCache cache,
            BlobReader blobs,
            byte[] openApi) {
        this.db = db;
        this.auth = auth;
        this.cursors = cursors;
        this.cache = cache;
        this.blobs = blobs;
        this.openApi = openApi;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                throw new ApiException(405, "only GET is served");
            }
            route(ex);
        } catch (ApiException e) {
            Http.error(ex, e.status(), e.getMessage());
        } catch (SQLException e) {
            LOG.warn("database error on {}: {}", ex.getRequestURI().getPath(), e.toString());
            Http.error(ex, 503, "the results database is not answering; try again shortly");
        } catch (RuntimeException e) {
            LOG.error("failed on {}", ex.getRequestURI().getPath(), e);
            Http.error(ex, 500, "internal error: " + e.getClass().getSimpleName());
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException, ApiException, SQLException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/api/health")) {
            health(ex);
            return;
        }
        if (path.equals("/api/openapi.yaml")) {
            Http.send(ex, 200, "application/yaml; charset=utf-8", openApi);
            return;
        }
        Principal who = auth.authenticate(ex.getRequestHeaders().getFirst("Authorization"));
        String[] parts = path.substring(1).split("/", -1); // "api", ...
        if (parts.length == 2 && parts[1].equals("me")) {
            ObjectNode me = JSON.createObjectNode();
            me.put("user_id", who.userId());
            me.put("admin", who.admin());
            Http.json(ex, 200, me.toString());
        } else if (parts.length == 3 && parts[1].equals("me") && parts[2].equals("daily")) {
            daily(ex, who);
        } else if (parts.length == 2 && parts[1].equals("jobs")) {
            history(ex, who);
        } else if (parts.length == 3 && parts[1].equals("jobs")) {
            Http.json(ex, 200, visibleJob(parts[2], who));
        } else if (parts.length == 4
                && parts[1].equals("jobs")
                && BLOB_FIELDS.containsKey(parts[3])) {
            blob(ex, parts[2], parts[3], who);
        } else if (parts.length == 2 && parts[1].equals("stats")) {
            stats(ex, who);
        } else {
            throw ApiException.notFound("path " + path);
        }
    }

    private void health(HttpExchange ex) throws IOException {
        ObjectNode h = JSON.createObjectNode();
        String database;
        try {
            database = db.query(c -> c.isValid(2) ? "up" : "down");
        } catch (SQLException | ApiException e) {
            database = "down";
        }
        h.put("status", database.equals("up") ? "ok" : "degraded");
        h.put("database", database);
        h.put("redis", cache.state());
        ObjectNode c = h.putObject("cache");
        c.put("hits", cache.hits.get());
        c.put("misses", cache.misses.get());
        c.put("errors", cache.errors.get());
        c.put("bypassed", cache.bypassed.get());
        ObjectNode b = h.putObject("blobs");
        b.put("missing", blobs.missing.get());
        b.put("corrupt", blobs.corrupt.get());
        Http.json(ex, database.equals("up") ? 200 : 503, h.toString());
    }

    /** The job as JSON if {@code who} may see it; 404 for unknown and for others' jobs alike. */
    private String visibleJob(String rawId, Principal who) throws ApiException, SQLException {
        UUID id = parseId(rawId);
        String key = cache.jobKey(id.toString());
        String json = cache.get(key);
        String owner;
        if (json == null) {
            ObjectNode job = db.query(c -> JobQueries.job(c, id));
            if (job == null) {
                throw ApiException.notFound("job " + rawId);
            }
            json = job.toString();
            owner = job.get("user_id").asText();
            if (TERMINAL.contains(job.get("status").asText())) {
                cache.putJob(key, json);
            }
        } else {
            owner = readTree(json).get("user_id").asText();
        }
        if (!who.maySee(owner)) {
            throw ApiException.notFound("job " + rawId); // not 403: ids must not be probeable
        }
        return json;
    }

    private void history(HttpExchange ex, Principal who)
            throws IOException, ApiException, SQLException {
        Map<String, String> q = Http.query(ex);
        HistoryFilter filter = HistoryFilter.parse(q, who);
        String rawCursor = q.get("cursor");
        CursorCodec.Position after =
                rawCursor == null || rawCursor.isEmpty()
                        ? null
                        : cursors.decode(rawCursor, who, filter);
        String key = null;
        if (after == null) {
            key =
                    cache.pageKey(
                            filter.user(),
                            Tokens.sha256(
                                    who.userId()
                                            + "\u0000"
                                            + who.admin()
                                            + "\u0000"
                                            + filter.canonical()
                                            + "\u0000"
                                            + filter.limit()));
            String cached = cache.get(key);
            if (cached != null) {
                Http.json(ex, 200, cached);
                return;
            }
        }
        JobQueries.Page page = db.query(c -> JobQueries.history(c, filter, after));
        ObjectNode out = JSON.createObjectNode();
        ArrayNode jobs = out.putArray("jobs");
        page.jobs().forEach(jobs::add);
        if (page.more()) {
            ObjectNode last = page.jobs().get(page.jobs().size() - 1);
            out.put(
                    "next_cursor",
                    cursors.encode(
                            new CursorCodec.Position(
                                    OffsetDateTime.parse(last.get("created_at").asText()),
                                    UUID.fromString(last.get("job_id").asText())),
                            who,
                            filter));
        } else {
            out.putNull("next_cursor");
        }
        String json = out.toString();
        if (key != null) {
            cache.putPage(key, json);
        }
        Http.json(ex, 200, json);
    }

    private void blob(HttpExchange ex, String rawId, String what, Principal who)
            throws IOException, ApiException, SQLException {
        var job = readTree(visibleJob(rawId, who));
        var ref = job.get("blobs").get(what);
        if (ref == null || ref.isNull()) {
            throw ApiException.notFound(what + " of job " + rawId);
        }
        String uri = ref.get("uri").asText();
        if (BlobSealer.isSealed(uri)) {
            sealedBlob(ex, blobs.openSealed(uri, job.get("user_id").asText()), rawId, what, ref);
            return;
        }
        try (ResponseInputStream<GetObjectResponse> in = blobs.open(uri)) {
            if (in == null) {
                throw missingBlob(what, rawId);
            }
            ex.getResponseHeaders().set("Content-Type", ref.get("content_type").asText());
            // Content-addressed keys never change: the browser may keep them, privately.
            ex.getResponseHeaders().set("Cache-Control", "private, max-age=86400, immutable");
            Long length = in.response().contentLength();
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, length == null ? 0 : length);
            try (OutputStream out = ex.getResponseBody()) {
                copy(in, out);
            }
        }
    }

    /** The job names the blob but the store lacks it: say so, and how to find all such. */
    private static ApiException missingBlob(String what, String rawId) {
        return new ApiException(
                404,
                "the "
                        + what
                        + " of job "
                        + rawId
                        + " is missing from the store; an operator can list every such blob with"
                        + " bin/rmbg check");
    }

    /** A sensitive image's blob, decrypted: never cached outside the owner's browser session. */
    private static void sealedBlob(
            HttpExchange ex, byte[] plain, String rawId, String what, JsonNode ref)
            throws IOException, ApiException {
        if (plain == null) {
            throw missingBlob(what, rawId);
        }
        ex.getResponseHeaders().set("Content-Type", ref.get("content_type").asText());
        ex.getResponseHeaders().set("Cache-Control", "private, no-store");
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, plain.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(plain);
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
    }

    private void stats(HttpExchange ex, Principal who)
            throws IOException, ApiException, SQLException {
        if (!who.admin()) {
            throw new ApiException(
                    403, "statistics need an admin token (bin/rmbg users add NAME --admin)");
        }
        Map<String, String> q = Http.query(ex);
        LocalDate to = date(q.get("to"), LocalDate.now(ZoneOffset.UTC), "to");
        LocalDate from = date(q.get("from"), to.minusDays(29), "from");
        if (from.isAfter(to) || from.plusDays(MAX_STATS_DAYS).isBefore(to)) {
            throw ApiException.badRequest(
                    "from must not be after to, and the range at most " + MAX_STATS_DAYS + " days");
        }
        ObjectNode out = db.query(c -> JobQueries.stats(c, from, to));
        out.put("from", from.toString());
        out.put("to", to.toString());
        Http.json(ex, 200, out.toString());
    }

    /** The caller's own jobs per UTC day: finished and failed, for the page's chart. */
    private void daily(HttpExchange ex, Principal who)
            throws IOException, ApiException, SQLException {
        Map<String, String> q = Http.query(ex);
        LocalDate to = date(q.get("to"), LocalDate.now(ZoneOffset.UTC), "to");
        LocalDate from = date(q.get("from"), to.minusDays(29), "from");
        if (from.isAfter(to) || from.plusDays(MAX_STATS_DAYS).isBefore(to)) {
            throw ApiException.badRequest(
                    "from must not be after to, and the range at most " + MAX_STATS_DAYS + " days");
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode days = out.putArray("days");
        db.query(
                (Connection c) -> {
                    try (PreparedStatement ps = c.prepareStatement(JobQueries.DAILY_SQL)) {
                        ps.setString(1, who.userId());
                        ps.setObject(2, from.atStartOfDay().atOffset(ZoneOffset.UTC));
                        ps.setObject(3, to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                ObjectNode d = days.addObject();
                                d.put("date", rs.getObject(1, LocalDate.class).toString());
                                d.put("total_jobs", rs.getInt(2));
                                d.put("failed_jobs", rs.getInt(3));
                            }
                        }
                    }
                    return null;
                });
        out.put("from", from.toString());
        out.put("to", to.toString());
        Http.json(ex, 200, out.toString());
    }

    private static LocalDate date(String value, LocalDate fallback, String name)
            throws ApiException {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be a date like 2025-01-31");
        }
    }

    private static UUID parseId(String raw) throws ApiException {
        try {
            UUID id = UUID.fromString(raw);
            if (id.toString().equalsIgnoreCase(raw)) {
                return id;
            }
        } catch (IllegalArgumentException ignored) {
            // falls through: not a job id
        }
        throw ApiException.notFound("job " + raw);
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("cached job is not JSON", e);
        }
    }
}
