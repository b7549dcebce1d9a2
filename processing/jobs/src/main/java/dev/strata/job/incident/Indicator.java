package dev.strata.job.incident;

import java.io.Serializable;

/**
 * An indicator an incident exposes for scoping elsewhere: type ip, domain, image_digest, image, sha256, principal,
 * access_key, service_account or process, and its value.
 */
public record Indicator(String type, String value) implements Serializable {}
