package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/** A compiled detection: the condition over search identifiers, each a tree of field tests. */
public sealed interface Expr extends Serializable {
  boolean eval(SigmaRecord r);

  record And(List<Expr> all) implements Expr {
    @Override
    public boolean eval(SigmaRecord r) {
      for (Expr e : all) if (!e.eval(r)) return false;
      return true;
    }
  }

  record Or(List<Expr> any) implements Expr {
    @Override
    public boolean eval(SigmaRecord r) {
      for (Expr e : any) if (e.eval(r)) return true;
      return false;
    }
  }

  record Not(Expr inner) implements Expr {
    @Override
    public boolean eval(SigmaRecord r) {
      return !inner.eval(r);
    }
  }

  /** At least {@code min} of the parts ({@code 1 of x*}; {@code all of x*} is an And). */
  record AtLeast(int min, List<Expr> parts) implements Expr {
    @Override
    public boolean eval(SigmaRecord r) {
      int n = 0;
      for (Expr e : parts) if (e.eval(r) && ++n >= min) return true;
      return false;
    }
  }

  /** A search identifier by name (kept for the rule index and for messages). */
  record Identifier(String name, Expr body) implements Expr {
    @Override
    public boolean eval(SigmaRecord r) {
      return body.eval(r);
    }
  }

  /**
   * One field with its values: any value matches (all with the {@code all} modifier). A value matches when any of
   * the field's values does.
   */
  record FieldTest(String field, List<ValueTest> values, boolean all) implements Expr {
    @Override
    public boolean eval(SigmaRecord r) {
      List<JsonNode> found = r.values(field);
      for (ValueTest v : values) {
        boolean ok = v.test(found, r);
        if (all && !ok) return false;
        if (!all && ok) return true;
      }
      return all;
    }
  }

  /** Keywords: searched in the whole record's text (case-insensitive, anywhere unless anchored by the rule). */
  record Keywords(List<Glob> words, boolean all) implements Expr {
    @Override
    public boolean eval(SigmaRecord r) {
      String text = r.text();
      String lower = text.toLowerCase(Locale.ROOT);
      for (Glob g : words) {
        boolean ok = g.matches(text, lower);
        if (all && !ok) return false;
        if (!all && ok) return true;
      }
      return all;
    }
  }
}
