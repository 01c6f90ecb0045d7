package jmail.submit;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Puts jmail's ESMTP manners on SubEthaSMTP's replies, which it cannot be configured to give: EHLO
 * advertises PIPELINING (which its reader already handles) and ENHANCEDSTATUSCODES but no CHUNKING
 * (its BDAT skips every line-ending check), and its own bare replies ({@code 250 Ok},
 * {@code 503 Error: need RCPT command}) get an RFC 3463 enhanced status code.
 */
final class ReplyRewritingServerSocket extends ServerSocket {
    ReplyRewritingServerSocket() throws IOException {
        super();
    }

    @Override
    public Socket accept() throws IOException {
        Socket s = new RewritingSocket();
        implAccept(s);
        s.setTcpNoDelay(true); // SubEthaSMTP writes a reply line by line: Nagle held each 2nd line ~40 ms
        return s;
    }

    private static final class RewritingSocket extends Socket {
        private OutputStream out;

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new ReplyRewriter(super.getOutputStream());
            }
            return out;
        }
    }

    /**
     * Rewrites whole reply lines; everything else passes through untouched. The lines of a multiline
     * reply are held until its last line, because SubEthaSMTP ends EHLO with a bare {@code 250 Ok} that
     * is folded into the last capability line.
     */
    static final class ReplyRewriter extends FilterOutputStream {
        private static final Pattern HAS_ENHANCED = Pattern.compile("^\\d{3}[ -][245]\\.\\d{1,3}\\.\\d{1,3}( |$).*");
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(128);
        private final StringBuilder heldLines = new StringBuilder();
        private boolean inMultiline;

        ReplyRewriter(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            line.write(b);
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                String reply = text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text.strip();
                boolean endsMultiline = inMultiline;
                String rewritten = rewrite(reply);
                if (inMultiline) {
                    heldLines.append(rewritten);
                    return;
                }
                if (endsMultiline && reply.equals("250 Ok") && heldLines.length() > 0) {
                    int end = heldLines.lastIndexOf("\r\n", heldLines.length() - 3);
                    heldLines.setCharAt((end < 0 ? 0 : end + 2) + 3, ' ');
                    rewritten = "";
                }
                out.write((heldLines + rewritten).getBytes(StandardCharsets.UTF_8));
                heldLines.setLength(0);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public void flush() throws IOException {
            if (line.size() > 0 && heldLines.length() == 0) {
                out.write(line.toByteArray());
                line.reset();
            }
            out.flush();
        }

        String rewrite(String reply) {
            boolean continued = reply.length() > 3 && reply.charAt(3) == '-';
            boolean partOfMultiline = inMultiline;
            inMultiline = continued;
            if (reply.equals("250-CHUNKING")) {
                return "";
            }
            if (reply.startsWith("421 Timeout waiting for data")) {
                return "421 4.4.2 Error: timeout exceeded\r\n";
            }
            if (reply.startsWith("501 Input line length is too long")) {
                return "500 5.5.2 Error: line too long\r\n";
            }
            if (reply.equals("250-8BITMIME")) {
                return "250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n";
            }
            if (continued || partOfMultiline || reply.length() < 3 || HAS_ENHANCED.matcher(reply).matches()) {
                return reply + "\r\n";
            }
            String code = reply.substring(0, 3);
            String text = reply.length() > 4 ? reply.substring(4) : "";
            String enhanced = switch (code) {
                case "250", "221" -> "2.0.0";
                case "421" -> "4.3.2";
                case "452" -> "4.5.3";
                case "500" -> "5.5.2";
                case "501" -> "5.5.4";
                case "502" -> "5.5.1";
                case "503" -> "5.5.1";
                case "504" -> "5.5.4";
                case "530" -> "5.7.0";
                case "552" -> "5.3.4";
                case "553" -> "5.1.7";
                case "554" -> "5.3.0";
                default -> null;
            };
            return enhanced == null ? reply + "\r\n" : code + " " + enhanced + " " + text + "\r\n";
        }
    }
}
