package jmail.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jmail.config.ConfigError;
import jmail.config.HostPort;
import jmail.config.JmailConfig;
import jmail.config.ShimConfig;
import jmail.config.SubmitSettings;
import jmail.mail.Sysexits;
import jmail.submit.LocalOffset;
import jmail.submit.Maildrop;
import jmail.submit.MessageCleanup;
import jmail.submit.SenderRewrite;
import jmail.submit.SendmailArgs;
import jmail.submit.SubmissionClient;
import jmail.submit.SubmitException;

/**
 * The sendmail-compatible front end: cleans the message (headers, line ends, -t), hands it to jmaild
 * over its loopback listener and exits 0 only once the daemon has stored it; when the daemon is not
 * there, it leaves the message durably in the maildrop directory instead. Never opens the queue.
 */
public final class Sendmail {
    static final String USAGE = "usage: sendmail [-t] [-i] [-f sender] [-F fullname] [-C main.conf] [--] recipient ...";

    private Sendmail() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.in, System.out, System.err));
    }

    static int run(String[] argv, InputStream stdin, PrintStream out, PrintStream err) {
        SendmailArgs args;
        try {
            args = SendmailArgs.parse(argv);
        } catch (SubmitException e) {
            err.println("sendmail: " + e.getMessage());
            if (e.exitCode() == Sysexits.USAGE) {
                err.println(USAGE);
            }
            return e.exitCode();
        }
        switch (args.mode()) {
            case NEWALIASES:
                return Sysexits.OK;
            case LIST_QUEUE:
                return QueueAccess.run(args.configFile(), List.of("mailq"), "sendmail");
            case FLUSH:
                return QueueAccess.run(args.configFile(), List.of("flush"), "sendmail");
            default:
                break;
        }
        SubmitSettings c;
        try {
            c = ShimConfig.load(JmailConfig.locate(args.configFile()), w -> { });
        } catch (ConfigError e) {
            err.println("sendmail: fatal: " + e.getMessage());
            return Sysexits.CONFIG;
        }
        InetSocketAddress listener = listener(c);
        if (args.mode() == SendmailArgs.Mode.SMTP_STDIN) {
            return smtpOnStdio(listener, stdin, out, err);
        }
        SenderRewrite rewrite;
        try {
            rewrite = SenderRewrite.of(c.string("sender_rewrite"), c.string("sender_rewrite_maps"), c.bool("sender_rewrite_reply_to"));
        } catch (ConfigError | IllegalArgumentException e) {
            err.println("sendmail: fatal: " + c.file() + ": " + e.getMessage());
            return Sysexits.CONFIG;
        } catch (IOException e) {
            err.println("sendmail: fatal: " + c.file() + ": sender_rewrite_maps: cannot read " + e.getMessage());
            return Sysexits.CONFIG;
        }
        MessageCleanup.Result msg;
        List<String> rcpts = new ArrayList<>();
        try {
            String myorigin = c.myorigin();
            msg = MessageCleanup.clean(stdin, new MessageCleanup.Options(args.extractRecipients(), args.dotEndsInput(),
                    args.sender(), args.fullName(), System.getProperty("user.name"), myorigin, c.myhostname(),
                    LocalOffset.clock(), rewrite));
            for (String r : args.recipients()) {
                rcpts.add(MessageCleanup.normalizeAddress(r, myorigin));
            }
            rcpts = MessageCleanup.mergeRecipients(rcpts, msg.headerRecipients());
        } catch (SubmitException e) {
            err.println("sendmail: " + e.getMessage());
            return e.exitCode();
        } catch (IOException e) {
            err.println("sendmail: cannot read the message from standard input: " + e.getMessage());
            return Sysexits.IOERR;
        }
        if (rcpts.isEmpty()) {
            err.println("sendmail: no recipients found" + (args.extractRecipients() ? " in the To, Cc or Bcc headers" : "")
                    + (args.extractRecipients() ? "" : "; give them as arguments or use -t"));
            return Sysexits.USAGE;
        }
        if (rcpts.size() > recipientLimit(c)) {
            // smtpd_recipient_limit guards the SMTP listener; a local sendmail caller may name more
            // recipients (as with Postfix), so such a message goes through the maildrop instead.
            return toMaildrop(c, msg, rcpts, err);
        }
        try {
            SubmissionClient.Reply r = SubmissionClient.submit(listener, msg.envelopeSender(), rcpts, msg.message(),
                    msg.eightBit(), c.myhostname(), 120_000);
            if (r.ok()) {
                return Sysexits.OK;
            }
            err.println("sendmail: the mail system refused the message: " + r.text());
            if (r.code() / 100 == 4) {
                return Sysexits.TEMPFAIL;
            }
            return r.text().matches("^5\\d\\d 5\\.(1|3|6)\\..*") ? Sysexits.DATAERR : Sysexits.UNAVAILABLE;
        } catch (IOException e) {
            return toMaildrop(c, msg, rcpts, err);
        }
    }

    private static int toMaildrop(SubmitSettings c, MessageCleanup.Result msg, List<String> rcpts, PrintStream err) {
        Path dir = Maildrop.directory(c.queueDirectory());
        try {
            Maildrop.write(dir, msg.envelopeSender(), rcpts, msg.message());
            return Sysexits.OK;
        } catch (IOException e) {
            err.println("sendmail: jmaild is not reachable and the message cannot be written to " + dir + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "; nothing was queued");
            return Sysexits.TEMPFAIL;
        }
    }

    private static int recipientLimit(SubmitSettings c) {
        try {
            return Integer.parseInt(c.string("smtpd_recipient_limit").strip());
        } catch (RuntimeException e) {
            return 1000;
        }
    }

    /** The first listener address; a wildcard address is reached through loopback. */
    static InetSocketAddress listener(SubmitSettings c) {
        HostPort hp = HostPort.parse(c.list("smtpd_listen").isEmpty() ? "127.0.0.1:25" : c.list("smtpd_listen").get(0), 25);
        String host = hp.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equalsIgnoreCase("localhost")) {
            host = host.equals("::") ? "::1" : "127.0.0.1";
        }
        return new InetSocketAddress(host, hp.port());
    }

    /** sendmail -bs: an SMTP session on stdin/stdout, carried to the listener. */
    private static int smtpOnStdio(InetSocketAddress listener, InputStream stdin, PrintStream out, PrintStream err) {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(listener, 10_000);
            InputStream fromDaemon = s.getInputStream();
            OutputStream toDaemon = s.getOutputStream();
            Thread pump = new Thread(() -> {
                try {
                    stdin.transferTo(toDaemon);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the session ended
                }
            });
            pump.setDaemon(true);
            pump.start();
            byte[] buf = new byte[8192];
            int n;
            while ((n = fromDaemon.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            return Sysexits.OK;
        } catch (IOException e) {
            out.print("421 4.3.0 jmaild is not running; try again later\r\n");
            out.flush();
            err.println("sendmail: -bs: cannot reach jmaild at " + listener + ": " + e.getMessage());
            return Sysexits.TEMPFAIL;
        }
    }
}
