package dev.strata.parse.formats.falcoalert;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.OcsfSeverity;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import dev.strata.schema.event.Finding;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Process;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One Falco alert to OCSF 2004 Detection Finding (category 2 Findings), activity 1 Create.
 *
 * <pre>
 * rule                 -> finding.rule, finding.title (a record without rule is rejected: missing_field)
 * priority             -> finding.priority (as written); severity_id: Emergency/Alert/Critical 5 Critical,
 *                         Error 4 High, Warning 3 Medium, Notice 2 Low, Informational/Info/Debug 1 Informational
 *                         (case-insensitive); absent or unknown 0 Unknown (unknown: warning)
 * tags                 -> finding.tags
 * output               -> message; without output (json_include_output_property false), the message property
 *                         (json_include_message_property, Falco 0.39+: the output without time and priority)
 * time                 -> time (RFC 3339, nanoseconds kept in time_original); else output_fields evt.time
 *                         (epoch nanoseconds); else observed time with a warning
 * hostname             -> device.hostname (a different context host is kept in unmapped strata.context_host; the
 *                         short name of the context host keeps the context's full name, the short in falco.hostname)
 * output_fields:
 *   container.id, container.name, container.image.repository + ":" + container.image.tag (else container.image)
 *                      -> container.uid, name, image_name; container.image.digest -> image_uid; container.type
 *                         (docker, containerd, cri-o, podman, ...) -> container.runtime
 *                         (container.id "host" = the host itself: no container object)
 *   k8s.ns.name, k8s.pod.name, k8s.pod.uid, k8s.pod.ip -> kubernetes.namespace, pod_name, pod_uid, pod_ip; where one
 *                      is <NA> or absent, the k8smeta plugin's k8smeta.ns.name, .pod.name, .pod.uid, .pod.ip (Falco 0.37+: the
 *                      plugin's collector names the pod while the container engine has no pod labels yet)
 *   proc.pid, proc.name, proc.cmdline, proc.exepath, proc.ppid, proc.pname, user.name, proc.tty (non-zero = tty)
 *                      -> process.pid, name, cmd_line, executable, parent_pid, parent_name, user, tty
 *   fd.name            -> file.path and file.name, only when it is an absolute path (sockets etc. are not files)
 *   fd.cip, fd.cport / fd.sip, fd.sport -> src_endpoint / dst_endpoint ip, port (a connection's client and server,
 *                         e.g. the miner pool of "Detect outbound connections to common miner pool ports")
 *   fd.cip.name / fd.sip.name -> src_endpoint / dst_endpoint domain (the name the address was resolved from:
 *                         "Outbound Connection to C2 Servers" matches on it; {@code strata scope --domain} finds it)
 *   fd.name of a socket ("cip:cport->sip:sport", the stock rules' connection=%fd.name) -> the same endpoints when
 *                         neither fd.cip nor fd.sip is there
 *   ka.* (source k8s_audit) -> actor, api, http_request, resources[0], kubernetes namespace / pod, src_endpoint
 *   ct.* (source aws_cloudtrail) -> api, actor, cloud, src_endpoint, http_request.user_agent
 *   every entry        -> unmapped "output_fields.&lt;key&gt;" as written (JSON nulls left out); a key without '.' with
 *                         '_' (Falcosidekick's Elasticsearch flattenfields: container_id) is mapped as the field
 *                         with '.' for '_', and kept under that dotted name too (mapped fields and evt.type)
 *   no output_fields (json_include_output_fields_property false): the output's key=value fields, as the text output
 *                         is read ({@link FalcoTextOutput}), stand in for them; unmapped strata.output_fields_from =
 *                         output
 * "&lt;NA&gt;" and "" are Falco's "no value": never mapped (they stay in unmapped as written).
 * source, uuid, anything else -> unmapped
 * </pre>
 */
final class FalcoAlertMapper implements JsonRecordStream.RecordMapper {

  static final int MAX_VALUE_BYTES = 64 * 1024;

  private final ChunkContext ctx;

  private String time;
  private String rule;
  private String priority;
  private String output;
  /** json_include_message_property (Falco 0.39+): the output without its time and priority prefix. */
  private String messageProperty;
  private String hostname;
  private boolean tagsSeen;
  /** An output_fields object was there (json_include_output_fields_property true, the default). */
  private boolean outputFieldsSeen;
  private final List<String> tags = new ArrayList<>(4);
  /** The record's unmapped map: output_fields go straight in as they stream by. */
  private Map<String, String> unmapped;
  /** The mapped output_fields values, by {@link Field}. */
  private final String[] mapped = new String[Field.values().length];
  /**
   * Unknown top-level fields whose names look like output_fields or strata keys: put last, so they win over those
   * (other unknown fields go straight into unmapped).
   */
  private final Map<String, String> lookalikes = new LinkedHashMap<>();

  /** The output_fields the mapping reads. */
  private enum Field {
    EVT_TIME, CONTAINER_ID, CONTAINER_NAME, CONTAINER_TYPE, K8S_POD_IP, K8SMETA_POD_IP, IMAGE_REPOSITORY, IMAGE_TAG, IMAGE, IMAGE_DIGEST, K8S_NS, K8S_POD,
    K8S_POD_UID, K8SMETA_NS, K8SMETA_POD, K8SMETA_POD_UID, PROC_PID, PROC_NAME, PROC_CMDLINE, PROC_EXEPATH, USER_NAME, PROC_PPID, PROC_PNAME, PROC_TTY,
    FD_NAME, FD_CIP, FD_CPORT, FD_SIP, FD_SPORT, FD_CIP_NAME, FD_SIP_NAME,
    // the k8saudit plugin's fields (source k8s_audit)
    KA_USER, KA_IMPUSER, KA_VERB, KA_URI, KA_AUDITID, KA_NS, KA_NAME, KA_RESOURCE, KA_SUBRESOURCE, KA_CODE,
    KA_USERAGENT, KA_SOURCEIPS,
    // the cloudtrail plugin's fields (source aws_cloudtrail)
    CT_USER, CT_ARN, CT_ACCOUNT, CT_RECIPIENT, CT_REGION, CT_SRCIP, CT_SRC, CT_NAME, CT_REQUESTID, CT_ERROR,
    CT_USERAGENT;

    static Field of(String outputField) {
      return switch (outputField) {
        case "evt.time" -> EVT_TIME;
        case "container.id" -> CONTAINER_ID;
        case "container.name" -> CONTAINER_NAME;
        case "container.type" -> CONTAINER_TYPE;
        case "k8s.pod.ip" -> K8S_POD_IP;
        case "k8smeta.pod.ip" -> K8SMETA_POD_IP;
        case "container.image.repository" -> IMAGE_REPOSITORY;
        case "container.image.tag" -> IMAGE_TAG;
        case "container.image" -> IMAGE;
        case "container.image.digest" -> IMAGE_DIGEST;
        case "k8s.ns.name" -> K8S_NS;
        case "k8s.pod.name" -> K8S_POD;
        case "k8s.pod.uid" -> K8S_POD_UID;
        case "k8smeta.ns.name" -> K8SMETA_NS;
        case "k8smeta.pod.name" -> K8SMETA_POD;
        case "k8smeta.pod.uid" -> K8SMETA_POD_UID;
        case "proc.pid" -> PROC_PID;
        case "proc.name" -> PROC_NAME;
        case "proc.cmdline" -> PROC_CMDLINE;
        case "proc.exepath" -> PROC_EXEPATH;
        case "user.name" -> USER_NAME;
        case "proc.ppid" -> PROC_PPID;
        case "proc.pname" -> PROC_PNAME;
        case "proc.tty" -> PROC_TTY;
        case "fd.name" -> FD_NAME;
        case "fd.cip" -> FD_CIP;
        case "fd.cport" -> FD_CPORT;
        case "fd.sip" -> FD_SIP;
        case "fd.sport" -> FD_SPORT;
        case "fd.cip.name" -> FD_CIP_NAME;
        case "fd.sip.name" -> FD_SIP_NAME;
        case "ka.user.name" -> KA_USER;
        case "ka.impuser.name" -> KA_IMPUSER;
        case "ka.verb" -> KA_VERB;
        case "ka.uri" -> KA_URI;
        case "ka.auditid" -> KA_AUDITID;
        case "ka.target.namespace" -> KA_NS;
        case "ka.target.name" -> KA_NAME;
        case "ka.target.resource" -> KA_RESOURCE;
        case "ka.target.subresource" -> KA_SUBRESOURCE;
        case "ka.response.code" -> KA_CODE;
        case "ka.useragent" -> KA_USERAGENT;
        case "ka.sourceips" -> KA_SOURCEIPS;
        case "ct.user" -> CT_USER;
        case "ct.user.arn" -> CT_ARN;
        case "ct.user.accountid" -> CT_ACCOUNT;
        case "ct.recipientaccountid" -> CT_RECIPIENT;
        case "ct.region" -> CT_REGION;
        case "ct.srcip" -> CT_SRCIP;
        case "ct.src" -> CT_SRC;
        case "ct.name" -> CT_NAME;
        case "ct.requestid" -> CT_REQUESTID;
        case "ct.error" -> CT_ERROR;
        case "ct.useragent" -> CT_USERAGENT;
        default -> null;
      };
    }
  }

  FalcoAlertMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    time = rule = priority = output = messageProperty = hostname = null;
    tagsSeen = outputFieldsSeen = false;
    tags.clear();
    unmapped = new HashMap<>();
    java.util.Arrays.fill(mapped, null);
    lookalikes.clear();
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    switch (name) {
      case "time" -> time = scalarOrKeep(name, p, src);
      case "rule" -> rule = scalarOrKeep(name, p, src);
      case "priority" -> priority = scalarOrKeep(name, p, src);
      case "output" -> output = scalarOrKeep(name, p, src);
      case "message" -> {
        messageProperty = scalarOrKeep(name, p, src);
        if (messageProperty != null) unmapped.put(name, messageProperty);
      }
      case "hostname" -> hostname = scalarOrKeep(name, p, src);
      case "tags" -> {
        if (p.currentToken() == JsonToken.START_ARRAY) {
          tagsSeen = true;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            String t = Json.scalarText(p);
            if (t != null) tags.add(t);
          }
        } else {
          keep(name, p, src);
        }
      }
      case "output_fields" -> {
        if (p.currentToken() == JsonToken.START_OBJECT) {
          outputFieldsSeen = true;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            String v = src.valueText(p, MAX_VALUE_BYTES);
            if (v != null) {
              unmapped.put(src.key("output_fields", k), v);
              Field f = Field.of(k);
              if (f == null && k.indexOf('.') < 0 && k.indexOf('_') > 0) {
                // Falcosidekick's Elasticsearch output with flattenfields (forced by createindextemplate) writes
                // output_fields keys with '_' for '.' (proc_cmdline): the mapped fields have no '_' of their own
                String dotted = k.replace('_', '.');
                f = Field.of(dotted);
                // the dotted name too, where the jobs read it (a mapped field, evt.type)
                if (f != null || dotted.equals("evt.type")) unmapped.putIfAbsent("output_fields." + dotted, v);
              }
              if (f != null) mapped[f.ordinal()] = v;
            }
          }
        } else {
          keep(name, p, src);
        }
      }
      default -> keep(name, p, src);
    }
  }

  private String scalarOrKeep(String name, JsonParser p, Source src) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      keep(name, p, src);
      return null;
    }
    return Json.scalarText(p);
  }

  private void keep(String name, JsonParser p, Source src) throws IOException {
    String v = src.valueText(p, MAX_VALUE_BYTES);
    if (v == null) return;
    if (name.startsWith("output_fields.") || name.startsWith("strata.")) lookalikes.put(name, v);
    else unmapped.put(name, v);
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    if (rule == null || rule.isEmpty()) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a Falco alert: no rule");
    }
    boolean fieldsFromOutput = !outputFieldsSeen && fieldsFromOutput();
    EvidenceEvent e =
        ctx.newEvent(
            OcsfClass.DETECTION_FINDING, 1, "Create", span.start(), span.end(), span.line(), span.ordinal(), 0,
            unmapped);
    Map<String, String> u = unmapped;
    if (fieldsFromOutput) u.put("strata.output_fields_from", "output");

    int sev = severityOf(priority);
    e.setSeverityId(sev);
    e.setSeverity(OcsfSeverity.name(sev));
    if (priority != null && sev == 0) Events.warn(e, "unknown Falco priority '" + Events.excerpt(priority, 32) + "'");

    // time
    String evtTime = mapped[Field.EVT_TIME.ordinal()];
    if (time != null) {
      ctx.applyTime(e, time, "time");
    } else if (isDigits(evtTime) && evtTime.length() <= 19) {
      e.setTimeOriginal(evtTime);
      e.setTime(Timestamps.toInstant(Long.parseLong(evtTime) / 1000L));
      Events.warn(e, "no alert time; time = output_fields evt.time (epoch ns)");
    } else {
      ctx.applyTime(e, null, "time");
    }

    e.setMessage(output != null ? output : messageProperty);
    e.setFinding(new Finding(rule, rule, priority, tagsSeen ? new ArrayList<>(tags) : new ArrayList<>()));

    // device
    String host = value(hostname);
    if (host != null) {
      Device d = e.getDevice();
      if (d == null) {
        e.setDevice(new Device(host, null, null));
      } else if (d.getHostname() != null && d.getHostname().startsWith(host + ".")) {
        // Falco names its host by the short name, the collection by the full one (an EKS node's Falco writes
        // ip-10-60-11-21, its node is ip-10-60-11-21.ap-southeast-2.compute.internal): one host, its full name kept
        // (strata scope listed each node twice: DaemonSetEscalationScenarioIT)
        u.put("falco.hostname", host);
      } else {
        if (d.getHostname() != null && !d.getHostname().equals(host)) u.put("strata.context_host", d.getHostname());
        d.setHostname(host);
      }
    }

    // container
    String cid = value(mapped[Field.CONTAINER_ID.ordinal()]);
    if ("host".equals(cid)) cid = null;
    String cname = value(mapped[Field.CONTAINER_NAME.ordinal()]);
    if ("host".equals(cname) && cid == null) cname = null;
    String repo = value(mapped[Field.IMAGE_REPOSITORY.ordinal()]);
    String tag = value(mapped[Field.IMAGE_TAG.ordinal()]);
    String image = repo != null ? (tag != null ? repo + ":" + tag : repo) : value(mapped[Field.IMAGE.ordinal()]);
    String digest = value(mapped[Field.IMAGE_DIGEST.ordinal()]);
    if (cid != null || cname != null || image != null) {
      e.setContainer(new Container(cid, cname, image, digest, value(mapped[Field.CONTAINER_TYPE.ordinal()]), digest));
    }

    // kubernetes
    String ns = firstValue(Field.K8S_NS, Field.K8SMETA_NS);
    String pod = firstValue(Field.K8S_POD, Field.K8SMETA_POD);
    String podUid = firstValue(Field.K8S_POD_UID, Field.K8SMETA_POD_UID);
    String podIp = firstValue(Field.K8S_POD_IP, Field.K8SMETA_POD_IP);
    if (ns != null || pod != null || podUid != null || podIp != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      k.setNamespace(ns);
      k.setPodName(pod);
      k.setPodUid(podUid);
      k.setPodIp(podIp);
    }

    // process
    Long pid = number(mapped[Field.PROC_PID.ordinal()]);
    String pname = value(mapped[Field.PROC_NAME.ordinal()]);
    String cmd = value(mapped[Field.PROC_CMDLINE.ordinal()]);
    String exe = value(mapped[Field.PROC_EXEPATH.ordinal()]);
    String user = value(mapped[Field.USER_NAME.ordinal()]);
    Long ppid = number(mapped[Field.PROC_PPID.ordinal()]);
    String parent = value(mapped[Field.PROC_PNAME.ordinal()]);
    Long tty = number(mapped[Field.PROC_TTY.ordinal()]);
    if (pid != null || pname != null || cmd != null || exe != null || user != null || ppid != null
        || parent != null) {
      e.setProcess(new Process(pid, pname, cmd, exe, user, tty == null ? null : tty != 0, ppid, parent, null, null, null));
    }

    // file
    String fd = value(mapped[Field.FD_NAME.ordinal()]);
    if (fd != null && fd.startsWith("/")) {
      int slash = fd.lastIndexOf('/');
      String fname = slash < fd.length() - 1 ? fd.substring(slash + 1) : null;
      e.setFile(new File(fd, fname, null, null, null, null, null));
    }

    // a connection's ends (network rules: outbound to a miner pool, unexpected connections): client -> server
    Endpoint client = endpoint(mapped[Field.FD_CIP.ordinal()], mapped[Field.FD_CPORT.ordinal()],
        mapped[Field.FD_CIP_NAME.ordinal()]);
    Endpoint server = endpoint(mapped[Field.FD_SIP.ordinal()], mapped[Field.FD_SPORT.ordinal()],
        mapped[Field.FD_SIP_NAME.ordinal()]);
    String fdName = mapped[Field.FD_NAME.ordinal()];
    if (client == null && server == null && fdName != null && fdName.indexOf("->") > 0) {
      // the stock rules (0.36+) print the connection as fd.name ("cip:cport->sip:sport"), not fd.cip / fd.sip
      java.util.regex.Matcher c = FD_CONNECTION.matcher(fdName);
      if (c.matches()) {
        client = endpoint(c.group(1), c.group(2), null);
        server = endpoint(c.group(3), c.group(4), null);
      }
    }
    if (client != null) e.setSrcEndpoint(client);
    if (server != null) e.setDstEndpoint(server);
    k8sAudit(e);
    cloudTrail(e);

    // unmapped: output_fields are in already
    if (!lookalikes.isEmpty()) u.putAll(lookalikes);
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  /**
   * An alert without output_fields ({@code json_include_output_fields_property: false}): the {@code key=value} fields
   * its output (else its message property) prints, read as a text alert's ({@link FalcoTextOutput#fields}), stand in
   * for them in unmapped and in the mapping. True when it named any.
   */
  private boolean fieldsFromOutput() {
    String text = output != null ? output : messageProperty;
    if (text == null) return false;
    FalcoTextOutput.Alert a = output != null ? FalcoTextOutput.read(output) : null;
    Map<String, String> fields = a != null ? a.fields() : FalcoTextOutput.fields(text);
    for (Map.Entry<String, String> f : fields.entrySet()) {
      unmapped.putIfAbsent("output_fields." + f.getKey(), f.getValue());
      Field known = Field.of(f.getKey());
      if (known != null && mapped[known.ordinal()] == null) mapped[known.ordinal()] = f.getValue();
    }
    return !fields.isEmpty();
  }

  /**
   * The event of a text-output alert ({@link FalcoTextOutput}): the line's fields stand in for the JSON form's
   * ({@code output_fields} keyed by the Falco field each label prints), the description for the rule name the text
   * form does not carry. {@code time} is RFC 3339 (a time of day already placed on its date by the caller).
   */
  EvidenceEvent textAlert(RecordSpan span, String time, FalcoTextOutput.Alert a) throws RecordException {
    begin();
    this.time = time;
    this.priority = a.priority();
    this.output = a.output();
    this.rule = a.title();
    this.hostname = a.syslogHost();
    this.outputFieldsSeen = true; // the line's fields are this alert's output_fields
    for (Map.Entry<String, String> f : a.fields().entrySet()) {
      unmapped.put("output_fields." + f.getKey(), f.getValue());
      Field known = Field.of(f.getKey());
      if (known != null) mapped[known.ordinal()] = f.getValue();
    }
    EvidenceEvent e = end(span);
    e.getUnmapped().put("strata.falco_output", "text");
    Events.warn(e, "Falco text output: the line names no rule; finding.rule and title are the output's description");
    return e;
  }

  /** A socket's fd.name: {@code client:port->server:port} (IPv6 addresses bare or in brackets). */
  static final java.util.regex.Pattern FD_CONNECTION =
      java.util.regex.Pattern.compile("^\\[?([0-9A-Fa-f:.]+)\\]?:(\\d{1,5})->\\[?([0-9A-Fa-f:.]+)\\]?:(\\d{1,5})$");

  /**
   * An alert of the k8saudit plugin (source {@code k8s_audit}; also k8saudit-eks / -gke / -aks): the request's user,
   * impersonated user, verb, URI, audit id, response code, user agent, first source IP and target object, as the
   * {@code k8s_audit} parser maps the audit event itself. The container engine's pod fields win where both are there.
   */
  private void k8sAudit(EvidenceEvent e) {
    String user = value(mapped[Field.KA_USER.ordinal()]);
    String verb = value(mapped[Field.KA_VERB.ordinal()]);
    String resource = value(mapped[Field.KA_RESOURCE.ordinal()]);
    if (user == null && verb == null && resource == null) return;
    if (user != null || value(mapped[Field.KA_IMPUSER.ordinal()]) != null) {
      dev.strata.schema.event.Actor a = new dev.strata.schema.event.Actor();
      a.setGroups(new java.util.ArrayList<>(0)); // not nullable: the writer rejects an actor without it
      a.setUserName(user);
      a.setImpersonatedUser(value(mapped[Field.KA_IMPUSER.ordinal()]));
      e.setActor(a);
    }
    dev.strata.schema.event.Api api = new dev.strata.schema.event.Api();
    api.setService("kube-apiserver");
    api.setOperation(verb);
    api.setRequestUid(value(mapped[Field.KA_AUDITID.ordinal()]));
    api.setResponseCode(number(mapped[Field.KA_CODE.ordinal()]) == null ? null
        : number(mapped[Field.KA_CODE.ordinal()]).intValue());
    e.setApi(api);
    String uri = value(mapped[Field.KA_URI.ordinal()]);
    String agent = value(mapped[Field.KA_USERAGENT.ordinal()]);
    if (uri != null || agent != null) e.setHttpRequest(new dev.strata.schema.event.HttpRequest(null, uri, agent));
    String ns = value(mapped[Field.KA_NS.ordinal()]);
    String name = value(mapped[Field.KA_NAME.ordinal()]);
    if (resource != null || name != null) {
      List<dev.strata.schema.event.Resource> rs = new ArrayList<>(1);
      rs.add(new dev.strata.schema.event.Resource(resource, name, null, ns,
          value(mapped[Field.KA_SUBRESOURCE.ordinal()]), null));
      e.setResources(rs);
    }
    if (ns != null) {
      Kubernetes k = e.getKubernetes() == null ? new Kubernetes() : e.getKubernetes();
      if (k.getNamespace() == null) k.setNamespace(ns);
      if (k.getPodName() == null && "pods".equals(resource) && name != null) k.setPodName(name);
      e.setKubernetes(k);
    }
    String ip = firstAddress(mapped[Field.KA_SOURCEIPS.ordinal()]);
    if (ip != null && e.getSrcEndpoint() == null) e.setSrcEndpoint(endpoint(ip, null, null));
  }

  /**
   * An alert of the cloudtrail plugin (source {@code aws_cloudtrail}): the caller, account, region, source address,
   * event source and name, request id and error code of the CloudTrail record it fired on.
   */
  private void cloudTrail(EvidenceEvent e) {
    String name = value(mapped[Field.CT_NAME.ordinal()]);
    String service = value(mapped[Field.CT_SRC.ordinal()]);
    if (name == null && service == null) return;
    dev.strata.schema.event.Api api = new dev.strata.schema.event.Api();
    api.setService(service);
    api.setOperation(name);
    api.setRequestUid(value(mapped[Field.CT_REQUESTID.ordinal()]));
    api.setResponseError(value(mapped[Field.CT_ERROR.ordinal()]));
    e.setApi(api);
    String user = value(mapped[Field.CT_USER.ordinal()]);
    String arn = value(mapped[Field.CT_ARN.ordinal()]);
    String account = value(mapped[Field.CT_ACCOUNT.ordinal()]);
    if (user != null || arn != null) {
      dev.strata.schema.event.Actor a = new dev.strata.schema.event.Actor();
      a.setGroups(new java.util.ArrayList<>(0)); // not nullable: the writer rejects an actor without it
      a.setUserName(user);
      a.setUserUid(arn);
      a.setAccountUid(account);
      e.setActor(a);
    }
    String recipient = value(mapped[Field.CT_RECIPIENT.ordinal()]);
    String region = value(mapped[Field.CT_REGION.ordinal()]);
    if (recipient != null || account != null || region != null) {
      dev.strata.schema.event.Cloud c = e.getCloud() == null ? new dev.strata.schema.event.Cloud()
          : dev.strata.schema.event.Cloud.newBuilder(e.getCloud()).build();
      c.setProvider("AWS");
      c.setAccountUid(recipient != null ? recipient : account);
      if (region != null) c.setRegion(region);
      e.setCloud(c);
    }
    Endpoint src = endpoint(mapped[Field.CT_SRCIP.ordinal()], null, null);
    if (src != null && e.getSrcEndpoint() == null) e.setSrcEndpoint(src);
    String agent = value(mapped[Field.CT_USERAGENT.ordinal()]);
    if (agent != null && e.getHttpRequest() == null) e.setHttpRequest(new dev.strata.schema.event.HttpRequest(null, null, agent));
  }

  /** The first address of a list field as Falco prints one ({@code [a,b]}, {@code (a,b)}, {@code a b}), or null. */
  static String firstAddress(String list) {
    list = value(list);
    if (list == null) return null;
    for (String t : list.split("[\\[\\](),\\s\"]+")) {
      if (!t.isEmpty() && (t.indexOf('.') > 0 || t.indexOf(':') >= 0)) return t;
    }
    return null;
  }

  /**
   * An endpoint of {@code fd.cip}/{@code fd.sip}, its port and the domain Falco resolved it from ({@code fd.cip.name}
   * / {@code fd.sip.name}: the name the process looked up, e.g. a C2 or pool domain), or null when Falco names neither
   * an address nor a domain there.
   */
  private static Endpoint endpoint(String ip, String port, String domain) {
    ip = value(ip);
    domain = value(domain);
    if (ip != null && !(ip.indexOf('.') > 0 || ip.indexOf(':') >= 0)) ip = null;
    if (ip == null && domain == null) return null;
    Long p = number(port);
    Endpoint ep = new Endpoint();
    ep.setIp(ip);
    ep.setDomain(domain);
    if (p != null && p >= 0 && p <= 65535) ep.setPort(p.intValue());
    return ep;
  }

  /** Falco's "no value" markers ({@code <NA>}, empty) are null. */
  static String value(String v) {
    if (v == null || v.isEmpty() || v.equals("<NA>")) return null;
    return v;
  }

  private static Long number(String v) {
    v = value(v);
    if (v == null) return null;
    String d = v.startsWith("-") ? v.substring(1) : v;
    return isDigits(d) && d.length() < 19 ? Long.parseLong(v) : null;
  }

  private static boolean isDigits(String s) {
    if (s == null || s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }

  /**
   * The container engine's field, else the k8smeta plugin's: with Falco 0.37+'s k8smeta plugin an alert can name its
   * pod only through {@code k8smeta.*} ({@code k8s.pod.name} {@code <NA>}: the runtime's pod labels not seen yet).
   */
  private String firstValue(Field engine, Field plugin) {
    String v = value(mapped[engine.ordinal()]);
    return v != null ? v : value(mapped[plugin.ordinal()]);
  }

  /** OCSF severity_id of a Falco priority; 0 (Unknown) for null or an unknown priority. */
  static int severityOf(String priority) {
    if (priority == null) return 0;
    switch (priority) { // as Falco writes them
      case "Emergency", "Alert", "Critical":
        return 5;
      case "Error":
        return 4;
      case "Warning":
        return 3;
      case "Notice":
        return 2;
      case "Informational", "Debug":
        return 1;
      default:
        break;
    }
    return switch (priority.trim().toLowerCase(Locale.ROOT)) {
      case "emergency", "alert", "critical" -> 5;
      case "error" -> 4;
      case "warning" -> 3;
      case "notice" -> 2;
      case "informational", "info", "debug" -> 1;
      default -> 0;
    };
  }

}
