package io.rmbg.core.records;

/** A stored blob (docs/contracts.md §3, §4): where it is and what it holds, never its bytes. */
public record BlobRef(
        String uri, String sha256, long bytes, int width, int height, String contentType) {}
