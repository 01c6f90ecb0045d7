package jmail.cli;

import java.util.ArrayList;
import java.util.List;

/** jmailq (and mailq, sendmail -bp): lists the queue in Postfix mailq format, or --json. */
public final class Jmailq {
    private Jmailq() {
    }

    public static void main(String[] args) {
        QueueAccess.Invocation inv = QueueAccess.Invocation.parse(args);
        List<String> cmd = new ArrayList<>();
        cmd.add("mailq");
        cmd.addAll(inv.args());
        System.exit(QueueAccess.run(inv.conf(), cmd, "jmailq"));
    }
}
