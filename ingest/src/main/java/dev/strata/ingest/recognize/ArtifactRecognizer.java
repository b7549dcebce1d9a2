package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import java.util.Map;
import java.util.Optional;

/**
 * Recognizes one evidence format: a path rule (standard locations, with context hints taken from the layout) and a
 * cheap content probe on the first 64 KiB. Recognizers never parse an artifact; they only say what it is and how
 * to cut it. Register new ones in {@link Recognizers#defaults()}.
 */
public interface ArtifactRecognizer {

  /** Format id, lower_snake_case ({@code docker_json_log}); becomes the artifact's {@code source_type}. */
  String sourceType();

  /**
   * @param relPath path relative to the evidence root, '/' separators
   * @return context from the path layout (possibly empty) when the path is a standard location of this format
   */
  Optional<ContextValues> matchPath(String relPath);

  /** Looks at the first bytes of the content. */
  ContentMatch probe(ContentSample sample);

  /**
   * A header the format defines once per artifact (e.g. the VPC Flow Logs field list on the first line), which the
   * collector copies onto every chunk ({@code RawArtifactChunk.format_header}) so each chunk parses on its own; the
   * header bytes stay in chunk 0's payload. Empty for most formats.
   */
  default Optional<String> formatHeader(ContentSample sample) {
    return Optional.empty();
  }

  /**
   * As {@link #formatHeader(ContentSample)}, for a format whose header the user may configure by where the artifact
   * was found (e.g. a custom VPC flow log format for a CloudWatch Logs export prefix, {@link VpcFlowLogFormats}).
   *
   * @param relPath path relative to the evidence root (or {@code s3://bucket/key}), '/' separators
   */
  default Optional<String> formatHeader(String relPath, ContentSample sample) {
    return formatHeader(sample);
  }

  /**
   * As {@link #formatHeader(ContentSample)}, for a format whose per-artifact header travels outside its bytes, in the
   * metadata of its origin (e.g. a CloudTrail digest's S3 object metadata {@code x-amz-meta-signature}).
   *
   * @param originMetadata the origin's metadata (S3 user metadata keys without {@code x-amz-meta-}); empty if unknown
   */
  default Optional<String> formatHeader(ContentSample sample, Map<String, String> originMetadata) {
    return formatHeader(sample);
  }

  /** True when {@link #formatHeader(ContentSample, Map)} reads the origin's metadata (the collector looks it up). */
  default boolean usesOriginMetadata() {
    return false;
  }

  /**
   * For a one-object JSON document format framed JSON_RECORDS: its record arrays, cut between their elements by
   * {@link dev.strata.ingest.chunk.RecordArraysBoundaryScanner}, which also derives the format header (the document's
   * context) from the whole content. Empty for most formats.
   */
  default Optional<dev.strata.ingest.chunk.RecordArrays> recordArrays() {
    return Optional.empty();
  }
}
