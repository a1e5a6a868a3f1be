package io.rmbg.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder to a real server that can turn into a black hole: while {@link #blackHole()} is
 * on, connections stay open and bytes are read but nothing is passed on or answered, as when a
 * firewall drops packets or a host vanishes without a reset. Refused connections (a stopped server)
 * are the easy case; this is the one a client waits on for ever without a socket timeout.
 */
final class BlackHoleProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean blackHole;
    private volatile boolean closed;

    private BlackHoleProxy(String targetHost, int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        daemon("black-hole-accept", this::accept);
    }

    static BlackHoleProxy to(String host, int port) throws IOException {
        return new BlackHoleProxy(host, port);
    }

    int port() {
        return server.getLocalPort();
    }

    /** From now on nothing passes, in either direction, on old or new connections. */
    void blackHole() {
        blackHole = true;
    }

    /** Bytes flow again (those swallowed meanwhile are gone, as on a real network). */
    void restore() {
        blackHole = false;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                daemon("black-hole-connect", () -> connect(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void connect(Socket client) {
        try {
            while (blackHole && !closed) {
                Thread.sleep(50); // the SYN was answered (by us), the server never hears of it
            }
            Socket target = new Socket(targetHost, targetPort);
            sockets.add(target);
            daemon("black-hole-up", () -> pump(client, target));
            daemon("black-hole-down", () -> pump(target, client));
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!blackHole) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // one side closed: close the other
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        sockets.forEach(BlackHoleProxy::closeQuietly);
    }
}
