package dev.strata.ingest.chunk;

/**
 * One chunk as decided in pass 1: its place in the content, its payload's SHA-256 and the CRC-32C pass 2 must find.
 *
 * @param index 0-based chunk index
 * @param offset byte offset of the payload in the content
 * @param length payload length
 * @param firstLine 1-based line number of the payload's first byte
 * @param firstRecord 0-based index of the first record starting in the payload
 * @param sha256 lowercase hex SHA-256 of the payload
 * @param truncatedRecord the payload is the first max_record_bytes of one larger record
 * @param crc32c CRC-32C of the payload: pass 2 checks that it reads the bytes pass 1 hashed
 */
public record PlannedChunk(
    int index,
    long offset,
    int length,
    long firstLine,
    long firstRecord,
    String sha256,
    boolean truncatedRecord,
    int crc32c) {}
