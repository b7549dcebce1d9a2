package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code trivy_scan}: Trivy's JSON report ({@code trivy image|fs|rootfs|repo|sbom -f json}: an object with
 * {@code SchemaVersion}, {@code ArtifactName}, {@code ArtifactType}, {@code Metadata}, {@code Results}; {@code trivy k8s
 * -f json}: {@code ClusterName} and {@code Resources}; Trivy before 0.20: a bare array of {@code Target} /
 * {@code Vulnerabilities} results).
 *
 * <p>Path: none standard ({@code **}{@code /trivy*.json*} and {@code *.trivy.json*} make a schema-1 array enough).
 * Content: the first object's top-level members (read until the sample ends) include {@code SchemaVersion} and
 * {@code ArtifactName} or {@code Results}, or {@code ClusterName} and {@code Resources}: strong; a first array element
 * with {@code Target} and {@code Vulnerabilities} (schema 1): weak. Framing WHOLE: a report is one document (findings
 * are nested in results); a report bigger than the collector's max record size is cut and dead-lettered.
 */
public final class TrivyScanRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "trivy_scan";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:trivy[^/]*|[^/]*\\.trivy)\\.json[^/]*");

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    return PATH.matcher(relPath).matches() ? Optional.of(ContextValues.EMPTY) : Optional.empty();
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) return ContentMatch.none("no content");
    byte[] b = sample.bytes();
    if (b[start] != '{' && b[start] != '[') return ContentMatch.none("not JSON");
    boolean schemaVersion = false;
    boolean artifactName = false;
    boolean results = false;
    boolean clusterName = false;
    boolean resources = false;
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_ARRAY) {
        if (p.nextToken() != JsonToken.START_OBJECT) return ContentMatch.none("not a Trivy report");
        boolean target = false;
        boolean vulnerabilities = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          p.nextToken();
          p.skipChildren();
          if (f.equals("Target")) target = true;
          else if (f.equals("Vulnerabilities")) vulnerabilities = true;
        }
        return target && vulnerabilities
            ? ContentMatch.weak(Framing.WHOLE, "Trivy results array (schema 1)")
            : ContentMatch.none("not a Trivy report");
      }
      if (t != JsonToken.START_OBJECT) return ContentMatch.none("not a Trivy report");
      try {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          switch (p.currentName()) {
            case "SchemaVersion" -> schemaVersion = true;
            case "ArtifactName" -> artifactName = true;
            case "Results" -> results = true;
            case "ClusterName" -> clusterName = true;
            case "Resources" -> resources = true;
            default -> {}
          }
          p.nextToken();
          p.skipChildren();
        }
      } catch (IOException cutBySample) {
        // the members seen so far decide
      }
    } catch (IOException e) {
      return ContentMatch.none("not JSON");
    }
    if (schemaVersion && (artifactName || results)) {
      return ContentMatch.strong(Framing.WHOLE, "Trivy JSON report (SchemaVersion, ArtifactName/Results)");
    }
    if (clusterName && resources) return ContentMatch.strong(Framing.WHOLE, "Trivy k8s JSON report");
    return ContentMatch.none("not a Trivy report");
  }
}
