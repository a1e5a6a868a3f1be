package io.rmbg.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Redis in front of PostgreSQL for job-by-id and the first page of a user's history.
 *
 * <p>What must stay true: a cached entry is never served after the row it shows has changed (beyond
 * the few milliseconds a change notification takes). Keys carry versions: {@code rmbg:v:job:<id>}
 * and {@code rmbg:v:user:<user>} are bumped by {@link JobChangeListener} on every write to a job
 * row (a trigger NOTIFYs), and {@code rmbg:v:epoch} when the listener reconnects (notifications may
 * have been missed). A reader reads the versions <em>before</em> the database, so a page read
 * before a change is stored under a version that the change has already made unreachable. While the
 * listener is not connected the cache is bypassed.
 *
 * <p>When Redis fails the service answers from PostgreSQL; the cache then stays off for {@link
 * #RETRY_AFTER} before trying Redis again, so an outage costs one timeout, not one per request.
 */
final class ResultCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultCache.class);
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    private static final String EPOCH = "rmbg:v:epoch";

    /**
     * Versions outlive every entry that uses them (else a version could restart at an old value).
     */
    private static final long VERSION_TTL_S = 7 * 24 * 3600;

    private final RedisClient redis;
    private final String where;
    private final Duration jobTtl;
    private final Duration pageTtl;
    private final BooleanSupplier listening;

    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong bypassed = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile long retryAtNanos;

    /** {@code host == null}: no Redis; every lookup is a bypass. */
    ResultCache(
            String host, int port, Duration jobTtl, Duration pageTtl, BooleanSupplier listening) {
        this.where = host == null ? null : host + ":" + port;
        this.jobTtl = jobTtl;
        this.pageTtl = pageTtl;
        this.listening = listening;
        this.redis =
                host == null
                        ? null
                        : RedisClient.builder()
                                .hostAndPort(host, port)
                                .clientConfig(
                                        DefaultJedisClientConfig.builder()
                                                .connectionTimeoutMillis(250)
                                                .socketTimeoutMillis(500)
                                                .build())
                                .build();
    }

    boolean enabled() {
        return redis != null;
    }

    /** "up", "down" or "off" (no Redis configured). */
    String state() {
        return redis == null ? "off" : down.get() ? "down" : "up";
    }

    /** A versioned key for job {@code id}, or {@code null} when the cache must not be used now. */
    String jobKey(String id) {
        return key("job", id, "rmbg:v:job:" + id);
    }

    /** A versioned key for a first page of {@code user}'s history ({@code null}: every user). */
    String pageKey(String user, String filterDigest) {
        String scope = user == null ? "*all*" : user;
        return key("page", scope + ":" + filterDigest, "rmbg:v:user:" + scope);
    }

    private String key(String kind, String name, String versionKey) {
        if (!usable()) {
            bypassed.incrementAndGet();
            return null;
        }
        try {
            List<String> v = redis.mget(EPOCH, versionKey);
            recovered();
            return "rmbg:" + kind + ":" + v.get(0) + ":" + v.get(1) + ":" + name;
        } catch (RuntimeException e) {
            failed(e);
            return null;
        }
    }

    /** The cached value, or {@code null} (a miss, or no cache). */
    String get(String key) {
        if (key == null) {
            return null;
        }
        try {
            String value = redis.get(key);
            (value == null ? misses : hits).incrementAndGet();
            recovered();
            return value;
        } catch (RuntimeException e) {
            failed(e);
            return null;
        }
    }

    void putJob(String key, String json) {
        put(key, json, jobTtl);
    }

    void putPage(String key, String json) {
        put(key, json, pageTtl);
    }

    private void put(String key, String json, Duration ttl) {
        if (key == null) {
            return;
        }
        try {
            redis.set(
                    key.getBytes(UTF_8),
                    json.getBytes(UTF_8),
                    SetParams.setParams().px(ttl.toMillis()));
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** A job row changed: its entry and its user's first pages become unreachable. */
    void invalidate(String jobId, String user) {
        bump("rmbg:v:job:" + jobId);
        bump("rmbg:v:user:" + user);
        bump("rmbg:v:user:*all*");
    }

    /** Notifications may have been missed: every entry becomes unreachable. */
    void invalidateAll() {
        bump(EPOCH);
    }

    private void bump(String versionKey) {
        if (redis == null) {
            return;
        }
        try {
            redis.incr(versionKey);
            redis.expire(versionKey, VERSION_TTL_S);
        } catch (RuntimeException e) {
            // An entry whose version could not be bumped must not be served: stop using the
            // cache and start a new epoch once Redis answers again.
            failed(e);
            needsNewEpoch.set(true);
        }
    }

    private final AtomicBoolean needsNewEpoch = new AtomicBoolean();

    private boolean usable() {
        if (redis == null || !listening.getAsBoolean()) {
            return false;
        }
        if (down.get() && System.nanoTime() < retryAtNanos) {
            return false;
        }
        if (needsNewEpoch.get()) {
            try {
                redis.incr(EPOCH);
                needsNewEpoch.set(false);
            } catch (RuntimeException e) {
                failed(e);
                return false;
            }
        }
        return true;
    }

    private void failed(RuntimeException e) {
        errors.incrementAndGet();
        retryAtNanos = System.nanoTime() + RETRY_AFTER.toNanos();
        if (down.compareAndSet(false, true)) {
            LOG.warn(
                    "Redis at {} is not answering ({}): serving from PostgreSQL, retrying every {}"
                            + " s",
                    where,
                    e.toString(),
                    RETRY_AFTER.toSeconds());
        }
    }

    private void recovered() {
        if (down.compareAndSet(true, false)) {
            LOG.info("Redis at {} answers again: cache on", where);
        }
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
