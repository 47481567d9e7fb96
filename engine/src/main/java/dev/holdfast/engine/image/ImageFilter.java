package dev.holdfast.engine.image;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code filters} of {@code GET /images/json}: {@code reference} (globs on the familiar name or name:tag;
 * only matching tags are listed), {@code dangling}, {@code label} ({@code key} or {@code key=value}), {@code before}
 * and {@code since} (another image), {@code until} (a time).
 */
public final class ImageFilter {
    private static final Set<String> LIST_FILTERS = Set.of("reference", "dangling", "label", "before", "since", "until");
    private static final Set<String> PRUNE_FILTERS = Set.of("dangling", "label", "until");

    private final List<Pattern> references = new ArrayList<>();
    private final Boolean dangling;
    private final List<String> labels;
    private final Instant before;
    private final Instant since;
    private final Instant until;

    private ImageFilter(Map<String, List<String>> filters, Set<String> accepted, ImageStore store, Instant now) {
        for (String key : filters.keySet()) {
            if (!accepted.contains(key)) {
                throw ImageException.invalid("invalid filter '" + key + "'");
            }
        }
        filters.getOrDefault("reference", List.of()).forEach(p -> references.add(Glob.compile(p)));
        dangling = dangling(filters.getOrDefault("dangling", List.of()));
        labels = filters.getOrDefault("label", List.of());
        before = created(filters.get("before"), store);
        since = created(filters.get("since"), store);
        List<String> untilValues = filters.getOrDefault("until", List.of());
        until = untilValues.isEmpty() ? null : time(untilValues.get(0), now);
    }

    /** The filters of the image list. */
    public static ImageFilter of(Map<String, List<String>> filters, ImageStore store) {
        return new ImageFilter(filters, LIST_FILTERS, store, Instant.now());
    }

    /** The filters of {@code POST /images/prune}: dangling, label, until. */
    public static ImageFilter forPrune(Map<String, List<String>> filters, ImageStore store) {
        return new ImageFilter(filters, PRUNE_FILTERS, store, Instant.now());
    }

    /**
     * Whether the list shows {@code image}, and with which of its tags: a reference filter shows only the tags
     * that match, and an image none of whose tags match is left out.
     */
    public Optional<List<String>> select(Image image) {
        if (!matchesTimeAndLabels(image)) {
            return Optional.empty();
        }
        List<String> tags = image.repoTags().stream().filter(this::referenceMatches).toList();
        if (tags.isEmpty()) {
            boolean showDangling = references.isEmpty() && !Boolean.FALSE.equals(dangling);
            return showDangling ? Optional.of(tags) : Optional.empty();
        }
        return Boolean.TRUE.equals(dangling) ? Optional.empty() : Optional.of(tags);
    }

    /** Whether prune may remove {@code image}: untagged (or any, with dangling=false), labels and time matching. */
    boolean prunable(Image image) {
        return (image.repoTags().isEmpty() || Boolean.FALSE.equals(dangling)) && matchesTimeAndLabels(image);
    }

    private boolean matchesTimeAndLabels(Image image) {
        return (before == null || image.created().isBefore(before))
                && (since == null || image.created().isAfter(since))
                && (until == null || image.created().isBefore(until))
                && labelsMatch(image.config().labels());
    }

    private boolean referenceMatches(String tag) {
        if (references.isEmpty()) {
            return true;
        }
        String name = ImageReference.parse(tag).familiarName();
        return references.stream().anyMatch(p -> p.matcher(tag).matches() || p.matcher(name).matches());
    }

    private boolean labelsMatch(Map<String, String> imageLabels) {
        for (String label : labels) {
            int eq = label.indexOf('=');
            boolean matches = eq < 0 ? imageLabels.containsKey(label)
                    : label.substring(eq + 1).equals(imageLabels.get(label.substring(0, eq)));
            if (!matches) {
                return false;
            }
        }
        return true;
    }

    private static Boolean dangling(List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        String value = values.get(0);
        if (value.equalsIgnoreCase("true") || value.equals("1")) {
            return true;
        }
        if (value.equalsIgnoreCase("false") || value.equals("0")) {
            return false;
        }
        throw ImageException.invalid("invalid filter 'dangling=" + value + "'");
    }

    private static Instant created(List<String> references, ImageStore store) {
        return references == null || references.isEmpty() ? null : store.get(references.get(0)).created();
    }

    /** Docker's timestamp forms: unix seconds (with fraction), RFC 3339, a date, or a Go duration before now. */
    static Instant time(String value, Instant now) {
        if (value.matches("\\d+(\\.\\d+)?")) {
            String[] parts = value.split("\\.");
            long nanos = parts.length > 1 ? Long.parseLong((parts[1] + "000000000").substring(0, 9)) : 0;
            return Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
        }
        if (value.matches("(\\d+(\\.\\d+)?(h|m|s|ms))+")) {
            Duration total = Duration.ZERO;
            var m = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s)").matcher(value);
            while (m.find()) {
                double amount = Double.parseDouble(m.group(1));
                long unitNanos = switch (m.group(2)) {
                    case "h" -> 3_600_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "s" -> 1_000_000_000L;
                    default -> 1_000_000L;
                };
                total = total.plusNanos((long) (amount * unitNanos));
            }
            return now.minus(total);
        }
        try {
            return value.length() == 10 ? Instant.parse(value + "T00:00:00Z") : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ImageException.invalid("failed to parse value as time or duration: \"" + value + "\"");
        }
    }
}
