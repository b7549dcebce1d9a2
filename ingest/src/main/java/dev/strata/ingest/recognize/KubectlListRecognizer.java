package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * A snapshot of one kind of Kubernetes object as {@code kubectl get <kind> [-A] -o json} prints it: a {@code List} /
 * {@code <Kind>List} whose first {@code items} element is of that {@code kind} — framing JSON_RECORDS (cut after each
 * complete item). kubectl prints an item's keys in order ({@code apiVersion}, {@code kind}, ...), so the kind is in the
 * sample even when the item is longer; a first item whose kind is past the sample is a weak match, which only the
 * recognizer's path pattern backs.
 */
abstract class KubectlListRecognizer extends PathPatternRecognizer {
  private final String kind;
  private final String command;

  /**
   * @param kind the items' {@code kind} ({@code Service})
   * @param command what printed the list, for the match's reason ({@code kubectl get services -o json})
   */
  KubectlListRecognizer(String sourceType, Pattern path, String kind, String command) {
    super(sourceType, path);
    this.kind = kind;
    this.command = command;
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.ListHead head = JsonSniff.listHead(sample);
    if (head.first() == null) return ContentMatch.none(head.notFound());
    JsonSniff.Obj first = head.first();
    String k = first.get("kind");
    if (kind.equals(k)) return ContentMatch.strong(Framing.JSON_RECORDS, "a List of " + kind + "s (" + command + ")");
    if (k == null && !first.complete()) {
      return ContentMatch.weak(Framing.JSON_RECORDS, "a List whose first item is longer than the sample");
    }
    return ContentMatch.none("a List whose first item is not a " + kind);
  }
}
