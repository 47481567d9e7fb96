package dev.holdfast.engine.image;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Go's {@code path.Match} patterns, which Docker's reference filter uses: {@code *} and {@code ?} stop at '/'. */
final class Glob {
    private Glob() {}

    static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append("[^/]*");
                case '?' -> regex.append("[^/]");
                case '\\' -> {
                    if (++i == glob.length()) {
                        throw badPattern(glob);
                    }
                    regex.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        throw badPattern(glob);
                    }
                    String body = glob.substring(i + 1, end);
                    regex.append('[').append(body.startsWith("^") ? "^/" + body.substring(1).replace("[", "\\[")
                            : body.replace("[", "\\[")).append(']');
                    i = end;
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        try {
            return Pattern.compile(regex.toString());
        } catch (PatternSyntaxException e) {
            throw badPattern(glob);
        }
    }

    private static ImageException badPattern(String glob) {
        return ImageException.invalid("syntax error in pattern: " + glob);
    }
}
