package dev.strata.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;

/**
 * Writes large synthetic evidence in the layouts the collector recognizes: a CloudTrail log file (one JSON document
 * {@code {"Records":[...]}}, far over Kafka's 1 MB message limit) and a Docker json-file container log. Deterministic
 * (seeded), so counts are known exactly.
 */
final class LargeEvidence {
  static final String ACCOUNT = "444455556666";
  static final String CONTAINER = "ab".repeat(32);

  record Written(Path file, long records, long bytes) {}

  static Written cloudTrail(Path root, long targetBytes) throws IOException {
    Path file = root.resolve("AWSLogs/" + ACCOUNT + "/CloudTrail/eu-west-1/2026/11/21/" + ACCOUNT
        + "_CloudTrail_eu-west-1_20261121T0000Z_large.json");
    Files.createDirectories(file.getParent());
    Random r = new Random(7);
    long n = 0;
    Instant t = Instant.parse("2026-11-21T00:00:00Z");
    try (OutputStream os = Files.newOutputStream(file);
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16)) {
      w.write("{\"Records\":[");
      long written = 12;
      while (written < targetBytes) {
        String rec = "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAEXAMPLE:session-"
            + (n % 97) + "\",\"arn\":\"arn:aws:sts::" + ACCOUNT + ":assumed-role/app/session-" + (n % 97)
            + "\",\"accountId\":\"" + ACCOUNT + "\",\"accessKeyId\":\"ASIA" + String.format("%016d", n % 1000)
            + "\"},\"eventTime\":\"" + t.plusMillis(n * 37) + "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\""
            + (n % 5 == 0 ? "PutObject" : "GetObject") + "\",\"awsRegion\":\"eu-west-1\",\"sourceIPAddress\":\"10.1."
            + r.nextInt(256) + "." + r.nextInt(256) + "\",\"userAgent\":\"aws-sdk-java/2.57.8\",\"requestParameters\":{\"bucketName\":\"data-"
            + (n % 13) + "\",\"key\":\"k/" + HexFormat.of().toHexDigits(r.nextLong()) + "\"},\"responseElements\":null,\"requestID\":\"REQ"
            + n + "\",\"eventID\":\"" + new java.util.UUID(7, n) + "\",\"readOnly\":" + (n % 5 != 0)
            + ",\"eventType\":\"AwsApiCall\",\"managementEvent\":false,\"recipientAccountId\":\"" + ACCOUNT
            + "\",\"eventCategory\":\"Data\"}";
        if (n > 0) {
          w.write(',');
          written++;
        }
        w.write(rec);
        written += rec.length();
        n++;
      }
      w.write("]}");
    }
    return new Written(file, n, Files.size(file));
  }

  static Written dockerLog(Path root, long targetBytes) throws IOException {
    Path file = root.resolve("var/lib/docker/containers/" + CONTAINER + "/" + CONTAINER + "-json.log");
    Files.createDirectories(file.getParent());
    Random r = new Random(11);
    long n = 0;
    long written = 0;
    Instant t = Instant.parse("2026-11-21T00:00:00Z");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      while (written < targetBytes) {
        String line = "{\"log\":\"10." + r.nextInt(256) + "." + r.nextInt(256) + ".7 - - \\\"GET /api/v1/items/" + r.nextInt(1_000_000)
            + " HTTP/1.1\\\" 200 " + r.nextInt(99999) + " rt=0." + r.nextInt(999) + " " + "x".repeat(r.nextInt(120))
            + "\\n\",\"stream\":\"" + (n % 10 == 0 ? "stderr" : "stdout") + "\",\"time\":\"" + t.plusNanos(n * 1_234_567L) + "\"}\n";
        w.write(line);
        written += line.length();
        n++;
      }
    }
    return new Written(file, n, Files.size(file));
  }

  private LargeEvidence() {}
}
