package dev.strata.ingest.chunk;

/** The line scanners' counting: every line is a record, whatever boundaries the scanner reports. */
abstract class LineRecords implements BoundaryScanner {
  protected long newlines;

  @Override
  public final long newlines() {
    return newlines;
  }

  @Override
  public final long boundaries() {
    return newlines;
  }
}
