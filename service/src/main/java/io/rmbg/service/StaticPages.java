package io.rmbg.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The web page (service/src/main/resources/web/): plain files, no build step, no CDN. */
final class StaticPages implements HttpHandler {
    private static final Map<String, String> FILES =
            Map.of(
                    "/", "index.html",
                    "/index.html", "index.html",
                    "/app.js", "app.js",
                    "/style.css", "style.css");
    private static final Map<String, String> TYPES =
            Map.of(
                    "html", "text/html; charset=utf-8",
                    "js", "text/javascript; charset=utf-8",
                    "css", "text/css; charset=utf-8");

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            String file = FILES.get(ex.getRequestURI().getPath());
            if (file == null) {
                Http.error(
                        ex,
                        404,
                        "no page " + ex.getRequestURI().getPath() + "; the API is under /api/");
                return;
            }
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.getResponseHeaders()
                    .set(
                            "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' blob: data:; style-src 'self'");
            Http.send(
                    ex, 200, TYPES.get(file.substring(file.indexOf('.') + 1)), read("web/" + file));
        } finally {
            ex.close();
        }
    }

    static byte[] read(String resource) {
        try (InputStream in = StaticPages.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the service jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
