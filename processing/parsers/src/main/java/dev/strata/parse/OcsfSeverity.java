package dev.strata.parse;

/** OCSF {@code severity_id} values and their captions (OCSF 1.3.0, the base event's {@code severity}). */
public final class OcsfSeverity {
  private OcsfSeverity() {}

  /** The OCSF caption of a severity id: 1 Informational … 6 Fatal; 0 and anything else Unknown. */
  public static String name(int id) {
    return switch (id) {
      case 1 -> "Informational";
      case 2 -> "Low";
      case 3 -> "Medium";
      case 4 -> "High";
      case 5 -> "Critical";
      case 6 -> "Fatal";
      default -> "Unknown";
    };
  }
}
