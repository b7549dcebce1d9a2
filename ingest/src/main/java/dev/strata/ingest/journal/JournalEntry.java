package dev.strata.ingest.journal;

import java.util.List;

/**
 * One journal entry as its ENTRY object states it.
 *
 * @param offset the ENTRY object's offset in the file: its position in the evidence
 * @param seqnum the entry's sequence number (within {@code seqnumId})
 * @param realtime wall-clock time, microseconds since the epoch
 * @param monotonic microseconds since the boot {@code bootId}
 * @param bootId 32 hex digits
 * @param xorHash the XOR of the entry's data hashes (a cursor component)
 * @param seqnumId the file's seqnum id (32 hex digits), a cursor component
 * @param fields the entry's fields in item order (same-named fields may repeat)
 */
public record JournalEntry(long offset, long seqnum, long realtime, long monotonic, String bootId, long xorHash,
    String seqnumId, List<JournalField> fields) {

  /** The cursor journalctl prints for this entry ({@code s=;i=;b=;m=;t=;x=}, hex). */
  public String cursor() {
    return "s=" + seqnumId + ";i=" + Long.toHexString(seqnum) + ";b=" + bootId + ";m=" + Long.toHexString(monotonic)
        + ";t=" + Long.toHexString(realtime) + ";x=" + Long.toHexString(xorHash);
  }

  /** The first field named {@code name}, or null. */
  public JournalField field(String name) {
    for (JournalField f : fields) {
      if (f.name().equals(name)) return f;
    }
    return null;
  }

  /** The first value of {@code name} as text, or null. */
  public String text(String name) {
    JournalField f = field(name);
    return f == null ? null : f.text();
  }
}
