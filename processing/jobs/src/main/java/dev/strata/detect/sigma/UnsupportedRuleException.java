package dev.strata.detect.sigma;

/** Why a rule cannot be evaluated: a bounded reason code (see {@link SigmaRuleSet.Unsupported}) and the detail. */
public final class UnsupportedRuleException extends Exception {
  private final String reason;

  public UnsupportedRuleException(String reason, String detail) {
    super(detail);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
