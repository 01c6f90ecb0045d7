package jmail.cli;

import java.util.ArrayList;
import java.util.List;
import jmail.config.ConfigError;
import jmail.config.JmailConfig;
import jmail.control.Check;
import jmail.mail.Sysexits;

/** jmailctl: flush, hold, release, delete, requeue, show, status. */
public final class Jmailctl {
    static final String USAGE = String.join("\n",
            "usage: jmailctl [-C main.conf] COMMAND",
            "  flush              retry every deferred message now (= sendmail -q)",
            "  hold ID|ALL        keep messages in the queue without delivering them",
            "  release ID|ALL     undo hold",
            "  requeue ID|ALL     make messages due now",
            "  delete ID|ALL      remove messages from the queue",
            "  show ID            print a queued message, headers and body",
            "  status             is the daemon running, queue counts, last delivery and error",
            "  check [RCPT]       diagnose: DNS, port 25, relayhost, TLS, AUTH, password map; sends no mail");

    private Jmailctl() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>();
        String conf = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-C") && i + 1 < args.length) {
                conf = args[++i];
            } else {
                rest.add(args[i]);
            }
        }
        if (rest.isEmpty() || rest.get(0).equals("help") || rest.get(0).equals("-h") || rest.get(0).equals("--help")) {
            System.out.println(USAGE);
            System.exit(rest.isEmpty() ? Sysexits.USAGE : Sysexits.OK);
        }
        if (rest.get(0).equals("mailq")) {
            System.err.println("jmailctl: use jmailq to list the queue");
            System.exit(Sysexits.USAGE);
        }
        if (rest.get(0).equals("check")) {
            System.exit(check(conf, rest.subList(1, rest.size())));
        }
        System.exit(QueueAccess.run(conf, rest, "jmailctl"));
    }

    private static int check(String confFlag, List<String> args) {
        if (args.size() > 1 || args.size() == 1 && !args.get(0).contains("@")) {
            System.err.println("jmailctl: usage: jmailctl check [recipient@domain]");
            return Sysexits.USAGE;
        }
        try {
            JmailConfig c = JmailConfig.load(JmailConfig.locate(confFlag), w -> { });
            return Check.run(c, args.isEmpty() ? null : args.get(0), System.out);
        } catch (ConfigError e) {
            System.err.println("jmailctl: fatal: " + e.getMessage());
            return Sysexits.CONFIG;
        } finally {
            System.out.flush();
        }
    }
}
