package dev.strata.sink;

import java.io.Serializable;
import java.util.Objects;

/** A credential. {@link #toString()} is {@code ***} so it never reaches a log; {@link #reveal()} to use it. */
public final class Secret implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "secret");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  /** Null for null or blank input (an unset environment variable). */
  public static Secret ofNullable(String value) {
    return value == null || value.isBlank() ? null : new Secret(value);
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return "***";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
