package dev.strata.job.incident;

import java.io.Serializable;

/**
 * A fact that one entity belongs to or is the same as another, read from an event that names both (a container of a
 * pod, a pod on a node, a node that is an EC2 instance). {@code from} and {@code to} are {@link Entity#id()}s. The
 * grouping expands an event's entities along bindings (container -> pod -> node -> instance), never downwards, so a
 * node does not pull in every pod it runs. Bindings have no time bound: container ids, pod names and node/instance
 * pairs do not get reused within an investigation's window.
 */
public record Binding(String from, String to) implements Serializable {}
