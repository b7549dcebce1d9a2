package dev.strata.parse;

/**
 * The whole chunk is unusable for this parser (not just one record). {@link ChunkParser} turns it into one dead
 * letter carrying the chunk's payload. Permanent: the same input fails the same way.
 */
public class ParseException extends Exception {

  private static final long serialVersionUID = 1L;

  private final RejectReason reason;

  public ParseException(RejectReason reason, String message) {
    this(reason, message, null);
  }

  public ParseException(RejectReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason == null ? RejectReason.PARSER_ERROR : reason;
  }

  public RejectReason reason() {
    return reason;
  }
}
