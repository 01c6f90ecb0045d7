package jmail.delivery;

import jakarta.mail.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * A queued message sent as stored: no MIME parsing, no header rewriting. Angus's SMTP output stream
 * still turns every line end into CRLF and dot-stuffs, so the wire is canonical whatever was stored.
 */
final class RawMessage extends SMTPMessage {
    private final Path body;

    RawMessage(Session session, Path body) {
        super(session);
        this.body = body;
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
        try (InputStream in = Files.newInputStream(body)) {
            in.transferTo(os);
        }
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreHeaders) throws IOException {
        writeTo(os);
    }
}
