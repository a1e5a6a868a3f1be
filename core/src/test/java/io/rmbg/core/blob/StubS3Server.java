package io.rmbg.core.blob;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server that answers every S3 request with one fixed error (status and S3 error code) for
 * its first {@code failures} requests and then with success: the answers a real store gives when it
 * is throttling, down or refusing, which s3proxy cannot be made to give.
 */
final class StubS3Server implements AutoCloseable {
    static final byte[] BODY = "stored bytes".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Map<String, List<String>> lastHeaders = Map.of();

    private StubS3Server(int status, String errorCode, int failures) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> answer(exchange, status, errorCode, failures));
        server.start();
    }

    /** Fails every request with {@code status} and the S3 error {@code errorCode}. */
    static StubS3Server failing(int status, String errorCode) throws IOException {
        return new StubS3Server(status, errorCode, Integer.MAX_VALUE);
    }

    /** Fails the first {@code failures} requests, then succeeds. */
    static StubS3Server failingFirst(int failures, int status, String errorCode)
            throws IOException {
        return new StubS3Server(status, errorCode, failures);
    }

    S3Options options() {
        return new S3Options(
                "http://127.0.0.1:" + server.getAddress().getPort(),
                "us-east-1",
                "rmbg",
                "key",
                "secret",
                true);
    }

    /** The headers of the latest request (names as the JDK's server spells them). */
    Map<String, List<String>> lastHeaders() {
        return lastHeaders;
    }

    int requests() {
        return requests.get();
    }

    private void answer(HttpExchange exchange, int status, String errorCode, int failures)
            throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            lastHeaders = Map.copyOf(exchange.getRequestHeaders());
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            if (requests.incrementAndGet() > failures) {
                exchange.getResponseHeaders().add("ETag", "\"0\"");
                send(
                        exchange,
                        200,
                        head || "PUT".equals(exchange.getRequestMethod()) ? null : BODY);
                return;
            }
            String xml =
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                            + errorCode
                            + "</Code><Message>stub</Message></Error>";
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            send(exchange, status, head ? null : xml.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body == null ? -1 : body.length);
        if (body != null) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
