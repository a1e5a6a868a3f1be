package io.rmbg.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code blobs.tsv} of a backup: one line per blob, {@code key<TAB>size<TAB>sha256}. */
final class BlobManifest {
    static final String FILE = "blobs.tsv";

    record Entry(String key, long size, String sha256) {}

    private BlobManifest() {}

    static String line(String key, long size, String sha256) {
        if (key.contains("\t") || key.contains("\n")) {
            throw new IllegalArgumentException("blob key with a tab or newline: " + key);
        }
        return key + "\t" + size + "\t" + sha256;
    }

    static List<Entry> read(Path backup) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (String l : Files.readAllLines(backup.resolve(FILE), StandardCharsets.UTF_8)) {
            if (l.isBlank()) {
                continue;
            }
            String[] f = l.split("\t");
            out.add(new Entry(f[0], Long.parseLong(f[1]), f[2]));
        }
        return out;
    }

    /** Where a backup taken with {@code --blobs} keeps blob {@code key}. */
    static Path blobFile(Path backup, String key) {
        Path file = backup.resolve("blobs").resolve(key).normalize();
        if (!file.startsWith(backup.resolve("blobs").normalize())) {
            throw new IllegalArgumentException("blob key leaves the backup directory: " + key);
        }
        return file;
    }
}
