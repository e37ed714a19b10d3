package dev.baton.connect.s3;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key pattern for legacy flag files, e.g. {@code orders/{batch}/_job_status{n}}: literal text
 * with the placeholders {@code {batch}} (required: one path segment, the batch folder whose run the
 * flag reports on; must be followed by {@code /}), {@code {n}} (required: the job number, digits) and
 * {@code {attempt}} (optional: digits). Immutable.
 */
final class FlagFilePattern {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");

  private final String source;
  private final Pattern regex;
  private final boolean hasAttempt;

  private FlagFilePattern(String source, Pattern regex, boolean hasAttempt) {
    this.source = source;
    this.regex = regex;
    this.hasAttempt = hasAttempt;
  }

  /**
   * @throws IllegalArgumentException if a placeholder is unknown or repeated, {@code {batch}} or
   *     {@code {n}} is missing, or {@code {batch}} is not followed by {@code /}
   */
  static FlagFilePattern compile(String pattern) {
    StringBuilder regex = new StringBuilder("^");
    Matcher matcher = PLACEHOLDER.matcher(pattern);
    int last = 0;
    boolean batch = false;
    boolean number = false;
    boolean attempt = false;
    while (matcher.find()) {
      regex.append(Pattern.quote(pattern.substring(last, matcher.start())));
      String name = matcher.group(1);
      switch (name) {
        case "batch" -> {
          if (batch) {
            throw new IllegalArgumentException("{batch} appears twice");
          }
          if (!pattern.startsWith("/", matcher.end())) {
            throw new IllegalArgumentException("{batch} must be a whole folder, followed by '/'");
          }
          batch = true;
          regex.append("(?<batch>[^/]+)");
        }
        case "n" -> {
          if (number) {
            throw new IllegalArgumentException("{n} appears twice");
          }
          number = true;
          regex.append("(?<n>[0-9]{1,4})");
        }
        case "attempt" -> {
          if (attempt) {
            throw new IllegalArgumentException("{attempt} appears twice");
          }
          attempt = true;
          regex.append("(?<attempt>[0-9]{1,4})");
        }
        default -> throw new IllegalArgumentException("unknown placeholder {" + name + "} (expected {batch}, {n}, {attempt})");
      }
      last = matcher.end();
    }
    regex.append(Pattern.quote(pattern.substring(last))).append('$');
    if (!batch || !number) {
      throw new IllegalArgumentException("must contain {batch} and {n}, e.g. 'orders/{batch}/_job_status{n}'");
    }
    return new FlagFilePattern(pattern, Pattern.compile(regex.toString()), attempt);
  }

  /** The flag a key is, if it matches. */
  Optional<Flag> match(String key) {
    Matcher matcher = regex.matcher(key);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    String batchFolder = key.substring(0, matcher.end("batch") + 1);
    int attempt = hasAttempt ? Integer.parseInt(matcher.group("attempt")) : 1;
    return Optional.of(new Flag(batchFolder, Integer.parseInt(matcher.group("n")), attempt));
  }

  @Override
  public String toString() {
    return source;
  }

  /**
   * A matched flag file.
   *
   * @param batchFolder the key prefix up to and including the batch folder's {@code /}
   * @param number the job number {@code n}
   * @param attempt the attempt in the key, or 1 when the pattern has no {@code {attempt}}
   */
  record Flag(String batchFolder, int number, int attempt) {}
}
