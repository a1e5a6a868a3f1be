package io.rmbg.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * A real Redis server: the {@code redis-server} binary (Debian: {@code apt-get install
 * redis-server}) as a child process, in memory only (no RDB, no AOF), bound to 127.0.0.1.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start(6379, dataDir)) { ... redis.port() ... }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts on {@code port} (0: a free one) and waits until it answers PING. */
    public static RedisServer start(int port, Path dir) throws IOException, InterruptedException {
        if (port == 0) {
            port = freePort();
        }
        Files.createDirectories(dir);
        Process p;
        try {
            p =
                    new ProcessBuilder(
                                    List.of(
                                            binary(),
                                            "--port",
                                            String.valueOf(port),
                                            "--bind",
                                            "127.0.0.1",
                                            "--save",
                                            "",
                                            "--appendonly",
                                            "no",
                                            "--dir",
                                            dir.toAbsolutePath().toString(),
                                            "--loglevel",
                                            "warning"))
                            .redirectErrorStream(true)
                            .redirectOutput(dir.resolve("redis.log").toFile())
                            .start();
        } catch (IOException e) {
            throw new IOException(
                    "cannot run redis-server: install it (Debian: apt-get install -y redis-server)"
                            + " or set RMBG_REDIS_SERVER to its path",
                    e);
        }
        RedisServer server = new RedisServer(p, port);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!server.ping()) {
            if (!p.isAlive()) {
                throw new IOException(
                        "redis-server exited with "
                                + p.exitValue()
                                + " (port "
                                + port
                                + " taken?); see "
                                + dir.resolve("redis.log"));
            }
            if (System.nanoTime() > deadline) {
                server.close();
                throw new IOException("redis-server did not answer PING on port " + port);
            }
            Thread.sleep(20);
        }
        return server;
    }

    private static String binary() {
        String configured = System.getenv("RMBG_REDIS_SERVER");
        return configured == null || configured.isBlank() ? "redis-server" : configured;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** Whether the server answers PING now. */
    public boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
