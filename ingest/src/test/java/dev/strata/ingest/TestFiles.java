package dev.strata.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/** Small helpers for synthetic fixtures. */
public final class TestFiles {
  public static final String ID_A = "a".repeat(64);
  public static final String ID_B = "0123456789abcdef".repeat(4);

  private TestFiles() {}

  public static Path write(Path root, String rel, String content) {
    return write(root, rel, content.getBytes(StandardCharsets.UTF_8));
  }

  public static Path write(Path root, String rel, byte[] content) {
    try {
      Path p = root.resolve(rel);
      Files.createDirectories(p.getParent());
      Files.write(p, content);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] gzip(byte[] content) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(content);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String dockerLine(int i) {
    return "{\"log\":\"line " + i + " hello, \\\"world\\\" ]}\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:00."
        + String.format("%09d", i) + "Z\"}\n";
  }

  public static String cloudTrailRecord(int i, String pad) {
    return "{\"eventVersion\":\"1.08\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
        + "\"eventTime\":\"2024-05-01T12:00:00Z\",\"awsRegion\":\"eu-west-1\",\"requestParameters\":{\"key\":\"k" + i
        + "\",\"tricky\":\"a,b]c}{\\\"d\\\"\"},\"pad\":\"" + pad + "\"}";
  }

  /** A CloudTrail file {"Records":[...]} of n records. */
  public static String cloudTrailFile(int n, int padLength) {
    StringBuilder sb = new StringBuilder("{\"Records\":[");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(",\n");
      }
      sb.append(cloudTrailRecord(i, "x".repeat(padLength)));
    }
    return sb.append("]}").toString();
  }

  public static String auditLine(int i) {
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"id-" + i
        + "\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"requestURI\":\"/api/v1/pods\"}\n";
  }
}
