package dev.strata.ingest.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The CloudTrail public keys a user supplies to verify digest signatures.
 *
 * <p>CloudTrail identifies the key that signed a digest by {@code digestPublicKeyFingerprint}: the hex MD5 of the
 * key's DER-encoded PKCS #1 {@code RSAPublicKey} (the {@code Value} that {@code aws cloudtrail list-public-keys}
 * returns, base64). Accepted inputs, one file each:
 *
 * <ul>
 *   <li>PEM {@code -----BEGIN PUBLIC KEY-----} (X.509 SubjectPublicKeyInfo) or {@code -----BEGIN RSA PUBLIC KEY-----}
 *       (PKCS #1);
 *   <li>the JSON printed by {@code aws cloudtrail list-public-keys} ({@code {"PublicKeyList":[{"Value":..,
 *       "Fingerprint":..},..]}}), every key in it;
 *   <li>a DER key (PKCS #1 or SubjectPublicKeyInfo), binary or base64 as in that JSON's {@code Value}.
 * </ul>
 */
public final class DigestPublicKeys {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] RSA_ALGORITHM_ID = HexFormat.of().parseHex("300d06092a864886f70d0101010500");

  /** One key with its CloudTrail fingerprint and where it came from. */
  public record Key(String fingerprint, RSAPublicKey publicKey, String source) {}

  private final List<Key> keys;

  private DigestPublicKeys(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  public static DigestPublicKeys none() {
    return new DigestPublicKeys(List.of());
  }

  public static DigestPublicKeys of(List<Key> keys) {
    return new DigestPublicKeys(keys);
  }

  /** A key from a Java RSA public key (tests, callers that fetched keys themselves). */
  public static Key key(RSAPublicKey publicKey, String source) {
    return new Key(fingerprint(publicKey), publicKey, source);
  }

  /** Reads every file; see the class comment for the formats. */
  public static DigestPublicKeys read(List<Path> files) throws IOException {
    List<Key> out = new ArrayList<>();
    for (Path f : files) {
      out.addAll(read(f));
    }
    return new DigestPublicKeys(out);
  }

  static List<Key> read(Path file) throws IOException {
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IOException("cannot read public key file " + file + ": " + e, e);
    }
    String src = file.toString();
    try {
      if (raw.length > 0 && raw[0] == 0x30) {
        return List.of(key(fromDer(raw), src)); // binary DER
      }
      String text = new String(raw, StandardCharsets.ISO_8859_1).strip();
      if (text.startsWith("{")) {
        List<Key> out = new ArrayList<>();
        JsonNode list = JSON.readTree(text).path("PublicKeyList");
        if (!list.isArray() || list.isEmpty()) {
          throw new IOException(file + ": JSON without PublicKeyList[] (expected aws cloudtrail list-public-keys output)");
        }
        int i = 0;
        for (JsonNode k : list) {
          out.add(key(fromDer(Base64.getMimeDecoder().decode(k.path("Value").asText())), src + "#" + i++));
        }
        return out;
      }
      if (text.startsWith("-----BEGIN RSA PUBLIC KEY-----")) {
        return List.of(key(fromPkcs1(pemBody(text)), src));
      }
      if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
        return List.of(key(fromSpki(pemBody(text)), src));
      }
      if (text.startsWith("-----BEGIN")) {
        throw new IOException(file + ": not a public key PEM (want BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY)");
      }
      return List.of(key(fromDer(Base64.getMimeDecoder().decode(text)), src));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException(file + ": not an RSA public key: " + e.getMessage(), e);
    }
  }

  public List<Key> keys() {
    return keys;
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** Keys whose fingerprint is {@code fingerprint} (case-insensitive). */
  public List<Key> byFingerprint(String fingerprint) {
    if (fingerprint == null) {
      return List.of();
    }
    String want = fingerprint.toLowerCase(Locale.ROOT);
    return keys.stream().filter(k -> k.fingerprint().equals(want)).toList();
  }

  /** CloudTrail's fingerprint: hex MD5 of the DER PKCS #1 RSAPublicKey. */
  public static String fingerprint(RSAPublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(pkcs1(key)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** DER PKCS #1 {@code RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }}. */
  public static byte[] pkcs1(RSAPublicKey key) {
    byte[] n = derInteger(key.getModulus());
    byte[] e = derInteger(key.getPublicExponent());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(n);
    body.writeBytes(e);
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] pemBody(String pem) {
    StringBuilder b = new StringBuilder();
    for (String line : pem.split("\\R")) {
      if (!line.startsWith("-----")) {
        b.append(line.strip());
      }
    }
    return Base64.getDecoder().decode(b.toString());
  }

  private static RSAPublicKey fromDer(byte[] der) throws GeneralSecurityException {
    // SubjectPublicKeyInfo starts SEQUENCE { SEQUENCE { OID ...: its second element is a SEQUENCE; PKCS #1 has INTEGERs.
    Der outer = new Der(der, 0);
    Der first = outer.child();
    return first.tag == 0x30 ? fromSpki(der) : fromPkcs1(der);
  }

  private static RSAPublicKey fromSpki(byte[] der) throws GeneralSecurityException {
    PublicKey k = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    if (!(k instanceof RSAPublicKey rsa)) {
      throw new GeneralSecurityException("not an RSA key");
    }
    return rsa;
  }

  private static RSAPublicKey fromPkcs1(byte[] der) throws GeneralSecurityException {
    Der seq = new Der(der, 0);
    if (seq.tag != 0x30) {
      throw new GeneralSecurityException("PKCS #1 key is not a DER SEQUENCE");
    }
    Der n = seq.child();
    Der e = n.next();
    if (n.tag != 0x02 || e.tag != 0x02) {
      throw new GeneralSecurityException("PKCS #1 key: expected two INTEGERs");
    }
    return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
        new RSAPublicKeySpec(new BigInteger(n.value()), new BigInteger(e.value())));
  }

  /** DER SubjectPublicKeyInfo of a PKCS #1 key (for PEM export in tests and tools). */
  public static byte[] spki(byte[] pkcs1) {
    ByteArrayOutputStream bits = new ByteArrayOutputStream();
    bits.write(0);
    bits.writeBytes(pkcs1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(RSA_ALGORITHM_ID);
    body.writeBytes(tlv(0x03, bits.toByteArray()));
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] derInteger(BigInteger v) {
    return tlv(0x02, v.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = value.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      int bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((len >>> (8 * i)) & 0xff);
      }
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  /** A minimal DER element reader (definite lengths only). */
  private static final class Der {
    final byte[] buf;
    final int start;
    final int tag;
    final int valueStart;
    final int length;

    Der(byte[] buf, int start) throws GeneralSecurityException {
      if (start + 2 > buf.length) {
        throw new GeneralSecurityException("truncated DER");
      }
      this.buf = buf;
      this.start = start;
      this.tag = buf[start] & 0xff;
      int l = buf[start + 1] & 0xff;
      int p = start + 2;
      if (l >= 0x80) {
        int n = l & 0x7f;
        if (n == 0 || n > 4 || p + n > buf.length) {
          throw new GeneralSecurityException("bad DER length");
        }
        l = 0;
        for (int i = 0; i < n; i++) {
          l = (l << 8) | (buf[p++] & 0xff);
        }
      }
      if (l < 0 || p + l > buf.length) {
        throw new GeneralSecurityException("DER length beyond the data");
      }
      this.valueStart = p;
      this.length = l;
    }

    Der child() throws GeneralSecurityException {
      return new Der(buf, valueStart);
    }

    Der next() throws GeneralSecurityException {
      return new Der(buf, valueStart + length);
    }

    byte[] value() {
      return java.util.Arrays.copyOfRange(buf, valueStart, valueStart + length);
    }
  }
}
