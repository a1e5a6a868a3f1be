package io.rmbg.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What {@code bin/rmbg local} needs of this machine: free ports, a data folder it may wipe. */
final class LocalMachine {
    private LocalMachine() {}

    /** Fails early, with advice, when another process holds one of the stack's ports. */
    static void checkPortsFree(int... ports) {
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (IOException e) {
                throw new IllegalStateException(
                        "port "
                                + port
                                + " is already in use: is another"
                                + " bin/rmbg local (or a Kafka, PostgreSQL, S3 or Flink server) running? Stop it first.");
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
