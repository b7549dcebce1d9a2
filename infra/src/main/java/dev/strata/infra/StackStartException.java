package dev.strata.infra;

/** A component of the embedded stack failed to start; the message names the component and says what to check. */
public final class StackStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient StackComponent component;

  /** A failure of {@code component}, with {@code message} saying what went wrong and what to do. */
  public StackStartException(StackComponent component, String message, Throwable cause) {
    super(component.id() + " failed to start: " + message, cause);
    this.component = component;
  }

  /** The component that failed. */
  public StackComponent component() {
    return component;
  }
}
