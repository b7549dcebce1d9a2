package dev.strata.parse.parquet;

/** A Parquet file this reader cannot read: not Parquet, corrupt, nested, or with an unsupported codec. */
public final class ParquetFormatException extends Exception {
  public ParquetFormatException(String message) {
    super(message);
  }

  public ParquetFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
