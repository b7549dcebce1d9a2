package dev.strata.sink.opensearch;

import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.sink.AvroJson;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@link DeadLetter} to OpenSearch document: the fields as in {@link EventDocuments}, except {@code original}, which
 * becomes {@code original_b64} (all bytes, base64; mapped {@code binary}: stored, not indexed) and
 * {@code original_text} (a UTF-8 preview of the first {@value #PREVIEW_BYTES} bytes, invalid sequences replaced by
 * U+FFFD, searchable). Document id = {@code dead_letter_id}.
 */
public final class DeadLetterDocuments implements DocumentMapper<DeadLetter> {
  private static final long serialVersionUID = 1L;
  public static final int PREVIEW_BYTES = 4096;

  /** Into {@value IndexTemplates#DEAD_LETTERS_INDEX}. */
  public static final DeadLetterDocuments DEFAULT = new DeadLetterDocuments(IndexTemplates.DEAD_LETTERS_INDEX);

  private final String index;

  public DeadLetterDocuments(String index) {
    this.index = index;
  }

  /** The document source of a dead letter. */
  public static byte[] toJson(DeadLetter d) {
    ByteBuffer original = d.getOriginal() == null ? ByteBuffer.allocate(0) : d.getOriginal().duplicate();
    byte[] bytes = new byte[original.remaining()];
    original.get(bytes);
    return Json.bytes(1024 + bytes.length * 2, g -> {
      g.writeStartObject();
      AvroJson.writeFields(g, d, name -> !name.equals("original"));
      g.writeStringField("original_b64", Base64.getEncoder().encodeToString(bytes));
      g.writeStringField("original_text", preview(bytes, PREVIEW_BYTES));
      g.writeEndObject();
    });
  }

  /** UTF-8 text of the first {@code max} bytes; a multi-byte character cut at the end is dropped, not replaced. */
  static String preview(byte[] bytes, int max) {
    int n = Math.min(bytes.length, max);
    if (n < bytes.length) {
      // do not cut inside a UTF-8 sequence: back up over continuation bytes to the lead byte
      int i = n;
      while (i > 0 && i > n - 4 && (bytes[i] & 0xC0) == 0x80) {
        i--;
      }
      if ((bytes[i] & 0xC0) == 0x80 || i == n) {
        i = n;
      }
      n = i;
    }
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      CharBuffer cb = dec.decode(ByteBuffer.wrap(bytes, 0, n));
      return cb.toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
  }

  @Override
  public String index(DeadLetter d) {
    return index;
  }

  @Override
  public String id(DeadLetter d) {
    return d.getDeadLetterId();
  }

  @Override
  public byte[] source(DeadLetter d) {
    return toJson(d);
  }
}
