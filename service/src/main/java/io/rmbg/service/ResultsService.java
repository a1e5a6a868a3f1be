package io.rmbg.service;

import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The results service: a JSON API under {@code /api/} and the web page at {@code /} over the
 * results store (docs/contracts.md §9). One process, the JDK's HTTP server, a few pooled
 * connections, Redis when configured.
 *
 * <pre>{@code
 * try (ResultsService s = ResultsService.start(ServiceConfig.localDefaults())) {
 *     System.out.println(s.url()); // http://127.0.0.1:8090/
 * }
 * }</pre>
 */
public final class ResultsService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultsService.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final Database db;
    private final ResultCache cache;
    private final JobChangeListener listener;
    private final BlobReader blobs;

    private ResultsService(
            HttpServer server,
            ExecutorService executor,
            Database db,
            ResultCache cache,
            JobChangeListener listener,
            BlobReader blobs) {
        this.server = server;
        this.executor = executor;
        this.db = db;
        this.cache = cache;
        this.listener = listener;
        this.blobs = blobs;
    }

    public static ResultsService start(ServiceConfig config) throws IOException {
        // Without TCP_NODELAY the JDK server's header and body writes meet the client's delayed
        // ACK: every small answer then takes about 40 ms. Read once, when the server first starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        Database db =
                new Database(
                        new ConnectionPool(
                                config.jdbcUrl(),
                                config.jdbcUser(),
                                config.jdbcPassword(),
                                config.threads()));
        JobChangeListener[] listener = new JobChangeListener[1];
        ResultCache cache =
                new ResultCache(
                        config.redisHost(),
                        config.redisPort(),
                        config.jobTtl(),
                        config.firstPageTtl(),
                        () -> listener[0] != null && listener[0].listening());
        listener[0] =
                new JobChangeListener(
                        config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword(), cache);
        if (cache.enabled()) {
            listener[0].start();
            try {
                listener[0].awaitListening(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        BlobReader blobs = new BlobReader(config.s3(), config.sealer());
        HttpServer server =
                HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
        ExecutorService executor = Executors.newFixedThreadPool(config.threads());
        server.setExecutor(executor);
        server.createContext(
                "/api/",
                new ApiHandler(
                        db,
                        new TokenAuth(db),
                        new CursorCodec(config.cursorSecret()),
                        cache,
                        blobs,
                        StaticPages.read("openapi.yaml")));
        server.createContext("/", new StaticPages());
        server.start();
        ResultsService s = new ResultsService(server, executor, db, cache, listener[0], blobs);
        LOG.info("results service on {} ({})", s.url(), config);
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The web page's address, e.g. {@code http://127.0.0.1:8090/}. */
    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        listener.close();
        cache.close();
        blobs.close();
        db.close();
    }

    /** Runs until interrupted; settings from the environment (see {@link ServiceConfig}). */
    public static void main(String[] args) throws Exception {
        ResultsService s = start(ServiceConfig.fromEnvironment(System.getenv()));
        System.out.println("rmbg results service: " + s.url());
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "rmbg-service-stop"));
        Thread.currentThread().join();
    }
}
