package dev.strata.parse;

import java.util.function.Function;

/**
 * A JSON record format that other logs carry as their messages: Falco prints its alerts on stdout, so a node's
 * {@code /var/log/pods/<ns>_falco-xxxxx_<uid>/falco/0.log} (or the Falco container's Docker json-file log) holds the
 * alerts inside CRI / json-file lines; Tetragon's {@code export-stdout} container does the same with its events. A
 * container log parser hands each message that starts with '{' to {@link CarriedRecords}, which asks the
 * formats listed in {@code dev.strata.parse.formats.CarriedFormats} whether the message looks like one of their
 * records and, if so, maps it with the format's own mapper.
 */
public interface EmbeddedJsonFormat {

  /** The format id of the records (their events' source_format), e.g. {@code falco_alert}. */
  String format();

  /**
   * A cheap test on a message [s, e) of {@code b} that starts with '{': true when it looks like one of this format's
   * records (the mapping decides; a record it refuses stays a plain log line).
   */
  boolean looksLike(byte[] b, int s, int e);

  /** A mapper for the records of one chunk, making its events through {@code ctx}. */
  JsonRecordStream.RecordMapper mapper(ChunkContext ctx);

  /** A test on a message's bytes [s, e). */
  @FunctionalInterface
  interface Sniff {
    boolean test(byte[] b, int s, int e);
  }

  /** A carried format of its id, its sniff and its mapper's constructor (e.g. {@code MyMapper::new}). */
  static EmbeddedJsonFormat of(String format, Sniff looksLike,
      Function<ChunkContext, ? extends JsonRecordStream.RecordMapper> mappers) {
    return new EmbeddedJsonFormat() {
      @Override
      public String format() {
        return format;
      }

      @Override
      public boolean looksLike(byte[] b, int s, int e) {
        return looksLike.test(b, s, e);
      }

      @Override
      public JsonRecordStream.RecordMapper mapper(ChunkContext ctx) {
        return mappers.apply(ctx);
      }
    };
  }

  /** True when [s, e) of {@code b} contains {@code needle}. */
  static boolean contains(byte[] b, int s, int e, byte[] needle) {
    int last = e - needle.length;
    byte first = needle[0];
    outer:
    for (int i = s; i <= last; i++) {
      if (b[i] != first) continue;
      for (int k = 1; k < needle.length; k++) if (b[i + k] != needle[k]) continue outer;
      return true;
    }
    return false;
  }
}
