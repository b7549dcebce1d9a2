package dev.strata.ingest.recognize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code cosign_verify}: output of {@code cosign verify} / {@code verify-attestation}, stdout and/or stderr.
 *
 * <p>Path: none standard. Content: the text cosign prints ("Verification for REF --", "The following checks were
 * performed on each of these signatures:"), or JSON whose first element has {@code critical.identity.docker-reference}
 * / {@code critical.image.docker-manifest-digest}, or in-toto attestation lines ({@code payloadType}
 * application/vnd.in-toto+json). Framing WHOLE: the output is small and its text and JSON belong together.
 */
public final class CosignVerifyRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "cosign_verify";
  private static final ObjectMapper M = new ObjectMapper();

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    return Optional.empty();
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) return ContentMatch.none("no content");
    byte[] b = sample.bytes();
    String head = new String(b, start, Math.min(b.length - start, 256), StandardCharsets.UTF_8);
    if (head.startsWith("Verification for ") || head.startsWith("The following checks were performed")) {
      return ContentMatch.strong(Framing.WHOLE, "cosign verify text output");
    }
    if (b[start] != '[' && b[start] != '{') return ContentMatch.none("not cosign output");
    try (var p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken();
      if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.START_ARRAY
          && p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return ContentMatch.none("not a JSON array of objects");
      }
      JsonNode first = M.readTree(p);
      JsonNode crit = first.path("critical");
      if (crit.path("identity").has("docker-reference") || crit.path("image").has("docker-manifest-digest")) {
        return ContentMatch.strong(Framing.WHOLE, "cosign verify JSON output");
      }
      if (first.path("payloadType").asText("").equals("application/vnd.in-toto+json") && first.has("signatures")) {
        return ContentMatch.strong(Framing.WHOLE, "cosign verify-attestation output");
      }
    } catch (Exception e) {
      return ContentMatch.none("not cosign JSON output");
    }
    return ContentMatch.none("not cosign output");
  }
}
