package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code docker_diff}: {@code docker diff <container>} output, lines {@code A|C|D /path}.
 *
 * <p>Path: {@code **}{@code /<id>.diff[.txt]}, {@code **}{@code /docker-diff*}, {@code **}{@code /*diff*.txt}
 * (backs only a weak probe). Content: every non-blank line of the sample (at most 200) is {@code [ACD] /...}: STRONG
 * when there are at least three such lines or the sample is the whole content, else WEAK. Framing: LINES.
 */
public final class DockerDiffRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "docker_diff";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:[0-9a-f]{12,64}\\.diff(?:\\.txt)?|(?:docker|container|podman)[-_]diff[^/]*"
          + "|[^/]*diff[^/]*\\.txt)");

  public DockerDiffRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 200);
    if (lines.isEmpty()) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    int ok = 0;
    for (JsonSniff.Line l : lines) {
      int s = l.offset();
      if (!l.complete()) break; // cut by the sample
      if (l.length() < 3 || (b[s] != 'A' && b[s] != 'C' && b[s] != 'D') || b[s + 1] != ' ' || b[s + 2] != '/') {
        return ContentMatch.none("a line is not '<A|C|D> /path'");
      }
      ok++;
    }
    if (ok >= 3 || (ok > 0 && sample.complete())) {
      return ContentMatch.strong(Framing.LINES, "docker diff lines (A|C|D /path)");
    }
    return ok > 0 ? ContentMatch.weak(Framing.LINES, "few docker diff lines") : ContentMatch.none("no complete line");
  }
}
