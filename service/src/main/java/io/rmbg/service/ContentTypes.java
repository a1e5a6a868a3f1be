package io.rmbg.service;

import java.util.Locale;

/** The content type of a stored blob, from its key's extension (docs/contracts.md §4). */
final class ContentTypes {
    private ContentTypes() {}

    static String of(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        int dot = lower.lastIndexOf('.');
        String ext = dot < 0 ? "" : lower.substring(dot + 1);
        switch (ext) {
            case "png":
                return "image/png";
            case "jpg":
            case "jpeg":
                return "image/jpeg";
            case "webp":
                return "image/webp";
            case "gif":
                return "image/gif";
            case "bmp":
                return "image/bmp";
            default:
                return "application/octet-stream";
        }
    }
}
