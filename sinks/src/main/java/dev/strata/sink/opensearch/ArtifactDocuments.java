package dev.strata.sink.opensearch;

import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.sink.AvroJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@link ArtifactManifest} (one sighting of an artifact) to OpenSearch document, same JSON rules as
 * {@link EventDocuments}. Document id = SHA-256 of (artifact_sha256, origin, collector.run_id), NUL-separated: one
 * document per artifact, origin and run.
 */
public final class ArtifactDocuments implements DocumentMapper<ArtifactManifest> {
  private static final long serialVersionUID = 1L;

  /** Into {@value IndexTemplates#ARTIFACTS_INDEX}. */
  public static final ArtifactDocuments DEFAULT = new ArtifactDocuments(IndexTemplates.ARTIFACTS_INDEX);

  private final String index;

  public ArtifactDocuments(String index) {
    this.index = index;
  }

  public static byte[] toJson(ArtifactManifest m) {
    return Json.bytes(1024, g -> AvroJson.write(g, m));
  }

  public static String documentId(ArtifactManifest m) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      String key = m.getArtifactSha256() + "\0" + m.getOrigin() + "\0" + m.getCollector().getRunId();
      return HexFormat.of().formatHex(d.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String index(ArtifactManifest m) {
    return index;
  }

  @Override
  public String id(ArtifactManifest m) {
    return documentId(m);
  }

  @Override
  public byte[] source(ArtifactManifest m) {
    return toJson(m);
  }
}
