package dev.strata.parse.formats.dockerjsonlog;

import java.util.Map;

/** One json-file line (a whole message, or a piece of one), as read. */
final class DockerLine {
  /** The log text without its final "\n" (if it had one). */
  String body;
  /** The log text ended with "\n": the message is complete (otherwise the daemon split it). */
  boolean complete;
  String stream;
  String time;
  Map<String, String> attrs;
  /** Fields other than log/stream/time/attrs, as text. */
  Map<String, String> extra;
  /** Every byte of the line is ASCII (raw text can be decoded without UTF-8 checks). */
  boolean ascii;

  void setLog(String log) {
    complete = log.endsWith("\n");
    body = complete ? log.substring(0, log.length() - 1) : log;
  }
}
