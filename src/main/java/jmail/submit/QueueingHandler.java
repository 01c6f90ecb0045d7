package jmail.submit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import jmail.mail.MailLog;
import jmail.queue.QueueException;
import jmail.queue.QueueId;
import jmail.queue.QueueStore;
import jmail.queue.Spool;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.internal.io.BdatInputStream;
import org.subethamail.smtp.server.Session;

/**
 * One SMTP mail transaction on the loopback listener: checks the envelope, streams DATA into the
 * spool and answers 250 only after {@link QueueStore#enqueue} has made the message durable.
 *
 * <p>SECURITY: input is untrusted. DATA is always read to its end before any rejection, because
 * SubEthaSMTP would otherwise run the rest of the body as SMTP commands; the size limit is enforced
 * here (SubEthaSMTP only advertises it); bare CR or LF is refused so that no end-of-data ambiguity
 * (SMTP smuggling) can reach the relay.
 */
final class QueueingHandler implements MessageHandler {
    private final Listener.Settings settings;
    private final MessageContext ctx;
    private final String client;
    private String sender;
    private final List<String> recipients = new ArrayList<>();

    QueueingHandler(Listener.Settings settings, MessageContext ctx) {
        this.settings = settings;
        this.ctx = ctx;
        this.client = describe(ctx.getRemoteAddress());
    }

    @Override
    public void from(String from) throws RejectException {
        if (!from.isEmpty() && !AddressSyntax.isMailbox(from)) {
            throw new RejectException(553, "5.1.7 <" + printable(from) + ">: Sender address rejected: malformed address");
        }
        sender = from;
    }

    @Override
    public void recipient(String rcpt) throws RejectException {
        if (!AddressSyntax.isMailbox(rcpt)) {
            throw new RejectException(553, "5.1.3 <" + printable(rcpt) + ">: Recipient address rejected: malformed address");
        }
        if (recipients.size() >= settings.recipientLimit()) {
            throw new RejectException(452, "4.5.3 Error: too many recipients");
        }
        recipients.add(rcpt);
    }

    @Override
    public String data(InputStream in) throws RejectException, IOException {
        try {
            return receive(in);
        } catch (RejectException e) {
            // SubEthaSMTP keeps the transaction open after a rejected DATA; RFC 5321 ends it either way,
            // so that the client's next MAIL is not refused with "503 Sender already specified"
            if (ctx instanceof Session s && !(e instanceof DropConnectionException)) {
                s.resetMailTransaction();
            }
            throw e;
        }
    }

    private String receive(InputStream in) throws RejectException, IOException {
        Spool.Draft draft;
        String id = QueueId.next(settings.store().clock());
        try {
            draft = settings.store().spool().create(id);
        } catch (IOException e) {
            drain(in);
            throw storageFailure(e);
        }
        BareNewlineDetector bare = new BareNewlineDetector();
        boolean tooBig = !copyBody(in, draft, bare);
        drain(in);
        bare.finish();
        if (tooBig) {
            draft.abort();
            throw new RejectException(552, "5.3.4 Message size exceeds fixed limit");
        }
        if (bare.found() && settings.forbidBareNewline()) {
            draft.abort();
            MailLog.log("smtpd", "NOQUEUE: reject: bare <CR> or <LF> in DATA from " + client);
            throw new DropConnectionException(521, "5.5.2 Error: bare <CR> or <LF> received; use <CR><LF>");
        }
        try {
            settings.store().enqueue(draft, sender == null ? "" : sender, settings.resolver().resolve(recipients), client);
        } catch (QueueException e) {
            MailLog.warning("smtpd", "cannot queue message from " + client + ": " + e.getMessage());
            throw e.isDiskFull() ? new RejectException(452, "4.3.1 Insufficient system storage")
                    : new RejectException(451, "4.3.0 Error: queue file write error");
        }
        MailLog.log("smtpd", id + ": client=" + client);
        MailLog.log("qmgr", id + ": from=<" + sender + ">, size=" + draft.size() + ", nrcpt=" + recipients.size() + " (queue active)");
        settings.onQueued().run();
        return "2.0.0 Ok: queued as " + id;
    }

    /**
     * Copies DATA into the draft while looking for bare line ends; false when the size limit was hit
     * (the rest is left for the caller to drain).
     */
    private boolean copyBody(InputStream in, Spool.Draft draft, BareNewlineDetector bare) throws IOException, RejectException {
        try {
            byte[] buf = new byte[65536];
            // BDAT (never advertised, but SubEthaSMTP takes it) carries its chunks without dot-stuffing
            boolean first = !(in instanceof BdatInputStream);
            int n;
            while ((n = in.read(buf)) != -1) {
                // SubEthaSMTP never unstuffs the first line: a client sends ".x" as "..x".
                int off = first && n > 0 && buf[0] == '.' ? 1 : 0;
                first &= n == 0;
                bare.scan(buf, off, n - off);
                if (draft.size() + (n - off) > settings.sizeLimit()) {
                    return false;
                }
                try {
                    draft.write(buf, off, n - off);
                } catch (IOException e) {
                    draft.abort();
                    drain(in);
                    throw storageFailure(e);
                }
            }
            return true;
        } catch (IOException e) {
            // the client went silent past smtpd_timeout or away: nothing to drain, nothing to answer
            draft.abort();
            MailLog.log("smtpd", "lost connection after DATA from " + client + ": " + e.getMessage());
            throw e;
        }
    }

    private static RejectException storageFailure(IOException e) {
        String m = String.valueOf(e.getMessage());
        MailLog.warning("smtpd", "cannot write to the spool: " + m);
        return m.contains("No space left") ? new RejectException(452, "4.3.1 Insufficient system storage")
                : new RejectException(451, "4.3.0 Error: queue file write error");
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the session ends anyway
        }
    }

    @Override
    public void done() {
    }

    static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress isa) {
            String ip = isa.getAddress() == null ? isa.getHostString() : isa.getAddress().getHostAddress();
            return (isa.getAddress() != null && isa.getAddress().isLoopbackAddress() ? "localhost" : "unknown") + "[" + ip + "]";
        }
        return String.valueOf(a);
    }

    private static String printable(String s) {
        String t = s.length() > 100 ? s.substring(0, 100) : s;
        return t.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
