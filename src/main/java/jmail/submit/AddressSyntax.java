package jmail.submit;

/**
 * The envelope address check of the listener: what SubEthaSMTP passes through unchecked
 * ({@code RCPT TO:<not an address>}) must not enter the queue.
 */
final class AddressSyntax {
    private AddressSyntax() {
    }

    /** A mailbox {@code local@domain} or a bare local name; no spaces, controls or angle brackets. */
    static boolean isMailbox(String a) {
        if (a == null || a.isEmpty() || a.length() > 512) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == '\\') {
                return false;
            }
        }
        int at = a.lastIndexOf('@');
        if (at < 0) {
            return a.indexOf('@') < 0 && !a.startsWith(".") && !a.endsWith(".");
        }
        String local = a.substring(0, at);
        String domain = a.substring(at + 1);
        if (local.isEmpty() || domain.isEmpty() || local.contains("@") && !local.startsWith("\"")) {
            return false;
        }
        if (domain.startsWith("[") && domain.endsWith("]")) {
            return true;
        }
        return domain.matches("[\\p{L}\\p{N}]([\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?(\\.[\\p{L}\\p{N}]([\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?)*\\.?");
    }
}
