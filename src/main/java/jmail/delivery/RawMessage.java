package jmail.delivery;

import jakarta.mail.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * A queued message sent as its bytes: no MIME parsing, no header rewriting. Angus's SMTP output stream
 * still turns every line end into CRLF and dot-stuffs, so the wire is canonical whatever was stored.
 */
final class RawMessage extends SMTPMessage {
    /** Writes the message's bytes. */
    interface Content {
        void writeTo(OutputStream os) throws IOException;
    }

    private final Content content;

    RawMessage(Session session, Content content) {
        super(session);
        this.content = content;
    }

    /** The stored file, streamed as it is. */
    RawMessage(Session session, Path body) {
        this(session, os -> {
            try (InputStream in = Files.newInputStream(body)) {
                in.transferTo(os);
            }
        });
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
        content.writeTo(os);
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreHeaders) throws IOException {
        content.writeTo(os);
    }
}
