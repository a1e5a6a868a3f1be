package io.rmbg.core.image;

import java.util.Arrays;

/** Length-limited Huffman code lengths and canonical, bit-reversed codes. */
final class HuffmanCodes {
    private HuffmanCodes() {}

    /**
     * Code lengths for {@code freq} (0 = unused), none longer than {@code maxBits}: standard
     * Huffman on frequencies halved until the longest code fits. Rarely needed; costs a little
     * compression where it is.
     */
    static void lengths(int[] freq, int maxBits, byte[] lengths) {
        int[] f = freq.clone();
        while (!tryLengths(f, maxBits, lengths)) {
            for (int i = 0; i < f.length; i++) {
                if (f[i] > 0) {
                    f[i] = (f[i] + 1) >>> 1;
                }
            }
        }
    }

    private static boolean tryLengths(int[] freq, int maxBits, byte[] lengths) {
        int n = freq.length;
        Arrays.fill(lengths, (byte) 0);
        // Nodes 0..n-1 are symbols, n.. are merged nodes; a min-heap of node indices.
        long[] weight = new long[2 * n];
        int[] parent = new int[2 * n];
        int[] heap = new int[n];
        int size = 0;
        for (int i = 0; i < n; i++) {
            if (freq[i] > 0) {
                weight[i] = freq[i];
                heap[size++] = i;
            }
        }
        if (size == 1) {
            lengths[heap[0]] = 1;
            return true;
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            down(heap, size, i, weight);
        }
        int next = n;
        while (size > 1) {
            int a = heap[0];
            heap[0] = heap[--size];
            down(heap, size, 0, weight);
            int b = heap[0];
            weight[next] = weight[a] + weight[b];
            parent[a] = next;
            parent[b] = next;
            heap[0] = next++;
            down(heap, size, 0, weight);
        }
        int root = next - 1;
        int[] depth = new int[2 * n];
        for (int node = root - 1; node >= 0; node--) {
            if (node >= n || freq[node] > 0) {
                depth[node] = depth[parent[node]] + 1;
            }
        }
        for (int i = 0; i < n; i++) {
            if (freq[i] > 0) {
                if (depth[i] > maxBits) {
                    return false;
                }
                lengths[i] = (byte) depth[i];
            }
        }
        return true;
    }

    private static void down(int[] heap, int size, int i, long[] weight) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int min = l + 1 < size && weight[heap[l + 1]] < weight[heap[l]] ? l + 1 : l;
            if (weight[heap[i]] <= weight[heap[min]]) {
                return;
            }
            int t = heap[i];
            heap[i] = heap[min];
            heap[min] = t;
            i = min;
        }
    }

    /** Canonical codes (RFC 1951 3.2.2), bit-reversed: deflate writes codes MSB first. */
    static void codes(byte[] lengths, int[] codes) {
        int[] count = new int[16];
        for (byte l : lengths) {
            count[l]++;
        }
        count[0] = 0;
        int[] next = new int[16];
        int code = 0;
        for (int bits = 1; bits < 16; bits++) {
            code = (code + count[bits - 1]) << 1;
            next[bits] = code;
        }
        for (int i = 0; i < lengths.length; i++) {
            int l = lengths[i];
            codes[i] = l == 0 ? 0 : Integer.reverse(next[l]++) >>> (32 - l);
        }
    }
}
