package dev.strata.sink.s3;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.sink.AvroJson;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The binding facts the correlation job writes, kept in the evidence bucket next to the evidence they cite:
 * batches of JSON lines (one {@link EntityBinding} per line, {@link AvroJson}, in write order) at
 * {@code <prefix>bindings/<yyyy>/<mm>/<dd>/<sha256 of the batch>.jsonl}, the date that of the batch's first fact
 * ({@code valid_from}, UTC). Content-addressed and written once: the same batch is the same key and the same bytes,
 * a replay that cuts its batches differently writes other objects with the same facts (readers keep the highest
 * {@code revision} per {@code binding_id}, as the Kafka topic's readers do). The SHA-256 is sent (the server checks
 * it) and kept as {@code x-amz-meta-sha256}.
 */
public final class BindingArchive {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final S3EvidenceStore store;

  public BindingArchive(S3EvidenceStore store) {
    this.store = store;
  }

  /** The key prefix of every batch. */
  public String prefix() {
    return store.config().keyPrefix() + "bindings/";
  }

  /** One fact as one JSON line (with its newline). */
  public static byte[] line(EntityBinding b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      AvroJson.write(g, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /**
   * Stores a batch of JSON lines ({@link #line}) whose first fact started at {@code firstValidFromMicros}; returns its
   * key.
   */
  public String put(byte[] lines, long firstValidFromMicros) {
    byte[] sha;
    try {
      sha = MessageDigest.getInstance("SHA-256").digest(lines);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String hex = HexFormat.of().formatHex(sha);
    java.time.LocalDate day = java.time.Instant.EPOCH.plusNanos(Math.max(0, firstValidFromMicros) * 1000)
        .atOffset(ZoneOffset.UTC).toLocalDate();
    String key = String.format(java.util.Locale.ROOT, "%s%04d/%02d/%02d/%s.jsonl", prefix(), day.getYear(),
        day.getMonthValue(), day.getDayOfMonth(), hex);
    store.client().putObject(
        PutObjectRequest.builder().bucket(store.config().bucket()).key(key).contentType("application/x-ndjson")
            .contentLength((long) lines.length).checksumSHA256(Base64.getEncoder().encodeToString(sha))
            .metadata(Map.of(S3EvidenceStore.META_SHA256, hex)).build(),
        RequestBody.fromBytes(lines));
    return key;
  }

  /** Every stored batch key, in key order. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (S3Object o : store.client().listObjectsV2Paginator(
        ListObjectsV2Request.builder().bucket(store.config().bucket()).prefix(prefix()).build()).contents()) {
      keys.add(o.key());
    }
    return keys;
  }

  /** The facts of one stored batch, verified against the SHA-256 its key names. */
  public List<EntityBinding> read(String key) throws IOException {
    byte[] bytes = store.client().getObjectAsBytes(
        GetObjectRequest.builder().bucket(store.config().bucket()).key(key).build()).asByteArray();
    String name = key.substring(key.lastIndexOf('/') + 1, key.length() - ".jsonl".length());
    try {
      String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      if (!actual.equals(name)) throw new IOException("binding batch " + key + " does not hash to its name: " + actual);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    List<EntityBinding> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        if (!l.isBlank()) out.add(AvroJson.read(JSON.readTree(l), EntityBinding.class));
      }
    }
    return out;
  }
}
