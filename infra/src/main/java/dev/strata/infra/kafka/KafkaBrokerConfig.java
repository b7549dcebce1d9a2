package dev.strata.infra.kafka;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings of the embedded single-node Kafka broker (KRaft, combined broker + controller on 127.0.0.1).
 *
 * @param brokerPort port of the PLAINTEXT listener clients connect to
 * @param controllerPort port of the KRaft controller listener
 * @param logDir directory holding the broker's data (partitions and the metadata log)
 */
public record KafkaBrokerConfig(int brokerPort, int controllerPort, Path logDir) {
  /** Largest record batch the broker and the strata topics accept: 8 MiB. */
  public static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

  /** The {@code bootstrap.servers} value for clients. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  /** The broker's {@code server.properties}, sorted by key. */
  public Map<String, String> properties() {
    Map<String, String> p = new TreeMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toAbsolutePath().toString());

    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("transaction.max.timeout.ms", Integer.toString(15 * 60 * 1000));
    p.put("group.initial.rebalance.delay.ms", "0");

    p.put("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    p.put("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    p.put("auto.create.topics.enable", "false");
    p.put("delete.topic.enable", "true");
    return p;
  }

  /** {@link #properties()} in {@code server.properties} syntax. */
  public String toPropertiesFile() {
    StringBuilder out = new StringBuilder("# written by strata EmbeddedKafka; rewritten at every start\n");
    properties().forEach((key, value) -> out.append(key).append('=').append(escape(value)).append('\n'));
    return out.toString();
  }

  /** A log4j2 configuration sending the broker's log at WARN and above to {@code logFile}. */
  public static String log4j2Config(Path logFile) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- written by strata EmbeddedKafka: broker log at WARN -->
        <Configuration status="WARN" shutdownHook="disable">
          <Appenders>
            <File name="file" fileName="%s" append="true">
              <PatternLayout pattern="%%d{ISO8601} %%-5p [%%t] %%c{1.}: %%m%%n"/>
            </File>
          </Appenders>
          <Loggers>
            <Root level="WARN"><AppenderRef ref="file"/></Root>
          </Loggers>
        </Configuration>
        """
        .formatted(xmlEscape(logFile.toAbsolutePath().toString()));
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\");
  }

  private static String xmlEscape(String value) {
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
