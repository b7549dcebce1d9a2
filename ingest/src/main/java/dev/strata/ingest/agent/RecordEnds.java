package dev.strata.ingest.agent;

import dev.strata.ingest.recognize.CriLogRecognizer;
import dev.strata.ingest.recognize.DockerJsonLogRecognizer;
import java.nio.charset.StandardCharsets;

/**
 * Where the last complete record ends in a run of lines, for the formats whose records can span lines: CRI logs
 * ({@code P} pieces up to the {@code F} line) and Docker json-file logs (pieces of a message over 16 KiB whose
 * {@code log} value does not end with {@code \n}). Segments are cut there, so a split message stays in one segment
 * and the parser joins it. Only the framing of the bytes is looked at; nothing is parsed. Other formats: every line
 * is a record.
 */
final class RecordEnds {
  private static final byte[] DOCKER_STREAM = "\",\"stream\":".getBytes(StandardCharsets.US_ASCII);

  private RecordEnds() {}

  /** True when lines of {@code sourceType} can be pieces of one record. */
  static boolean multiLine(String sourceType) {
    return CriLogRecognizer.SOURCE_TYPE.equals(sourceType) || DockerJsonLogRecognizer.SOURCE_TYPE.equals(sourceType);
  }

  /**
   * @param lastNewline index of the last '\n' in {@code b} (the end of the last complete line)
   * @return index of the '\n' ending the last complete record at or before {@code lastNewline}, or -1 when every line
   *     up to there is a piece of a record still open
   */
  static int lastRecordEnd(String sourceType, byte[] b, int lastNewline) {
    if (!multiLine(sourceType)) {
      return lastNewline;
    }
    boolean cri = CriLogRecognizer.SOURCE_TYPE.equals(sourceType);
    int end = lastNewline;
    while (end >= 0) {
      int start = end - 1;
      while (start >= 0 && b[start] != '\n') {
        start--;
      }
      start++;
      boolean piece = cri ? criPartial(b, start, end) : dockerPartial(b, start, end);
      if (!piece) {
        return end;
      }
      end = start - 1;
    }
    return -1;
  }

  /** {@code <time> <stream> P[:tags] <content>}: the tag after the second space starts with P. */
  private static boolean criPartial(byte[] b, int s, int e) {
    int spaces = 0;
    for (int i = s; i < e && i < s + 128; i++) {
      if (b[i] == ' ' && ++spaces == 2) {
        return i + 1 < e && b[i + 1] == 'P';
      }
    }
    return false;
  }

  /** {@code {"log":"...","stream":...}}: a piece when the log value does not end with an escaped newline. */
  private static boolean dockerPartial(byte[] b, int s, int e) {
    int at = indexOf(b, s, e, DOCKER_STREAM);
    if (at < 0 || at - 2 < s) {
      return false; // not the usual field order: treat the line as a record
    }
    if (b[at - 1] != 'n') {
      return true;
    }
    int backslashes = 0;
    for (int i = at - 2; i >= s && b[i] == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 0; // "\n" escape needs an odd run of backslashes before the n
  }

  private static int indexOf(byte[] b, int s, int e, byte[] needle) {
    outer:
    for (int i = s; i + needle.length <= e; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (b[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
