package jmail.cli;

import java.util.ArrayList;
import java.util.List;

/** jmailq (and mailq, sendmail -bp): lists the queue in Postfix mailq format, or --json. */
public final class Jmailq {
    private Jmailq() {
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
        List<String> cmd = new ArrayList<>();
        cmd.add("mailq");
        cmd.addAll(rest);
        System.exit(QueueAccess.run(conf, cmd, "jmailq"));
    }
}
