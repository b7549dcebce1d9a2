package dev.strata.sink.s3;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.correlate.Incident;
import dev.strata.sink.AvroJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A copy of every incident revision in the evidence bucket, next to the evidence it points to:
 * {@code <prefix>incidents/<incident_id>/<revision>.json} ({@link AvroJson}, pretty-printed). Same id and revision,
 * same bytes: a replay overwrites with identical content. The SHA-256 is sent (the server checks it) and kept as
 * {@code x-amz-meta-sha256}.
 */
public final class IncidentArchive {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final S3EvidenceStore store;

  public IncidentArchive(S3EvidenceStore store) {
    this.store = store;
  }

  public String key(String incidentId, int revision) {
    if (!incidentId.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new IllegalArgumentException("not an incident id: " + incidentId);
    }
    return store.config().keyPrefix() + "incidents/" + incidentId + "/" + revision + ".json";
  }

  public static byte[] json(Incident incident) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      AvroJson.write(g, incident);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Stores the incident revision; returns its key. */
  public String put(Incident incident) {
    String key = key(incident.getIncidentId(), incident.getRevision());
    byte[] json = json(incident);
    byte[] sha;
    try {
      sha = MessageDigest.getInstance("SHA-256").digest(json);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder hex = new StringBuilder();
    for (byte b : sha) hex.append(String.format("%02x", b));
    store.client().putObject(
        PutObjectRequest.builder().bucket(store.config().bucket()).key(key).contentType("application/json")
            .contentLength((long) json.length).checksumSHA256(Base64.getEncoder().encodeToString(sha))
            .metadata(java.util.Map.of(S3EvidenceStore.META_SHA256, hex.toString())).build(),
        RequestBody.fromBytes(json));
    return key;
  }

  /** Reads one stored revision back. */
  public Incident get(String incidentId, int revision) throws IOException {
    byte[] bytes = store.client().getObjectAsBytes(
        GetObjectRequest.builder().bucket(store.config().bucket()).key(key(incidentId, revision)).build()).asByteArray();
    return AvroJson.read(JSON.readTree(bytes), Incident.class);
  }
}
