package io.trainyard.scheduler.service;

/**
 * One thing wrong with a request.
 *
 * @param field   path of the field in the request, e.g. {@code training.epochs}
 * @param message what is wrong and what would be accepted
 */
public record Violation(String field, String message) {
}
