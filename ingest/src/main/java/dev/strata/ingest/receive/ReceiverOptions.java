package dev.strata.ingest.receive;

import dev.strata.ingest.context.ContextValues;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link HttpEvidenceReceiver}; errors name the key ({@code receive.<key>}).
 *
 * @param bind address to listen on (default 0.0.0.0)
 * @param port TCP port (default 8470; 0 = any free port)
 * @param token bearer token required on POSTs, or null (no authentication: only on a trusted network)
 * @param maxBodyBytes largest accepted body (default 4 MiB; larger → 413)
 * @param ackTimeout how long a request waits for Kafka's acknowledgement before answering 503 (default 15 s)
 * @param threads request threads (default 8)
 * @param context cluster/host etc. stamped on every artifact
 */
public record ReceiverOptions(
    String bind, int port, String token, int maxBodyBytes, Duration ackTimeout, int threads, ContextValues context) {
  public static final int DEFAULT_PORT = 8470;

  public ReceiverOptions {
    bind = bind == null || bind.isBlank() ? "0.0.0.0" : bind;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("receive.port: 0..65535, got " + port);
    }
    token = token == null || token.isBlank() ? null : token;
    if (maxBodyBytes < 1024 || maxBodyBytes > 8 * 1024 * 1024 - 64 * 1024) {
      throw new IllegalArgumentException(
          "receive.max_body_bytes: 1 KiB .. 8 MiB - 64 KiB (a body is one Kafka record), got " + maxBodyBytes);
    }
    Objects.requireNonNull(ackTimeout, "receive.ack_timeout");
    if (ackTimeout.isNegative() || ackTimeout.isZero()) {
      throw new IllegalArgumentException("receive.ack_timeout: must be positive");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("receive.threads: at least 1, got " + threads);
    }
    context = context == null ? ContextValues.EMPTY : context;
  }

  public static ReceiverOptions defaults() {
    return new ReceiverOptions("0.0.0.0", DEFAULT_PORT, null, 4 * 1024 * 1024, Duration.ofSeconds(15), 8, ContextValues.EMPTY);
  }

  public ReceiverOptions withPort(int p) {
    return new ReceiverOptions(bind, p, token, maxBodyBytes, ackTimeout, threads, context);
  }

  public ReceiverOptions withBind(String b) {
    return new ReceiverOptions(b, port, token, maxBodyBytes, ackTimeout, threads, context);
  }

  public ReceiverOptions withToken(String t) {
    return new ReceiverOptions(bind, port, t, maxBodyBytes, ackTimeout, threads, context);
  }

  public ReceiverOptions withMaxBodyBytes(int m) {
    return new ReceiverOptions(bind, port, token, m, ackTimeout, threads, context);
  }

  public ReceiverOptions withAckTimeout(Duration d) {
    return new ReceiverOptions(bind, port, token, maxBodyBytes, d, threads, context);
  }

  public ReceiverOptions withContext(ContextValues c) {
    return new ReceiverOptions(bind, port, token, maxBodyBytes, ackTimeout, threads, c);
  }

  @Override
  public String toString() {
    return "ReceiverOptions[bind=" + bind + ", port=" + port + ", token=" + (token == null ? "none" : "***")
        + ", maxBodyBytes=" + maxBodyBytes + ", ackTimeout=" + ackTimeout + ", threads=" + threads + "]";
  }
}
