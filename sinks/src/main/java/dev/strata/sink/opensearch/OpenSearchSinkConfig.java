package dev.strata.sink.opensearch;

import dev.strata.sink.Backoff;
import dev.strata.sink.Config;
import dev.strata.sink.Secret;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Configuration of the OpenSearch sink (keys under {@code opensearch.}). Validated in the constructor; errors name
 * the key. Serializable: it travels with the Flink sink.
 *
 * @param urls {@code opensearch.urls}: node URLs (http or https)
 * @param eventsIndex {@code opensearch.index.events}: default {@value IndexTemplates#EVENTS_INDEX}; must match the
 *     template pattern {@code strata-events-*} so the explicit mapping applies (likewise the next two)
 * @param deadLettersIndex {@code opensearch.index.dead_letters}: default {@value IndexTemplates#DEAD_LETTERS_INDEX}
 * @param artifactsIndex {@code opensearch.index.artifacts}: default {@value IndexTemplates#ARTIFACTS_INDEX}
 * @param maxBatchSize {@code opensearch.max_batch_size}: documents per {@code _bulk} request (default 2000)
 * @param maxBatchBytes {@code opensearch.max_batch_bytes}: bytes of document source per request (default 5 MiB)
 * @param maxInFlightRequests {@code opensearch.max_in_flight_requests}: concurrent requests per sink subtask
 *     (default 2)
 * @param maxBufferedRequests {@code opensearch.max_buffered_requests}: documents buffered per subtask before the
 *     sink back-pressures (default 5 x max_batch_size; must be greater than max_batch_size)
 * @param maxTimeInBuffer {@code opensearch.max_time_in_buffer}: flush at least this often (default 1 s)
 * @param maxRecordBytes {@code opensearch.max_record_bytes}: largest single document (default = max_batch_bytes,
 *     at least 64 KiB); a larger one is not sent but becomes a dead letter (reason {@code record_too_large}, its
 *     first bytes kept)
 * @param requestTimeout {@code opensearch.request_timeout}: a request (with its backoff) not answered in this time
 *     is retried (default 2 min)
 * @param socketTimeout {@code opensearch.socket_timeout}: HTTP response timeout (default 60 s)
 * @param retry {@code opensearch.retry.*}: attempts and backoff for transient failures (default 10 attempts, 100 ms
 *     doubling to 30 s, full jitter: up to ~50 s of waiting); then the job fails and restarts from its checkpoint
 * @param username {@code opensearch.username}: basic auth, optional
 * @param password {@code opensearch.password}: basic auth, set together with the username
 * @param shards {@code opensearch.shards}: primary shards of new indices (default 1)
 * @param replicas {@code opensearch.replicas}: replicas of new indices (default 0: a single node)
 * @param refreshInterval {@code opensearch.refresh_interval}: default {@code 1s}; {@code -1} turns refresh off
 * @param bulkRefreshInterval {@code opensearch.bulk_refresh_interval}: the refresh interval of the indices a bounded
 *     run writes while it runs ({@link BulkLoad}; default {@code 30s}, {@code -1} off); the run sets
 *     {@code refresh_interval} back and refreshes when it ends. A refresh every second makes a small segment per
 *     second and merges of them: on the embedded node that was most of OpenSearch's time while a bundle loaded.
 */
public record OpenSearchSinkConfig(
    List<URI> urls,
    String eventsIndex,
    String deadLettersIndex,
    String artifactsIndex,
    int maxBatchSize,
    long maxBatchBytes,
    int maxInFlightRequests,
    int maxBufferedRequests,
    Duration maxTimeInBuffer,
    long maxRecordBytes,
    Duration requestTimeout,
    Duration socketTimeout,
    Backoff retry,
    String username,
    Secret password,
    int shards,
    int replicas,
    String refreshInterval,
    String bulkRefreshInterval)
    implements Serializable {

  public static final String DEFAULT_URL = "http://127.0.0.1:9200";
  public static final int DEFAULT_MAX_BATCH_SIZE = 2000;
  public static final long DEFAULT_MAX_BATCH_BYTES = 5L << 20;
  public static final int DEFAULT_MAX_IN_FLIGHT = 2;

  public OpenSearchSinkConfig {
    Config.require(urls != null && !urls.isEmpty(), "opensearch.urls", "at least one URL is required");
    urls = List.copyOf(urls);
    for (URI u : urls) {
      Config.require(u.getHost() != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme())),
          "opensearch.urls", "must be http(s)://host[:port], was " + u);
    }
    eventsIndex = index(eventsIndex, IndexTemplates.EVENTS_INDEX, "strata-events-", "opensearch.index.events");
    deadLettersIndex = index(deadLettersIndex, IndexTemplates.DEAD_LETTERS_INDEX, "strata-deadletters-",
        "opensearch.index.dead_letters");
    artifactsIndex = index(artifactsIndex, IndexTemplates.ARTIFACTS_INDEX, "strata-artifacts-",
        "opensearch.index.artifacts");
    Config.require(maxBatchSize >= 1 && maxBatchSize <= 100_000, "opensearch.max_batch_size",
        "must be 1..100000, was " + maxBatchSize);
    Config.require(maxBatchBytes >= (64L << 10) && maxBatchBytes <= (100L << 20), "opensearch.max_batch_bytes",
        "must be 64 KiB..100 MiB (OpenSearch's http.max_content_length), was " + maxBatchBytes);
    Config.require(maxInFlightRequests >= 1 && maxInFlightRequests <= 64, "opensearch.max_in_flight_requests",
        "must be 1..64, was " + maxInFlightRequests);
    Config.require(maxBufferedRequests > maxBatchSize, "opensearch.max_buffered_requests",
        "must be greater than opensearch.max_batch_size (" + maxBatchSize + "), was " + maxBufferedRequests);
    Config.require(maxTimeInBuffer != null && maxTimeInBuffer.toMillis() >= 1, "opensearch.max_time_in_buffer",
        "must be >= 1 ms, was " + maxTimeInBuffer);
    Config.require(maxRecordBytes >= (64L << 10) && maxRecordBytes <= maxBatchBytes, "opensearch.max_record_bytes",
        "must be 64 KiB..opensearch.max_batch_bytes (" + maxBatchBytes + "), was " + maxRecordBytes);
    Config.require(requestTimeout != null && requestTimeout.toMillis() >= 1, "opensearch.request_timeout",
        "must be > 0, was " + requestTimeout);
    Config.require(socketTimeout != null && socketTimeout.toMillis() >= 1, "opensearch.socket_timeout",
        "must be > 0, was " + socketTimeout);
    Config.require(retry != null, "opensearch.retry", "must be set");
    Config.require((username == null) == (password == null), "opensearch.username",
        "opensearch.username and opensearch.password must be set together");
    Config.require(username == null || !username.isBlank(), "opensearch.username", "must not be blank");
    Config.require(shards >= 1 && shards <= 1024, "opensearch.shards", "must be 1..1024, was " + shards);
    Config.require(replicas >= 0 && replicas <= 16, "opensearch.replicas", "must be 0..16, was " + replicas);
    refreshInterval = interval(refreshInterval, "1s", "opensearch.refresh_interval");
    bulkRefreshInterval = interval(bulkRefreshInterval, DEFAULT_BULK_REFRESH_INTERVAL,
        "opensearch.bulk_refresh_interval");
  }

  /** The default of {@code opensearch.bulk_refresh_interval}. */
  public static final String DEFAULT_BULK_REFRESH_INTERVAL = "30s";

  private static String interval(String value, String fallback, String key) {
    String v = value == null ? fallback : value.trim();
    Config.require(v.matches("-1|\\d+(ms|s|m)"), key, "must be -1 or a time like 1s, 500ms, 1m, was " + v);
    return v;
  }

  private static String index(String value, String fallback, String prefix, String key) {
    String v = value == null || value.isBlank() ? fallback : value.trim();
    Config.require(v.startsWith(prefix) && v.length() > prefix.length() && v.length() <= 255
            && v.matches("[a-z0-9][a-z0-9._-]*"),
        key, "must be a lowercase index name starting with " + prefix + " (so its template applies), was " + v);
    return v;
  }

  /** Defaults with one URL. */
  public static OpenSearchSinkConfig of(String url) {
    return builder().urls(url).build();
  }

  /** From {@code STRATA_OPENSEARCH_*} environment variables. */
  public static OpenSearchSinkConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /**
   * {@code STRATA_OPENSEARCH_URL} (comma-separated, default {@value #DEFAULT_URL}), {@code
   * STRATA_OPENSEARCH_USERNAME}, {@code STRATA_OPENSEARCH_PASSWORD}, {@code STRATA_OPENSEARCH_MAX_BATCH_SIZE},
   * {@code STRATA_OPENSEARCH_MAX_BATCH_BYTES}, {@code STRATA_OPENSEARCH_MAX_IN_FLIGHT}, {@code
   * STRATA_OPENSEARCH_SHARDS}, {@code STRATA_OPENSEARCH_REPLICAS}, {@code STRATA_OPENSEARCH_REFRESH_INTERVAL},
   * {@code STRATA_OPENSEARCH_BULK_REFRESH_INTERVAL}.
   */
  public static OpenSearchSinkConfig fromEnv(Map<String, String> env) {
    Builder b = builder().urls(Config.env(env, "STRATA_OPENSEARCH_URL", DEFAULT_URL).split(","));
    String user = Config.env(env, "STRATA_OPENSEARCH_USERNAME", null);
    if (user != null) {
      b.credentials(user, Config.env(env, "STRATA_OPENSEARCH_PASSWORD", ""));
    }
    int batch = Config.envInt(env, "STRATA_OPENSEARCH_MAX_BATCH_SIZE", "opensearch.max_batch_size",
        DEFAULT_MAX_BATCH_SIZE);
    b.maxBatchSize(batch).maxBufferedRequests(Math.max(batch + 1, batch * 5));
    b.maxBatchBytes(Config.envInt(env, "STRATA_OPENSEARCH_MAX_BATCH_BYTES", "opensearch.max_batch_bytes",
        (int) DEFAULT_MAX_BATCH_BYTES));
    b.maxInFlightRequests(Config.envInt(env, "STRATA_OPENSEARCH_MAX_IN_FLIGHT", "opensearch.max_in_flight_requests",
        DEFAULT_MAX_IN_FLIGHT));
    b.shards(Config.envInt(env, "STRATA_OPENSEARCH_SHARDS", "opensearch.shards", 1));
    b.replicas(Config.envInt(env, "STRATA_OPENSEARCH_REPLICAS", "opensearch.replicas", 0));
    b.refreshInterval(Config.env(env, "STRATA_OPENSEARCH_REFRESH_INTERVAL", "1s"));
    b.bulkRefreshInterval(Config.env(env, "STRATA_OPENSEARCH_BULK_REFRESH_INTERVAL", DEFAULT_BULK_REFRESH_INTERVAL));
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.urls = new ArrayList<>(urls);
    b.eventsIndex = eventsIndex;
    b.deadLettersIndex = deadLettersIndex;
    b.artifactsIndex = artifactsIndex;
    b.maxBatchSize = maxBatchSize;
    b.maxBatchBytes = maxBatchBytes;
    b.maxInFlightRequests = maxInFlightRequests;
    b.maxBufferedRequests = maxBufferedRequests;
    b.maxTimeInBuffer = maxTimeInBuffer;
    b.maxRecordBytes = maxRecordBytes;
    b.requestTimeout = requestTimeout;
    b.socketTimeout = socketTimeout;
    b.retry = retry;
    b.username = username;
    b.password = password;
    b.shards = shards;
    b.replicas = replicas;
    b.refreshInterval = refreshInterval;
    b.bulkRefreshInterval = bulkRefreshInterval;
    return b;
  }

  /** Builder with the defaults above. */
  public static final class Builder {
    private List<URI> urls = new ArrayList<>(List.of(URI.create(DEFAULT_URL)));
    private String eventsIndex = IndexTemplates.EVENTS_INDEX;
    private String deadLettersIndex = IndexTemplates.DEAD_LETTERS_INDEX;
    private String artifactsIndex = IndexTemplates.ARTIFACTS_INDEX;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT;
    private Integer maxBufferedRequests;
    private Duration maxTimeInBuffer = Duration.ofSeconds(1);
    private Long maxRecordBytes;
    private Duration requestTimeout = Duration.ofMinutes(2);
    private Duration socketTimeout = Duration.ofSeconds(60);
    private Backoff retry = Backoff.DEFAULT;
    private String username;
    private Secret password;
    private int shards = 1;
    private int replicas = 0;
    private String refreshInterval = "1s";
    private String bulkRefreshInterval = DEFAULT_BULK_REFRESH_INTERVAL;

    private Builder() {}

    public Builder urls(String... v) {
      urls = new ArrayList<>();
      for (String s : v) {
        if (!s.isBlank()) {
          urls.add(Config.uri(s, "opensearch.urls"));
        }
      }
      return this;
    }

    public Builder urls(List<URI> v) {
      urls = new ArrayList<>(v);
      return this;
    }

    public Builder eventsIndex(String v) {
      eventsIndex = v;
      return this;
    }

    public Builder deadLettersIndex(String v) {
      deadLettersIndex = v;
      return this;
    }

    public Builder artifactsIndex(String v) {
      artifactsIndex = v;
      return this;
    }

    public Builder maxBatchSize(int v) {
      maxBatchSize = v;
      return this;
    }

    public Builder maxBatchBytes(long v) {
      maxBatchBytes = v;
      return this;
    }

    public Builder maxInFlightRequests(int v) {
      maxInFlightRequests = v;
      return this;
    }

    public Builder maxBufferedRequests(int v) {
      maxBufferedRequests = v;
      return this;
    }

    public Builder maxTimeInBuffer(Duration v) {
      maxTimeInBuffer = v;
      return this;
    }

    public Builder maxRecordBytes(long v) {
      maxRecordBytes = v;
      return this;
    }

    public Builder requestTimeout(Duration v) {
      requestTimeout = v;
      return this;
    }

    public Builder socketTimeout(Duration v) {
      socketTimeout = v;
      return this;
    }

    public Builder retry(Backoff v) {
      retry = v;
      return this;
    }

    public Builder credentials(String user, String pass) {
      username = user;
      password = pass == null ? null : Secret.of(pass);
      return this;
    }

    public Builder shards(int v) {
      shards = v;
      return this;
    }

    public Builder replicas(int v) {
      replicas = v;
      return this;
    }

    public Builder refreshInterval(String v) {
      refreshInterval = v;
      return this;
    }

    public Builder bulkRefreshInterval(String v) {
      bulkRefreshInterval = v;
      return this;
    }

    public OpenSearchSinkConfig build() {
      int buffered = maxBufferedRequests != null ? maxBufferedRequests
          : (int) Math.min(Integer.MAX_VALUE, Math.max(maxBatchSize + 1L, maxBatchSize * 5L));
      long record = maxRecordBytes != null ? maxRecordBytes : maxBatchBytes;
      return new OpenSearchSinkConfig(urls, eventsIndex, deadLettersIndex, artifactsIndex, maxBatchSize,
          maxBatchBytes, maxInFlightRequests, buffered, maxTimeInBuffer, record, requestTimeout, socketTimeout,
          retry, username, password, shards, replicas, refreshInterval, bulkRefreshInterval);
    }
  }
}
