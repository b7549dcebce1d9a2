package dev.strata.parse;

/** The bounded set of reasons a record is rejected at the parse stage. {@link #code()} goes on the dead letter. */
public enum RejectReason {
  /** The record's bytes are not (complete, valid) JSON, or not the JSON type the format requires. */
  MALFORMED_JSON("malformed_json"),
  /** Valid JSON, but a field the format cannot do without is absent or has the wrong type. */
  MISSING_FIELD("missing_field"),
  /** A timestamp the record cannot be placed without is unusable (a bad timestamp alone is only a warning). */
  BAD_TIMESTAMP("bad_timestamp"),
  /** The collector cut the record at its max record size; the full bytes are in the evidence store. */
  RECORD_TOO_LARGE("record_too_large"),
  /** A version of the format this parser does not support. */
  UNSUPPORTED_VERSION("unsupported_version"),
  /** No parser for the chunk's source_type, or the parser's probe refused the bytes. */
  NOT_RECOGNIZED("not_recognized"),
  /** A text record that does not follow its format's line grammar (e.g. a CRI log line without stream or tag). */
  MALFORMED_RECORD("malformed_record"),
  /** A bug or unexpected failure inside a parser. */
  PARSER_ERROR("parser_error");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  /** The lower_snake_case code used on dead letters. */
  public String code() {
    return code;
  }

  @Override
  public String toString() {
    return code;
  }
}
