package dev.strata.correlate;

import java.util.Map;

/**
 * A binding that covers a lookup key at an event's time.
 *
 * @param kind the binding kind
 * @param bindingId its id (hex), as on the binding record
 * @param object the object's key ({@code ns/name}, {@code i-...}, role ARN, ...)
 * @param attrs its attributes (see {@link Attr}), never null
 */
public record Hit(BindingKind kind, String bindingId, String object, Map<String, String> attrs) {}
