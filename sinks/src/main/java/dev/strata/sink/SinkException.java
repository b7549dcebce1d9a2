package dev.strata.sink;

import java.util.Objects;

/** A write to a destination failed; {@link #failureClass()} says whether a retry can help. */
public class SinkException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final FailureClass failureClass;

  public SinkException(FailureClass failureClass, String message, Throwable cause) {
    super(message, cause);
    this.failureClass = Objects.requireNonNull(failureClass, "failureClass");
  }

  public SinkException(FailureClass failureClass, String message) {
    this(failureClass, message, null);
  }

  public FailureClass failureClass() {
    return failureClass;
  }
}
