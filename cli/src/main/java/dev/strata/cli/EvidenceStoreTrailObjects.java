package dev.strata.cli;

import dev.strata.ingest.cloudtrail.TrailObjects;
import dev.strata.ingest.recognize.AwsCloudTrailDigestRecognizer;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.sink.s3.OriginMetadataRecord;
import dev.strata.sink.s3.S3EvidenceStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The CloudTrail log and digest files that were collected into the S3 evidence store ({@code aws_cloudtrail} and
 * {@code aws_cloudtrail_digest} artifacts), for {@code strata verify-trail --evidence-store}: ids are the origins the
 * manifests record (a bundle path or {@code s3://bucket/key}, matched by their {@code AWSLogs/...} tail), bytes are
 * read back verified against their SHA-256. A digest's own signature is the S3 metadata it was collected with
 * ({@code x-amz-meta-signature} and {@code x-amz-meta-signature-algorithm} from the puller, or a {@code .sig} / {@code .metadata.json} sidecar), which the store
 * keeps next to the bytes ({@link S3EvidenceStore#originMetadata}); a digest collected without it is verified with the
 * signature its successor records ({@code previousDigestSignature}).
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

  /**
   * The metadata recorded with this sighting of the digest, else with any sighting of the same bytes that carries a
   * signature (its signature and signature algorithm stay together: they come from one S3 HeadObject).
   */
  @Override
  public Map<String, String> originMetadata(String id) throws IOException {
    String sha = shaByOrigin.get(id);
    if (sha == null) return Map.of();
    Map<String, String> any = Map.of();
    for (OriginMetadataRecord r : store.originMetadata(sha)) {
      String sig = r.metadata().get(AwsCloudTrailDigestRecognizer.SIGNATURE_KEY);
      if (sig == null || sig.isBlank()) continue;
      if (id.equals(r.origin())) return r.metadata();
      if (any.isEmpty()) any = r.metadata();
    }
    return any;
  }

  @Override
  public String describe(String id) {
    String sha = shaByOrigin.get(id);
    return sha == null ? id : id + " (" + store.storageUri(sha) + ")";
  }
}
