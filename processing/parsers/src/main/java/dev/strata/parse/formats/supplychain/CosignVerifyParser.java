package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.strata.parse.Bytes;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.Json;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cosign verify} output to one OCSF 0 Base Event per verified signature (activity 99 Other, activity_name
 * {@code signature_verified}, status Success), or per failed verification ({@code verification_failed}, status
 * Failure). OCSF 1.3.0 has no signature-verification class; the result is a status on a Base Event.
 *
 * <pre>
 * JSON (stdout; --output json, the default): an array (or JSON lines) of simple-signing payloads
 *   critical.identity.docker-reference -> container.image_name
 *   critical.image.docker-manifest-digest -> container.image_digest
 *   critical.type -> unmapped signature.type
 *   optional.Subject -> actor.user_name and user_uid (user_type "signer"); optional.Issuer (else Fulcio OID
 *   1.3.6.1.4.1.57264.1.8 / .1.1) -> unmapped signature.issuer; every other optional field -> signature.optional.*
 *   optional.Bundle.Payload.integratedTime (the Rekor entry time, epoch seconds) -> time (else observed time, warned);
 *   logIndex -> unmapped signature.rekor_log_index
 * Text (stderr, often captured with 2>&1; --output text):
 *   "Verification for REF --"                  starts a block; REF -> image_name (and digest if REF has @sha256:)
 *   "The following checks were performed ..." / "  - CHECK" lines -> status_detail (checks joined by "; ")
 *   "Certificate subject: S", "Certificate issuer URL: I", other "Key: value" lines -> as the JSON fields, or
 *                                              unmapped signature.text.KEY
 *   a block with no JSON payload after it is one event of its own (text output)
 *   "Error: ..."                               -> a verification_failed event, status_detail = the error
 * in-toto attestations (verify-attestation):  {"payloadType","payload" (base64 in-toto statement)} lines ->
 *   activity_name attestation_verified, image from subject[0] (name, digest.sha256), unmapped
 *   signature.predicate_type
 * </pre>
 *
 * Any other non-blank line is rejected as malformed_record.
 */
public final class CosignVerifyParser implements EvidenceParser {

  public static final String FORMAT = "cosign_verify";

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    new Run(ChunkContext.of(chunk).unhashedEventIds(), out).run(); // many small events per artifact: see EventIds
  }

  /** A text block: "Verification for REF --" and what follows it. */
  private static final class Block {
    String ref;
    final List<String> checks = new ArrayList<>(3);
    final Map<String, String> kv = new LinkedHashMap<>();
    int start;
    int end;
    boolean used;
  }

  private static final String OPTIONAL = "signature.optional";
  /** Fulcio certificate extensions naming the OIDC issuer (v2, then v1), read when optional.Issuer is absent. */
  private static final String OID_ISSUER = "1.3.6.1.4.1.57264.1.8";
  private static final String OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";

  /** One JSON root value (or array element) of the output: a signature payload's fields, or only its span. */
  private static final class Payload {
    final int start;
    /** content line of start: from the parser's row count (see JsonDocuments.Cursor#line) */
    final long line;
    int end;
    /** it has a "critical" field: a signature payload */
    boolean critical;
    String imageName;
    String imageDigest;
    String type;
    String subject;
    String issuer;
    String oidIssuer;
    String oidIssuerV1;
    JsonNode integratedTime = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    JsonNode logIndex = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    final Map<String, String> unmapped = new HashMap<>(32);

    Payload(int start, long line) {
      this.start = start;
      this.line = line;
    }
  }

  private static final class Run {
    private final ChunkContext ctx;
    private final Map<String, Map<String, String>> keys = new HashMap<>();
    private final ParseOutput out;
    private final byte[] buf;
    private long ordinal;
    private Block block;

    Run(ChunkContext ctx, ParseOutput out) {
      this.ctx = ctx;
      this.out = out;
      this.buf = ctx.payload();
    }

    void run() throws ParseException {
      int pos = 0;
      while (pos < buf.length) {
        int s = pos;
        while (s < buf.length && (buf[s] == ' ' || buf[s] == '\t' || buf[s] == '\r')) s++;
        if (s == 0 && buf.length >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB
            && (buf[2] & 0xff) == 0xBF) {
          s = 3;
        }
        if (s < buf.length && (buf[s] == '[' || buf[s] == '{')) {
          pos = json(s); // JSON lines are not scanned for their end first: the parser finds it
          continue;
        }
        int lineEnd = lineEnd(s);
        if (s >= lineEnd) {
          pos = lineEnd + 1;
          continue;
        }
        text(pos, s, trimEnd(s, lineEnd));
        pos = lineEnd + 1;
      }
      flush();
    }

    // ---- text lines ----

    private void text(int lineStart, int s, int e) {
      String line = new String(buf, s, e - s, StandardCharsets.UTF_8);
      if (line.startsWith("Verification for ")) {
        flush();
        block = new Block();
        String ref = line.substring("Verification for ".length());
        if (ref.endsWith(" --")) ref = ref.substring(0, ref.length() - 3);
        block.ref = ref.trim();
        block.start = lineStart;
        block.end = e;
        return;
      }
      if (line.startsWith("Error:") || line.startsWith("error:")) {
        Block b = block != null && !block.used ? block : null;
        int start = b != null ? b.start : lineStart;
        EvidenceEvent ev = newEvent("verification_failed", start, e);
        ev.setStatus("Failure");
        if (b != null) {
          applyBlock(ev, b);
          b.used = true;
          if (ev.getStatusDetail() != null) ev.getUnmapped().put("signature.checks", ev.getStatusDetail());
        }
        ev.setStatusDetail(line.substring(6).trim());
        ev.setMessage("cosign verification failed" + (b != null && b.ref != null ? " for " + b.ref : "") + ": "
            + Events.excerpt(ev.getStatusDetail(), 200));
        out.emit(ev);
        return;
      }
      if (block != null && !block.used) {
        if (line.startsWith("The following checks were performed")) {
          block.end = e;
          return;
        }
        if (line.startsWith("- ")) {
          block.checks.add(line.substring(2).trim());
          block.end = e;
          return;
        }
        int colon = line.indexOf(": ");
        if (colon > 0 && colon < 64) {
          block.kv.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
          block.end = e;
          return;
        }
      }
      if (line.startsWith("WARNING") || line.startsWith("tlog entry verified") || line.startsWith("Verified OK")) {
        return; // informational lines cosign prints around the result
      }
      out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, "not a line of cosign verify output", s, e,
          ordinal++));
    }

    /** A text block that no JSON payload consumed is an event of its own (text output, or stderr only). */
    private void flush() {
      Block b = block;
      block = null;
      if (b == null || b.used) return;
      EvidenceEvent ev = newEvent("signature_verified", b.start, b.end);
      ev.setStatus("Success");
      applyBlock(ev, b);
      String subject = b.kv.get("Certificate subject");
      if (subject != null) ev.setActor(signer(subject));
      String issuer = b.kv.get("Certificate issuer URL");
      if (issuer != null) ev.getUnmapped().put("signature.issuer", issuer);
      for (Map.Entry<String, String> x : b.kv.entrySet()) {
        if (!x.getKey().startsWith("Certificate subject") && !x.getKey().startsWith("Certificate issuer URL")) {
          SupplyChain.put(ev.getUnmapped(), "signature.text." + x.getKey(), x.getValue());
        }
      }
      Events.warn(ev, "cosign text output has no signature time; time = observed_time");
      ev.setMessage(message(ev));
      out.emit(ev);
    }

    private void applyBlock(EvidenceEvent ev, Block b) {
      if (!b.checks.isEmpty()) {
        ev.setStatusDetail(String.join("; ", b.checks));
      }
      if (b.ref != null) {
        Container c = ev.getContainer() != null ? ev.getContainer() : new Container();
        if (c.getImageName() == null) {
          int at = b.ref.indexOf("@sha256:");
          c.setImageName(at > 0 ? b.ref.substring(0, at) : b.ref);
          if (at > 0 && c.getImageDigest() == null) c.setImageDigest(b.ref.substring(at + 1));
        }
        ev.setContainer(c);
        ev.getUnmapped().put("signature.verified_ref", b.ref);
      }
    }

    // ---- JSON ----

    /** Reads JSON root values starting at s; returns the position after them (or after the bad line). */
    private int json(int s) throws ParseException {
      JsonParser p;
      try {
        p = Json.utf8Parser(buf, s, buf.length - s);
      } catch (IOException e) {
        throw new ParseException(RejectReason.PARSER_ERROR, "cannot create JSON parser: " + e.getMessage(), e);
      }
      if (p == null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "not UTF-8 JSON", s, lineEnd(s), ordinal++));
        return lineEnd(s) + 1;
      }
      // lines: the parser counts the line breaks it skips; row 1 is the line of s (no second scan for newlines)
      long firstLine = ctx.lineAt(s);
      try (p) {
        JsonToken t = p.nextToken();
        List<Payload> payloads = new ArrayList<>(4);
        if (t == JsonToken.START_ARRAY) {
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) throw new IOException("unexpected end of input in an array");
            JsonLocation at = p.currentTokenLocation();
            payloads.add(read(p, s, s + (int) at.getByteOffset(), firstLine + at.getLineNr() - 1));
          }
        } else {
          payloads.add(read(p, s, s, firstLine));
        }
        JsonLocation after = p.currentLocation();
        int end = s + (int) after.getByteOffset();
        ctx.markLine(end, firstLine + after.getLineNr() - 1);
        for (Payload x : payloads) {
          if (x.critical) signature(x);
          else payload(x);
        }
        return end;
      } catch (JsonProcessingException e) {
        if (ctx.truncatedRecord()) {
          out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
              "output cut by the collector at its max record size (full bytes in the evidence store)", s, buf.length,
              ordinal++));
          return buf.length;
        }
        int lineEnd = lineEnd(s);
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage(), s,
            trimEnd(s, lineEnd), ordinal++));
        return lineEnd + 1;
      } catch (IOException e) {
        int lineEnd = lineEnd(s);
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "invalid JSON: " + e.getMessage(), s,
            trimEnd(s, lineEnd), ordinal++));
        return lineEnd + 1;
      }
    }

    /**
     * One root value (or array element) read as it streams by: a signature payload's fields and its {@code optional}
     * object flattened into unmapped with the keys and values a tree flatten gives ({@link Json#flatten}), without a
     * tree. {@code p} is at the value's first token; {@code base} is the buffer index of the parser's offset 0.
     */
    private Payload read(JsonParser p, int base, int start, long line) throws IOException {
      Payload x = new Payload(start, line);
      if (p.currentToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          switch (name) {
            case "critical" -> {
              x.critical = true;
              if (v == JsonToken.START_OBJECT) critical(p, x);
              else p.skipChildren();
            }
            case "optional" -> {
              if (v == JsonToken.START_OBJECT) {
                optional(p, OPTIONAL, 0, x);
              } else {
                String t = leafText(p);
                if (t != null) x.unmapped.put(OPTIONAL, cut(t));
              }
            }
            default -> p.skipChildren();
          }
        }
      } else {
        Json.tree(p); // consumed whole (a string's end is known only once it is read)
      }
      x.end = base + (int) p.currentLocation().getByteOffset();
      return x;
    }

    /** critical.identity.docker-reference, critical.image.docker-manifest-digest, critical.type. */
    private static void critical(JsonParser p, Payload x) throws IOException {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("type")) {
          x.type = SupplyChain.blankToNull(leafText(p));
        } else if (v == JsonToken.START_OBJECT && (name.equals("identity") || name.equals("image"))) {
          String want = name.equals("identity") ? "docker-reference" : "docker-manifest-digest";
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if (!f.equals(want)) {
              p.skipChildren();
            } else if (name.equals("identity")) {
              x.imageName = SupplyChain.blankToNull(leafText(p));
            } else {
              x.imageDigest = SupplyChain.blankToNull(leafText(p));
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }

    /**
     * The fields of an object of {@code optional} (level 0), {@code optional.Bundle} (1), {@code
     * optional.Bundle.Payload} (2) or deeper (-1), flattened into unmapped under {@code prefix}; the fields the event
     * maps are kept in {@code x}.
     */
    private void optional(JsonParser p, String prefix, int level, Payload x) throws IOException {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        String key = key(prefix, name);
        if (level == 0 && v == JsonToken.VALUE_STRING && (name.equals("Subject") || name.equals("Issuer"))) {
          // the usual form, a string: its text, as its tree's text (mapped, so not in unmapped)
          String text = SupplyChain.blankToNull(p.getText());
          if (name.equals("Subject")) x.subject = text;
          else x.issuer = text;
        } else if (level == 0 && (name.equals("Subject") || name.equals("Issuer") || name.equals(OID_ISSUER)
            || name.equals(OID_ISSUER_V1))) {
          JsonNode n = Json.tree(p); // mapped fields: read as the tree-based mapping reads them
          String text = SupplyChain.blankToNull(Json.text(n));
          switch (name) {
            case "Subject" -> x.subject = text;
            case "Issuer" -> x.issuer = text;
            case OID_ISSUER -> x.oidIssuer = text;
            default -> x.oidIssuerV1 = text;
          }
          // Subject and Issuer are mapped, so only their object fields stay in unmapped
          if (!name.equals("Subject") && !name.equals("Issuer") || n.isObject()) {
            Json.flatten(x.unmapped, key, n, SupplyChain.MAX_TEXT);
          }
        } else if (v == JsonToken.START_OBJECT) {
          int next = level == 0 && name.equals("Bundle") ? 1 : level == 1 && name.equals("Payload") ? 2 : -1;
          optional(p, key, next, x);
        } else if (level == 2 && (name.equals("integratedTime") || name.equals("logIndex"))) {
          JsonNode n = scalarTree(p);
          if (name.equals("integratedTime")) x.integratedTime = n;
          else x.logIndex = n;
          Json.flatten(x.unmapped, key, n, SupplyChain.MAX_TEXT);
        } else {
          String t = leafText(p);
          if (t != null) x.unmapped.put(key, cut(t));
        }
      }
    }

    /** {@code prefix + "." + name}, made once per chunk. */
    private String key(String prefix, String name) {
      Map<String, String> m = keys.get(prefix);
      if (m == null) keys.put(prefix, m = new HashMap<>());
      String k = m.get(name);
      if (k == null) {
        k = prefix + "." + name;
        m.put(name, k);
      }
      return k;
    }

    /** The value as the tree it reads as; integers without the tree reader (the usual Rekor time and index). */
    private static JsonNode scalarTree(JsonParser p) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
        JsonParser.NumberType t = p.getNumberType();
        if (t == JsonParser.NumberType.INT) return IntNode.valueOf(p.getIntValue());
        if (t == JsonParser.NumberType.LONG) return LongNode.valueOf(p.getLongValue());
      }
      return Json.tree(p);
    }

    /**
     * A scalar or array value as a tree flatten prints it (strings as is, numbers as the tree prints them, arrays as
     * compact JSON), null for JSON null; objects (not met here) as compact JSON. Consumes the value.
     */
    private static String leafText(JsonParser p) throws IOException {
      switch (p.currentToken()) {
        case VALUE_STRING:
          return p.getText();
        case VALUE_TRUE:
          return "true";
        case VALUE_FALSE:
          return "false";
        case VALUE_NULL:
          return null;
        case VALUE_NUMBER_INT:
          if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            String s = p.getText();
            return s.length() == 2 && s.charAt(0) == '-' && s.charAt(1) == '0' ? "0" : s;
          }
          return Json.tree(p).asText();
        default:
          return Json.text(Json.tree(p)); // floats, arrays, objects: as the tree prints them
      }
    }

    private static String cut(String v) {
      return v.length() > SupplyChain.MAX_TEXT ? v.substring(0, SupplyChain.MAX_TEXT) : v;
    }

    /** A root value that is not a signature payload: re-read as a tree (attestations, or a rejection). */
    private void payload(Payload x) throws IOException {
      JsonNode n;
      try (JsonParser q = Json.FACTORY.createParser(buf, x.start, x.end - x.start)) {
        n = Json.tree(q);
      }
      if (n.has("payloadType") && n.has("payload")) {
        attestation(n, x.start, x.end, x.line);
      } else {
        out.reject(ctx.rejection(RejectReason.MISSING_FIELD,
            "not a cosign signature payload (no critical) or attestation (no payloadType/payload)", x.start, x.end,
            x.line, ordinal++));
      }
    }

    private void signature(Payload x) {
      EvidenceEvent ev = newEvent("signature_verified", x.start, x.end, x.line, x.unmapped);
      ev.setStatus("Success");
      Container c = new Container();
      c.setImageName(x.imageName);
      c.setImageDigest(x.imageDigest);
      ev.setContainer(c);
      Map<String, String> u = ev.getUnmapped();
      SupplyChain.put(u, "signature.type", x.type);
      if (x.subject != null) ev.setActor(signer(x.subject));
      String issuer = x.issuer;
      if (issuer == null) issuer = x.oidIssuer;
      if (issuer == null) issuer = x.oidIssuerV1;
      SupplyChain.put(u, "signature.issuer", issuer);
      JsonNode it = x.integratedTime;
      if (it.canConvertToLong() && it.asLong() > 0) {
        ev.setTime(Instant.ofEpochSecond(it.asLong()));
        ev.setTimeOriginal(it.asText());
        u.put("signature.time_source", "rekor integratedTime");
      } else {
        Events.warn(ev, "no Bundle.Payload.integratedTime (signature not in a transparency log); time = observed_time");
      }
      SupplyChain.put(u, "signature.rekor_log_index", x.logIndex.asText(null));
      if (block != null) { // the "Verification for" block this payload belongs to (shared by its signatures)
        applyBlock(ev, block);
        block.used = true;
      }
      ev.setMessage(message(ev));
      out.emit(ev);
    }

    private void attestation(JsonNode n, int start, int end, long line) {
      EvidenceEvent ev = newEvent("attestation_verified", start, end, line, new HashMap<>(8));
      ev.setStatus("Success");
      Map<String, String> u = ev.getUnmapped();
      SupplyChain.put(u, "signature.payload_type", SupplyChain.text(n, "payloadType"));
      try {
        byte[] stmt = Base64.getDecoder().decode(n.path("payload").asText(""));
        JsonNode st = Json.MAPPER.readTree(stmt);
        SupplyChain.put(u, "signature.predicate_type", SupplyChain.text(st, "predicateType"));
        JsonNode subj = st.path("subject");
        if (subj.isArray() && !subj.isEmpty()) {
          Container c = new Container();
          c.setImageName(SupplyChain.text(subj.get(0), "name"));
          String sha = SupplyChain.text(subj.get(0).path("digest"), "sha256");
          if (sha != null) c.setImageDigest("sha256:" + sha);
          ev.setContainer(c);
        }
      } catch (IllegalArgumentException | IOException e) {
        Events.warn(ev, "attestation payload is not a base64 in-toto statement");
      }
      Events.warn(ev, "attestation output has no signature time; time = observed_time");
      if (block != null) {
        applyBlock(ev, block);
        block.used = true;
      }
      ev.setMessage(message(ev));
      out.emit(ev);
    }

    // ---- helpers ----

    private EvidenceEvent newEvent(String activity, int start, int end) {
      return newEvent(activity, start, end, new HashMap<>(8));
    }

    private EvidenceEvent newEvent(String activity, int start, int end, Map<String, String> unmapped) {
      return newEvent(activity, start, end, ctx.lineAt(start), unmapped);
    }

    private EvidenceEvent newEvent(String activity, int start, int end, long line, Map<String, String> unmapped) {
      EvidenceEvent ev = ctx.newEvent(OcsfClass.BASE_EVENT, 99, activity, start, end, line, ordinal++, 0, unmapped);
      ev.setSeverityId(1);
      ev.setSeverity("Informational");
      ev.setRawData(ctx.rawText(start, end));
      return ev;
    }

    private static Actor signer(String subject) {
      Actor a = new Actor();
      a.setUserName(subject);
      a.setUserUid(subject);
      a.setUserType("signer");
      a.setGroups(new ArrayList<>(0));
      return a;
    }

    private static String message(EvidenceEvent ev) {
      StringBuilder m = new StringBuilder("cosign ");
      m.append(ev.getActivityName().replace('_', ' '));
      Container c = ev.getContainer();
      if (c != null) {
        m.append(' ').append(c.getImageName() == null ? "?" : c.getImageName());
        if (c.getImageDigest() != null) m.append('@').append(c.getImageDigest());
      }
      if (ev.getActor() != null) m.append(" signed by ").append(ev.getActor().getUserName());
      return m.toString();
    }

    private int lineEnd(int i) {
      int nl = Bytes.indexOfNewline(buf, i, buf.length);
      return nl < 0 ? buf.length : nl;
    }

    private int trimEnd(int s, int e) {
      while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == '\t' || buf[e - 1] == '\r')) e--;
      return e;
    }
  }
}
