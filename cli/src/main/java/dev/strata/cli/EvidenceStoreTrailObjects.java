package dev.strata.cli;

import dev.strata.ingest.cloudtrail.TrailObjects;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.sink.s3.S3EvidenceStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The CloudTrail log and digest files that were collected into the S3 evidence store ({@code aws_cloudtrail} and
 * {@code aws_cloudtrail_digest} artifacts), for {@code strata verify-trail --evidence-store}: ids are the origins the
 * manifests record (a bundle path or {@code s3://bucket/key}, matched by their {@code AWSLogs/...} tail), bytes are
 * read back verified against their SHA-256. The store keeps an artifact's bytes, not its S3 object metadata, so a
 * digest's own signature is not available here: each digest is verified with the signature its successor records
 * ({@code previousDigestSignature}), and the newest digest of a chain stays UNVERIFIABLE.
 */
final class EvidenceStoreTrailObjects implements TrailObjects {
  static final Set<String> SOURCE_TYPES = Set.of("aws_cloudtrail", "aws_cloudtrail_digest");

  private final S3EvidenceStore store;
  private final Map<String, String> shaByOrigin = new TreeMap<>();

  EvidenceStoreTrailObjects(S3EvidenceStore store) {
    this.store = store;
  }

  @Override
  public List<String> ids() throws IOException {
    shaByOrigin.clear();
    String prefix = store.artifactsPrefix();
    for (var o : store.listArtifacts()) {
      String sha = o.key().substring(prefix.length());
      for (ArtifactManifest m : store.manifests(sha)) {
        if (SOURCE_TYPES.contains(m.getSourceType())) shaByOrigin.put(m.getOrigin(), sha);
      }
    }
    return new ArrayList<>(shaByOrigin.keySet());
  }

  @Override
  public InputStream open(String id) throws IOException {
    String sha = shaByOrigin.get(id);
    if (sha == null) throw new IOException("not in the evidence store: " + id);
    return store.openVerified(sha);
  }

  @Override
  public Optional<String> signature(String id) {
    return Optional.empty();
  }

  @Override
  public String describe(String id) {
    String sha = shaByOrigin.get(id);
    return sha == null ? id : id + " (" + store.storageUri(sha) + ")";
  }
}
