package dev.strata.ingest.receive;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.ingest.publish.KafkaChunkPublisher;
import dev.strata.ingest.recognize.ArtifactRecognizer;
import dev.strata.ingest.recognize.ContentMatch;
import dev.strata.ingest.recognize.ContentSample;
import dev.strata.ingest.recognize.FalcoAlertRecognizer;
import dev.strata.ingest.recognize.TetragonEventRecognizer;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.Compression;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push collection over HTTP, on the JDK's {@code com.sun.net.httpserver} (no extra dependency).
 *
 * <table>
 *   <tr><th>request</th><th>what</th></tr>
 *   <tr><td>{@code POST /v1/falco}</td><td>Falco {@code http_output} (one JSON alert per request) and Falcosidekick
 *       webhook bodies → {@code falco_alert}</td></tr>
 *   <tr><td>{@code POST /v1/tetragon}</td><td>Tetragon events as JSON lines or one JSON object (e.g. from a
 *       Fluent Bit / Vector HTTP sink) → {@code tetragon_event}</td></tr>
 *   <tr><td>{@code GET /healthz}</td><td>200 {@code ok} while serving</td></tr>
 * </table>
 *
 * Each accepted body is one artifact, published to {@code evidence.raw.v1} unmodified: {@code artifact_sha256} =
 * SHA-256 of the body, one chunk, {@code origin = http-push://<remote ip>:<remote port>/v1/<source>}, {@code
 * evidence_root} = the receiver's listening URL, {@code collected_at} = when the body was read. Framing comes from
 * the format's content probe (LINES for JSON lines, WHOLE for one pretty-printed object); a body the probe rejects is
 * still published (LINES) so the parse job dead-letters it with its bytes: the receiver never drops evidence.
 *
 * <p>Answers: 202 once Kafka acknowledged the record (idempotent producer, acks=all); 503 + {@code Retry-After} when
 * Kafka does not acknowledge within {@code ack_timeout} (the sender retries); 401 without the bearer token (when one
 * is configured); 413 over {@code max_body_bytes}; 415 unless the content type is JSON ({@code application/json},
 * {@code application/x-ndjson}, {@code application/jsonl[ines]}, {@code *+json}, {@code text/json}); 400 on an empty
 * body; 404/405 otherwise.
 */
public final class HttpEvidenceReceiver implements AutoCloseable {
  public static final String COLLECTOR_TYPE = "http_receiver";
  private static final Logger LOG = LoggerFactory.getLogger(HttpEvidenceReceiver.class);
  private static final AvroCodec<RawArtifactChunk> CODEC = AvroCodec.of(RawArtifactChunk.class);
  private static final byte[] SCHEMA = RawArtifactChunk.getClassSchema().getFullName().getBytes(StandardCharsets.UTF_8);

  private record Endpoint(String path, String sourceType, ArtifactRecognizer recognizer) {}

  private static final Map<String, Endpoint> ENDPOINTS = Map.of(
      "/v1/falco", new Endpoint("/v1/falco", FalcoAlertRecognizer.SOURCE_TYPE, new FalcoAlertRecognizer()),
      "/v1/tetragon", new Endpoint("/v1/tetragon", TetragonEventRecognizer.SOURCE_TYPE, new TetragonEventRecognizer()));

  private final ReceiverOptions options;
  private final Producer<byte[], byte[]> producer;
  private final String rawTopic;
  private final HttpServer server;
  private final ExecutorService executor;
  private final CollectorInfo collector;
  private final EvidenceContext context;
  private final String listenUrl;
  private final Map<Integer, AtomicLong> answers = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong bytesAccepted = new AtomicLong();

  /** Starts a receiver publishing to Kafka at {@code bootstrapServers}. */
  public static HttpEvidenceReceiver start(ReceiverOptions options, String bootstrapServers, Map<String, ?> kafkaPassThrough)
      throws IOException {
    Map<String, Object> p = new HashMap<>(KafkaChunkPublisher.producerProperties(bootstrapServers, kafkaPassThrough));
    long ack = options.ackTimeout().toMillis();
    // fail a request within ack_timeout when Kafka is down, instead of holding the sender
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1000, ack / 2));
    p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, ack / 2));
    p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(2000, ack));
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "strata-http-receiver");
    return new HttpEvidenceReceiver(options, new KafkaProducer<>(p), KafkaChunkPublisher.RAW_TOPIC);
  }

  /** With an existing producer (tests). The receiver closes it. */
  public HttpEvidenceReceiver(ReceiverOptions options, Producer<byte[], byte[]> producer, String rawTopic) throws IOException {
    this.options = Objects.requireNonNull(options, "options");
    this.producer = Objects.requireNonNull(producer, "producer");
    this.rawTopic = Objects.requireNonNull(rawTopic, "rawTopic");
    this.server = HttpServer.create(new InetSocketAddress(options.bind(), options.port()), 64);
    this.executor = Executors.newFixedThreadPool(options.threads(), r -> {
      Thread t = new Thread(r, "strata-receiver");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    this.collector = CollectorInfo.newBuilder()
        .setId(COLLECTOR_TYPE)
        .setVersion(version())
        .setHostname(hostname())
        .setRunId(COLLECTOR_TYPE + "-" + UUID.randomUUID())
        .setOperator(null)
        .build();
    this.context = options.context().toAvro();
    server.start();
    this.listenUrl = "http://" + options.bind() + ":" + port();
    LOG.info("receiver listening on {} ({}), publishing to {}", listenUrl, options, rawTopic);
  }

  public ReceiverOptions options() {
    return options;
  }

  /** The port actually listened on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** How many requests were answered with {@code status}. */
  public long answered(int status) {
    AtomicLong n = answers.get(status);
    return n == null ? 0 : n.get();
  }

  public long bytesAccepted() {
    return bytesAccepted.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/healthz")) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
          answer(ex, 405, "use GET\n", Map.of("Allow", "GET"));
        } else {
          answer(ex, 200, "ok\n", Map.of());
        }
        return;
      }
      Endpoint ep = ENDPOINTS.get(path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path);
      if (ep == null) {
        answer(ex, 404, "unknown path; POST /v1/falco or /v1/tetragon\n", Map.of());
        return;
      }
      if (!method.equals("POST")) {
        answer(ex, 405, "use POST\n", Map.of("Allow", "POST"));
        return;
      }
      if (options.token() != null && !authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
        answer(ex, 401, "bearer token required\n", Map.of("WWW-Authenticate", "Bearer realm=\"strata\""));
        return;
      }
      String type = ex.getRequestHeaders().getFirst("Content-Type");
      if (!isJson(type)) {
        answer(ex, 415, "content type must be JSON (application/json, application/x-ndjson), got "
            + (type == null ? "none" : type) + "\n", Map.of());
        return;
      }
      String length = ex.getRequestHeaders().getFirst("Content-Length");
      if (length != null) {
        try {
          if (Long.parseLong(length.strip()) > options.maxBodyBytes()) {
            answer(ex, 413, "body larger than " + options.maxBodyBytes() + " bytes\n", Map.of());
            return;
          }
        } catch (NumberFormatException e) {
          answer(ex, 400, "bad Content-Length\n", Map.of());
          return;
        }
      }
      byte[] body = readBounded(ex.getRequestBody(), options.maxBodyBytes());
      if (body == null) {
        answer(ex, 413, "body larger than " + options.maxBodyBytes() + " bytes\n", Map.of());
        return;
      }
      if (body.length == 0) {
        answer(ex, 400, "empty body\n", Map.of());
        return;
      }
      InetSocketAddress remote = ex.getRemoteAddress();
      String origin = "http-push://" + remote.getAddress().getHostAddress() + ":" + remote.getPort() + ep.path();
      RawArtifactChunk chunk = artifact(ep, body, origin);
      try {
        publish(chunk);
      } catch (TimeoutException | java.util.concurrent.ExecutionException | RuntimeException e) {
        LOG.warn("receiver: Kafka did not take {} bytes from {} ({}); answering 503", body.length, origin, e.toString());
        answer(ex, 503, "evidence store unavailable, retry\n", Map.of("Retry-After", "5"));
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        answer(ex, 503, "shutting down, retry\n", Map.of("Retry-After", "5"));
        return;
      }
      bytesAccepted.addAndGet(body.length);
      answer(ex, 202, "{\"artifact_sha256\":\"" + chunk.getArtifactSha256() + "\"}\n",
          Map.of("Content-Type", "application/json"));
    } catch (IOException | RuntimeException e) {
      LOG.warn("receiver: request failed: {}", e.toString());
    }
  }

  private void publish(RawArtifactChunk chunk)
      throws InterruptedException, java.util.concurrent.ExecutionException, TimeoutException {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(rawTopic, null,
        chunk.getArtifactSha256().getBytes(StandardCharsets.UTF_8), CODEC.encode(chunk));
    record.headers().add(new RecordHeader(KafkaChunkPublisher.SCHEMA_HEADER, SCHEMA));
    Future<RecordMetadata> f = producer.send(record);
    f.get(options.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private RawArtifactChunk artifact(Endpoint ep, byte[] body, String origin) {
    String sha = sha256(body);
    ContentMatch m = ep.recognizer().probe(new ContentSample(
        body.length <= ContentSample.SIZE ? body : java.util.Arrays.copyOf(body, ContentSample.SIZE),
        body.length <= ContentSample.SIZE, false));
    Framing framing = m.strength() == ContentMatch.Strength.NONE || m.framing() == null ? Framing.LINES : m.framing();
    return RawArtifactChunk.newBuilder()
        .setArtifactSha256(sha)
        .setArtifactSize(body.length)
        .setContentSha256(sha)
        .setContentSize(body.length)
        .setCompression(Compression.NONE)
        .setSourceType(ep.sourceType())
        .setOrigin(origin)
        .setEvidenceRoot(listenUrl)
        .setOriginMtime(null)
        .setContext(context)
        .setCollector(collector)
        .setCollectedAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
        .setFraming(framing)
        .setChunk(ChunkInfo.newBuilder().setIndex(0).setCount(1).setOffset(0).setLength(body.length).setFirstLine(1)
            .setFirstRecord(0).setSha256(sha).setTruncatedRecord(false).build())
        .setStorageUri(null)
        .setPayload(ByteBuffer.wrap(body))
        .build();
  }

  private boolean authorized(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, options.token().getBytes(StandardCharsets.UTF_8));
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return t.equals("application/json") || t.equals("application/x-ndjson") || t.equals("application/ndjson")
        || t.equals("application/jsonl") || t.equals("application/jsonlines") || t.equals("application/x-jsonlines")
        || t.equals("application/json-seq") || t.equals("text/json") || t.endsWith("+json");
  }

  /** The body, or null when it is longer than {@code max}. */
  private static byte[] readBounded(InputStream in, int max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 64 * 1024));
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      if (out.size() + n > max) {
        in.skip(Long.MAX_VALUE); // drain politely; the answer is 413
        return null;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private void answer(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
    answers.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    if (!headers.containsKey("Content-Type")) {
      ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    }
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  /** One line: requests by answer and bytes accepted. */
  public String summary() {
    return "receiver: " + answered(202) + " accepted (" + bytesAccepted.get() + " bytes), " + answered(503)
        + " unavailable, " + (answered(400) + answered(401) + answered(404) + answered(405) + answered(413) + answered(415))
        + " refused";
  }

  /** Stops accepting, lets requests in flight finish (up to 5 s), closes the producer. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
    LOG.info("{}; stopped", summary());
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String version() {
    String v = HttpEvidenceReceiver.class.getPackage().getImplementationVersion();
    return v != null ? v : "dev";
  }

  static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
