package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
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
  public boolean accepts(RawArtifactChunk chunk) {
    return FORMAT.equals(chunk.getSourceType());
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    new Run(ChunkContext.of(chunk), out).run();
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

  private static final class Run {
    private final ChunkContext ctx;
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
        int nl = Bytes.indexOfNewline(buf, pos, buf.length);
        int lineEnd = nl < 0 ? buf.length : nl;
        int s = pos;
        while (s < lineEnd && (buf[s] == ' ' || buf[s] == '\t' || buf[s] == '\r')) s++;
        if (s == 0 && lineEnd >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
          s = 3;
        }
        if (s >= lineEnd) {
          pos = lineEnd + 1;
          continue;
        }
        if (buf[s] == '[' || buf[s] == '{') {
          pos = json(s);
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
      int lineEnd = lineEnd(s);
      if (p == null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "not UTF-8 JSON", s, lineEnd, ordinal++));
        return lineEnd + 1;
      }
      try (p) {
        JsonToken t = p.nextToken();
        List<int[]> spans = new ArrayList<>();
        List<JsonNode> nodes = new ArrayList<>();
        if (t == JsonToken.START_ARRAY) {
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) throw new IOException("unexpected end of input in an array");
            int es = s + (int) p.currentTokenLocation().getByteOffset();
            JsonNode n = Json.tree(p);
            spans.add(new int[] {es, s + (int) p.currentLocation().getByteOffset()});
            nodes.add(n);
          }
        } else {
          JsonNode n = Json.tree(p);
          spans.add(new int[] {s, s + (int) p.currentLocation().getByteOffset()});
          nodes.add(n);
        }
        int end = s + (int) p.currentLocation().getByteOffset();
        for (int i = 0; i < nodes.size(); i++) payload(nodes.get(i), spans.get(i)[0], spans.get(i)[1]);
        return end;
      } catch (JsonProcessingException e) {
        if (ctx.truncatedRecord()) {
          out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
              "output cut by the collector at its max record size (full bytes in the evidence store)", s, buf.length,
              ordinal++));
          return buf.length;
        }
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage(), s,
            trimEnd(s, lineEnd), ordinal++));
        return lineEnd + 1;
      } catch (IOException e) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "invalid JSON: " + e.getMessage(), s,
            trimEnd(s, lineEnd), ordinal++));
        return lineEnd + 1;
      }
    }

    private void payload(JsonNode n, int start, int end) {
      if (n.has("critical")) {
        signature(n, start, end);
      } else if (n.has("payloadType") && n.has("payload")) {
        attestation(n, start, end);
      } else {
        out.reject(ctx.rejection(RejectReason.MISSING_FIELD,
            "not a cosign signature payload (no critical) or attestation (no payloadType/payload)", start, end,
            ordinal++));
      }
    }

    private void signature(JsonNode n, int start, int end) {
      EvidenceEvent ev = newEvent("signature_verified", start, end);
      ev.setStatus("Success");
      JsonNode crit = n.path("critical");
      Container c = new Container();
      c.setImageName(SupplyChain.text(crit.path("identity"), "docker-reference"));
      c.setImageDigest(SupplyChain.text(crit.path("image"), "docker-manifest-digest"));
      ev.setContainer(c);
      Map<String, String> u = ev.getUnmapped();
      SupplyChain.put(u, "signature.type", SupplyChain.text(crit, "type"));
      JsonNode opt = n.path("optional");
      String subject = SupplyChain.text(opt, "Subject");
      if (subject != null) ev.setActor(signer(subject));
      String issuer = SupplyChain.text(opt, "Issuer");
      if (issuer == null) issuer = SupplyChain.text(opt, "1.3.6.1.4.1.57264.1.8");
      if (issuer == null) issuer = SupplyChain.text(opt, "1.3.6.1.4.1.57264.1.1");
      SupplyChain.put(u, "signature.issuer", issuer);
      Map<String, String> flat = new HashMap<>();
      Json.flatten(flat, "signature.optional", opt, SupplyChain.MAX_TEXT);
      flat.remove("signature.optional.Subject");
      flat.remove("signature.optional.Issuer");
      u.putAll(flat);
      JsonNode payload = opt.path("Bundle").path("Payload");
      JsonNode it = payload.path("integratedTime");
      if (it.canConvertToLong() && it.asLong() > 0) {
        ev.setTime(Instant.ofEpochSecond(it.asLong()));
        ev.setTimeOriginal(it.asText());
        u.put("signature.time_source", "rekor integratedTime");
      } else {
        Events.warn(ev, "no Bundle.Payload.integratedTime (signature not in a transparency log); time = observed_time");
      }
      SupplyChain.put(u, "signature.rekor_log_index", payload.path("logIndex").asText(null));
      if (block != null) { // the "Verification for" block this payload belongs to (shared by its signatures)
        applyBlock(ev, block);
        block.used = true;
      }
      ev.setMessage(message(ev));
      out.emit(ev);
    }

    private void attestation(JsonNode n, int start, int end) {
      EvidenceEvent ev = newEvent("attestation_verified", start, end);
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
      EvidenceEvent ev = ctx.newEvent(OcsfClass.BASE_EVENT, 99, activity, start, end, ctx.lineAt(start), ordinal++, 0);
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
