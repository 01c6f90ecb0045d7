package jmail.mail;

/**
 * The status of one delivery attempt, as RFC 3464 and Postfix record it: an enhanced status code
 * ({@code 4.4.1}) and a human-readable reason (usually the remote reply). Its class digit decides
 * the fate of the recipient: 2 sent, 4 deferred, 5 bounced.
 */
public record Dsn(String status, String reason) {

    public Dsn {
        if (status == null || !status.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("not an enhanced status code: " + status);
        }
        reason = reason == null ? "" : reason.replaceAll("[\\r\\n]+", " ").strip();
    }

    public static Dsn sent(String reason) {
        return new Dsn("2.0.0", reason);
    }

    public static Dsn deferred(String status, String reason) {
        return new Dsn(status, reason);
    }

    /** Builds a Dsn from a remote SMTP reply such as {@code 550 5.1.1 <x@y>: unknown user}. */
    public static Dsn fromReply(int code, String replyText) {
        String text = replyText == null ? "" : replyText.strip();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(?:\\d{3}[ -])?([245]\\.\\d{1,3}\\.\\d{1,3})\\b").matcher(text);
        String status;
        if (m.find() && m.group(1).charAt(0) == Integer.toString(code).charAt(0)) {
            status = m.group(1);
        } else {
            status = switch (code / 100) {
                case 2 -> "2.0.0";
                case 4 -> "4.0.0";
                default -> "5.0.0";
            };
        }
        if (!text.startsWith(Integer.toString(code))) {
            text = code + " " + text;
        }
        return new Dsn(status, text);
    }

    public boolean isSuccess() {
        return status.charAt(0) == '2';
    }

    public boolean isTemporary() {
        return status.charAt(0) == '4';
    }

    public boolean isPermanent() {
        return status.charAt(0) == '5';
    }
}
