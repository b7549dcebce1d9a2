package dev.strata.parse.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * Synthetic JSON-lines inputs for {@link ParserBenchmark} in the shapes podman and the collector write them:
 * {@code podman-events.jsonl} (libpod events file), {@code podman-journald.jsonl} ({@code journalctl -o json} of
 * podman events) and {@code overlay-upper.jsonl} (an overlay upper dir listing), each about {@code MB} megabytes.
 *
 * <pre>
 * usage: PodmanBenchData OUT_DIR [MB]
 * then:  ParserBenchmark podman_events OUT_DIR/podman-events.jsonl
 *        ParserBenchmark podman_events OUT_DIR/podman-journald.jsonl
 *        ParserBenchmark overlay_upper_changes OUT_DIR/overlay-upper.jsonl
 * </pre>
 */
public final class PodmanBenchData {

  private static final String[] STATUS = {"create", "init", "start", "exec", "died", "cleanup", "remove", "pull"};

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    long bytes = (args.length > 1 ? Long.parseLong(args[1]) : 64) << 20;
    Files.createDirectories(dir);
    Random r = new Random(42);
    Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
    try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("podman-events.jsonl"), StandardCharsets.UTF_8)) {
      long n = 0;
      for (long i = 0; n < bytes; i++) {
        String id = String.format(Locale.ROOT, "%064x", r.nextLong() & Long.MAX_VALUE);
        String st = STATUS[(int) (i % STATUS.length)];
        String line = "{" + (st.equals("died") ? "\"ContainerExitCode\":" + r.nextInt(3) + "," : "")
            + "\"ID\":\"" + id + "\",\"Image\":\"docker.io/library/alpine:3." + (i % 20)
            + "\",\"Name\":\"ctr-" + i + "\",\"Status\":\"" + st + "\",\"Time\":\"" + t0.plusNanos(i * 1_000_123L)
            + "\",\"Type\":\"container\",\"Attributes\":{\"app\":\"shop\",\"io.kubernetes.pod.name\":\"p-" + (i % 97)
            + "\",\"tier\":\"web\"}}\n";
        w.write(line);
        n += line.length();
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("podman-journald.jsonl"), StandardCharsets.UTF_8)) {
      long n = 0;
      for (long i = 0; n < bytes; i++) {
        String id = String.format(Locale.ROOT, "%064x", r.nextLong() & Long.MAX_VALUE);
        long micros = 1714521600_000000L + i * 1000;
        String line = "{\"__CURSOR\":\"s=ab;i=" + i + "\",\"__REALTIME_TIMESTAMP\":\"" + micros
            + "\",\"__MONOTONIC_TIMESTAMP\":\"" + i + "\",\"_BOOT_ID\":\"b1\",\"PRIORITY\":\"6\","
            + "\"SYSLOG_IDENTIFIER\":\"podman\",\"_PID\":\"" + (1000 + i % 5000) + "\",\"_UID\":\"0\","
            + "\"_COMM\":\"podman\",\"_EXE\":\"/usr/bin/podman\",\"_CMDLINE\":\"podman run -d alpine sleep 1d\","
            + "\"_HOSTNAME\":\"node-a\",\"MESSAGE\":\"container start " + id.substring(0, 12) + "\","
            + "\"PODMAN_EVENT\":\"" + STATUS[(int) (i % STATUS.length)] + "\",\"PODMAN_TYPE\":\"container\","
            + "\"PODMAN_ID\":\"" + id + "\",\"PODMAN_NAME\":\"ctr-" + i + "\",\"PODMAN_IMAGE\":\"alpine\","
            + "\"PODMAN_LABELS\":\"{\\\"app\\\":\\\"shop\\\"}\"}\n";
        w.write(line);
        n += line.length();
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("overlay-upper.jsonl"), StandardCharsets.UTF_8)) {
      String cid = "c0ffee00".repeat(8);
      String up = "var/lib/docker/overlay2/" + "ab".repeat(32) + "/diff";
      long n = 0;
      for (long i = 0; n < bytes; i++) {
        String path = "/usr/lib/pkg" + (i % 300) + "/file" + i + ".so";
        String line = "{\"runtime\":\"docker\",\"container_id\":\"" + cid + "\",\"layer\":\"" + "ab".repeat(32)
            + "\",\"upper_dir\":\"" + up + "\",\"evidence_path\":\"" + up + path + "\",\"path\":\"" + path
            + "\",\"kind\":\"" + (i % 3 == 0 ? "changed" : "added") + "\",\"type\":\"file\",\"size\":"
            + r.nextInt(1 << 20) + ",\"mode\":\"0644\",\"uid\":0,\"gid\":0,\"mtime\":\"" + t0.plusSeconds(i)
            + "\",\"sha256\":\"" + String.format(Locale.ROOT, "%064x", r.nextLong() & Long.MAX_VALUE) + "\"}\n";
        w.write(line);
        n += line.length();
      }
    }
  }
}
