package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code cri_log}: the CRI container log format of containerd and CRI-O (kubelet {@code pkg/kubelet/kuberuntime/logs}).
 *
 * <p>Path: {@code **}{@code /pods/<namespace>_<pod>_<pod-uid>/<container>/<restart>.log}, rotated
 * {@code <restart>.log.<timestamp>} and {@code .gz}; the kubelet's links
 * {@code **}{@code /containers/<pod>_<namespace>_<container>-<64 hex>.log} (the walker records links as aliases and
 * collects the real file once); Podman's k8s-file log driver {@code **}{@code /overlay-containers/<64 hex>/userdata/ctr.log}
 * (same line format, written by conmon). Content: the first non-blank line is {@code <RFC 3339 timestamp> <stdout|stderr>
 * <P|F>[:tags] <content>}. Framing: LINES.
 */
public final class CriLogRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "cri_log";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)(?:pods/[^/_]+_[^/_]+_[^/_]+/[^/]+/\\d+\\.log(?:\\.[0-9][0-9T:.-]*)?(?:\\.gz)?"
              + "|containers/[^/_]+_[^/_]+_[^/_]+-[0-9a-f]{64}\\.log"
              + "|overlay-containers/[0-9a-f]{64}/userdata/ctr\\.log)");

  /** Timestamp, stream, tag and the space before the content. */
  static final Pattern LINE =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[Zz]|[+-]\\d{2}:?\\d{2}) (?:stdout|stderr) [PF](?::[^ ]*)? ");

  public CriLogRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    byte[] b = sample.bytes();
    int s = sample.firstSignificant();
    if (s < 0) return ContentMatch.none("no content");
    while (s > 0 && b[s - 1] != '\n') s--; // the line's start (leading blanks are not part of a CRI line)
    int e = s;
    while (e < b.length && b[e] != '\n') e++;
    // the prefix (timestamp, stream, tag) is at most ~80 bytes: a line cut by the sample can still be proved
    String head = new String(b, s, Math.min(e - s, 128), StandardCharsets.ISO_8859_1);
    if (LINE.matcher(head).lookingAt()) {
      return ContentMatch.strong(Framing.LINES, "CRI log lines (timestamp stream P/F content)");
    }
    return ContentMatch.none("first line is not '<timestamp> <stdout|stderr> <P|F> <content>'");
  }
}
