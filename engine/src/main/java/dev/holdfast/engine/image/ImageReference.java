package dev.holdfast.engine.image;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image name as Docker normalizes it: {@code busybox} is {@code docker.io/library/busybox}, {@code me/app:1} is
 * {@code docker.io/me/app:1}, {@code localhost:5000/app} keeps its registry. Parsing follows the grammar of the
 * distribution reference package, with its error wording (the CLI shows these messages as they are).
 *
 * @param domain registry host, {@code docker.io} by default
 * @param path repository path inside the registry, {@code library/busybox} for official images
 * @param tag may be null (a name without tag); see {@link #withDefaultTag()}
 * @param digest {@code sha256:<hex>} or null
 */
public record ImageReference(String domain, String path, String tag, String digest) {
    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";
    private static final String LEGACY_DEFAULT_DOMAIN = "index.docker.io";
    private static final String OFFICIAL_PREFIX = "library/";
    private static final int NAME_MAX = 255;

    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String HOST = "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])";
    private static final String DOMAIN = HOST + "(?::[0-9]+)?";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    private static final Pattern REFERENCE = Pattern.compile(
            "((?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*)(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
    private static final Pattern TAG_PATTERN = Pattern.compile(TAG);
    private static final Pattern FULL_ID = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA256_DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

    /** A reference that does not parse; the message is Docker's. */
    public static final class InvalidReferenceException extends IllegalArgumentException {
        InvalidReferenceException(String message) {
            super(message);
        }
    }

    /**
     * Docker's ParseNormalizedNamed: a user-typed name ({@code busybox}, {@code me/app:1}, {@code host:5000/a@sha256:…})
     * to its canonical form.
     */
    public static ImageReference parse(String text) {
        if (FULL_ID.matcher(text).matches()) {
            throw new InvalidReferenceException(
                    "invalid repository name (" + text + "), cannot specify 64-byte hexadecimal strings");
        }
        String domain = DEFAULT_DOMAIN;
        String remainder = text;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            String first = text.substring(0, slash);
            boolean looksLikeHost = first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.toLowerCase(Locale.ROOT).equals(first);
            if (looksLikeHost) {
                domain = first.equals(LEGACY_DEFAULT_DOMAIN) ? DEFAULT_DOMAIN : first;
                remainder = text.substring(slash + 1);
            }
        }
        if (domain.equals(DEFAULT_DOMAIN) && !remainder.contains("/")) {
            remainder = OFFICIAL_PREFIX + remainder;
        }
        int colon = remainder.indexOf(':');
        String remoteName = colon >= 0 ? remainder.substring(0, colon) : remainder;
        if (!remoteName.toLowerCase(Locale.ROOT).equals(remoteName)) {
            throw new InvalidReferenceException(
                    "invalid reference format: repository name (" + remoteName + ") must be lowercase");
        }
        return parseCanonical(domain + "/" + remainder);
    }

    private static ImageReference parseCanonical(String text) {
        if (text.isEmpty()) {
            throw new InvalidReferenceException("repository name must have at least one component");
        }
        Matcher m = REFERENCE.matcher(text);
        if (!m.matches()) {
            throw new InvalidReferenceException("invalid reference format");
        }
        String name = m.group(1);
        if (name.length() > NAME_MAX) {
            throw new InvalidReferenceException("repository name must not be more than " + NAME_MAX + " characters");
        }
        int slash = name.indexOf('/');
        return new ImageReference(name.substring(0, slash), name.substring(slash + 1), m.group(2), m.group(3));
    }

    /** True for a full image id in either form Docker accepts: 64 hex, or {@code sha256:} and 64 hex. */
    public static boolean isFullId(String text) {
        return FULL_ID.matcher(text).matches() || SHA256_DIGEST.matcher(text).matches();
    }

    public static boolean isValidTag(String tag) {
        return TAG_PATTERN.matcher(tag).matches();
    }

    /** This name with {@code tag} instead of its own tag or digest; an invalid tag gives Docker's message. */
    public ImageReference withTag(String newTag) {
        if (!isValidTag(newTag)) {
            throw new InvalidReferenceException("invalid tag format");
        }
        return new ImageReference(domain, path, newTag, null);
    }

    /** Docker's TagNameOnly: a bare name means {@code :latest}; tagged or digested references stay as they are. */
    public ImageReference withDefaultTag() {
        return tag == null && digest == null ? new ImageReference(domain, path, DEFAULT_TAG, null) : this;
    }

    public Optional<String> tagged() {
        return Optional.ofNullable(tag);
    }

    /** The full name without tag or digest: {@code docker.io/library/busybox}. */
    public String name() {
        return domain + "/" + path;
    }

    /** The name as users write it: {@code busybox}, {@code me/app}, {@code localhost:5000/app}. */
    public String familiarName() {
        if (!domain.equals(DEFAULT_DOMAIN)) {
            return name();
        }
        if (path.startsWith(OFFICIAL_PREFIX) && path.indexOf('/', OFFICIAL_PREFIX.length()) < 0) {
            return path.substring(OFFICIAL_PREFIX.length());
        }
        return path;
    }

    /** The reference as users write it: {@code busybox:latest}, {@code me/app@sha256:…}. */
    public String familiarString() {
        return familiarName() + suffix();
    }

    @Override
    public String toString() {
        return name() + suffix();
    }

    private String suffix() {
        return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
