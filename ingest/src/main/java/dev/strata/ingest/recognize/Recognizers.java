package dev.strata.ingest.recognize;

import dev.strata.ingest.chunk.BoundaryScanner;
import dev.strata.ingest.chunk.ParquetRowGroupScanner;
import dev.strata.ingest.chunk.RecordArraysBoundaryScanner;
import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The registered formats (an explicit list, not a classpath scan) and the decision rule:
 *
 * <ol>
 *   <li>content decides: the first recognizer (in list order) whose probe is STRONG wins, whatever the path; if the
 *       path is a standard location of another format, a warning says so;
 *   <li>else a WEAK probe (consistent, but the sample could not prove it) wins only if the same format's path rule
 *       matches;
 *   <li>else the file is not recognized; if a path rule matched, the detail names the format and why its content
 *       probe failed.
 * </ol>
 * Path-layout context hints come only from the winning format's path rule.
 */
public final class Recognizers {
  private Recognizers() {}

  /** The formats known to the file collector. */
  public static List<ArtifactRecognizer> defaults() {
    return List.of(new SystemdJournalRecognizer(), new LibpodStateRecognizer(), new LibpodStateWalRecognizer(), new DockerJsonLogRecognizer(), new K8sAuditRecognizer(), new AwsCloudTrailRecognizer(),
        new AwsCloudTrailDigestRecognizer(), new AwsVpcFlowRecognizer(), new AwsVpcFlowParquetRecognizer(),
        new AwsEcsTaskMetadataRecognizer(),
        new FalcoAlertRecognizer(),
        new TetragonEventRecognizer(),
        new DockerContainerConfigRecognizer(),
        new K8sEventRecognizer(),
        new K8sPodRecognizer(),
        new AwsVpcCniRecognizer(),
        new K8sNodeRecognizer(),
        new K8sServiceRecognizer(),
        new AwsEc2InstancesRecognizer(),
        new AwsEc2NetworkInterfacesRecognizer(),
        new CriLogRecognizer(),
        new DockerDaemonLogRecognizer(),
        new ContainerdDaemonLogRecognizer(),
        new CrioDaemonLogRecognizer(),
        new KubeletLogRecognizer(),
        new PodmanEventsRecognizer(),
        new OciRuntimeConfigRecognizer(),
        new PodmanContainersJsonRecognizer(),
        new DockerEventsRecognizer(),
        new DockerDiffRecognizer(),
        new CrictlInspectRecognizer(),
        new DockerInspectRecognizer(),
        new DockerImageRecognizer(),
        new OverlayUpperChangesRecognizer(),
        new SpdxSbomRecognizer(),
        new CycloneDxSbomRecognizer(),
        new SyftSbomRecognizer(),
        new GrypeScanRecognizer(),
        new CosignVerifyRecognizer(),
        new TrivyScanRecognizer(),
        new DockerLocalLogRecognizer());
  }

  /** The format header the recognizer of {@code sourceType} finds in the sample (see ArtifactRecognizer), or null. */
  public static String formatHeader(List<ArtifactRecognizer> recognizers, String sourceType, ContentSample sample) {
    return formatHeader(recognizers, sourceType, sample, Map::of);
  }

  /**
   * As above, for a collector that can look up the origin's metadata (S3 object metadata, sidecar files): asked only
   * when the recognizer {@link ArtifactRecognizer#usesOriginMetadata() uses it}.
   */
  public static String formatHeader(List<ArtifactRecognizer> recognizers, String sourceType, ContentSample sample,
      Supplier<Map<String, String>> originMetadata) {
    return formatHeader(recognizers, sourceType, "", sample, originMetadata);
  }

  /** As above, for a collector that knows where the artifact was found ({@code relPath}, or s3://bucket/key). */
  public static String formatHeader(List<ArtifactRecognizer> recognizers, String sourceType, String relPath,
      ContentSample sample, Supplier<Map<String, String>> originMetadata) {
    for (ArtifactRecognizer r : recognizers) {
      if (r.sourceType().equals(sourceType)) {
        return (r.usesOriginMetadata() ? r.formatHeader(sample, originMetadata.get()) : r.formatHeader(relPath, sample))
            .orElse(null);
      }
    }
    return null;
  }

  /**
   * The boundary scanner for a recognized artifact: the format's record arrays scanner for a JSON_RECORDS document
   * format that names them ({@link ArtifactRecognizer#recordArrays}); for CRI and Docker json-file logs a line scanner
   * that never cuts inside a split message ({@link dev.strata.ingest.chunk.SplitMessageLineScanner}); else the
   * framing's scanner.
   */
  public static BoundaryScanner boundaryScanner(List<ArtifactRecognizer> recognizers, Recognition rec) {
    if (rec.framing() == Framing.LINES && rec.detail() != null && rec.detail().startsWith(SubscriptionMessages.DETAIL)) {
      return new dev.strata.ingest.chunk.JsonValuesBoundaryScanner(); // Firehose's back-to-back messages
    }
    if (rec.framing() == Framing.LINES && CriLogRecognizer.SOURCE_TYPE.equals(rec.sourceType())) {
      return dev.strata.ingest.chunk.SplitMessageLineScanner.cri(); // P pieces stay with their F line
    }
    if (rec.framing() == Framing.LINES && DockerJsonLogRecognizer.SOURCE_TYPE.equals(rec.sourceType())) {
      return dev.strata.ingest.chunk.SplitMessageLineScanner.dockerJson(); // 16 KiB pieces stay with their end
    }
    if (rec.framing() == Framing.JSON_RECORDS) {
      for (ArtifactRecognizer r : recognizers) {
        if (r.sourceType().equals(rec.sourceType()) && r.recordArrays().isPresent()) {
          return new RecordArraysBoundaryScanner(r.recordArrays().get());
        }
      }
    }
    return BoundaryScanner.forFraming(rec.framing());
  }

  /**
   * As above, for a collector that has the artifact as a file: PARQUET_ROW_GROUPS reads the file's footer first
   * ({@link ParquetRowGroupScanner#of}; of a gzip-compressed file, from one extra pass over its decompressed content
   * within {@code limits}); a file whose footer is unreadable is one record.
   */
  public static BoundaryScanner boundaryScanner(List<ArtifactRecognizer> recognizers, Recognition rec,
      java.nio.file.Path file, boolean gzip, dev.strata.ingest.chunk.ContentReader.GzipLimits limits)
      throws java.io.IOException {
    if (rec.framing() == Framing.PARQUET_ROW_GROUPS && file != null) {
      Optional<ParquetRowGroupScanner> groups;
      if (gzip) {
        try (var content = dev.strata.ingest.chunk.ContentReader.open(file, true, limits, null)) {
          groups = ParquetRowGroupScanner.of(content);
        }
      } else {
        groups = ParquetRowGroupScanner.of(file);
      }
      if (groups.isPresent()) return groups.get();
    }
    return boundaryScanner(recognizers, rec);
  }

  public static Recognition recognize(List<ArtifactRecognizer> recognizers, String relPath, ContentSample sample) {
    List<Probe> probes = new ArrayList<>();
    for (ArtifactRecognizer r : recognizers) {
      probes.add(new Probe(r, r.matchPath(relPath), r.probe(sample)));
    }
    for (Probe p : probes) {
      if (p.content.strength() == ContentMatch.Strength.STRONG) {
        List<String> warnings = new ArrayList<>();
        for (Probe other : probes) {
          if (other != p && other.path.isPresent() && !p.path.isPresent()) {
            warnings.add("path looks like " + other.r.sourceType() + " but the content is " + p.r.sourceType()
                + " (" + p.content.detail() + ")");
          }
        }
        return new Recognition(p.r.sourceType(), p.content.framing(), p.path.orElse(ContextValues.EMPTY),
            p.content.detail() + (p.path.isPresent() ? "; standard path" : ""), warnings);
      }
    }
    for (Probe p : probes) {
      if (p.content.strength() == ContentMatch.Strength.WEAK && p.path.isPresent()) {
        return new Recognition(p.r.sourceType(), p.content.framing(), p.path.get(),
            p.content.detail() + "; standard path", List.of());
      }
    }
    StringBuilder detail = new StringBuilder();
    for (Probe p : probes) {
      if (p.path.isPresent()) {
        if (detail.length() > 0) {
          detail.append("; ");
        }
        detail.append("path matches ").append(p.r.sourceType()).append(" but content does not: ")
            .append(p.content.detail());
      }
    }
    if (detail.length() == 0) {
      detail.append("no recognizer matched the content or path");
    }
    return new Recognition(null, null, ContextValues.EMPTY, detail.toString(), List.of());
  }

  private record Probe(ArtifactRecognizer r, Optional<ContextValues> path, ContentMatch content) {}
}
