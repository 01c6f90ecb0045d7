package jmail.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.OptionalInt;
import jmail.config.ConfigError;
import jmail.config.JmailConfig;
import jmail.control.Commands;
import jmail.control.ControlClient;
import jmail.mail.Sysexits;
import jmail.queue.QueueException;
import jmail.queue.QueueStore;

/**
 * Runs a queue command in the running daemon through its control socket, or, when no daemon
 * answers, directly on the queue files (so mailq works while jmaild is down).
 */
final class QueueAccess {
    private QueueAccess() {
    }

    /** A command line with its {@code -C FILE} taken out. */
    record Invocation(String conf, List<String> args) {
        static Invocation parse(String[] argv) {
            List<String> rest = new java.util.ArrayList<>();
            String conf = null;
            for (int i = 0; i < argv.length; i++) {
                if (argv[i].equals("-C") && i + 1 < argv.length) {
                    conf = argv[++i];
                } else {
                    rest.add(argv[i]);
                }
            }
            return new Invocation(conf, rest);
        }
    }

    static int run(String confFlag, List<String> command, String program) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        JmailConfig c;
        try {
            c = JmailConfig.load(JmailConfig.locate(confFlag), w -> { });
        } catch (ConfigError e) {
            err.println(program + ": fatal: " + e.getMessage());
            return Sysexits.CONFIG;
        }
        try {
            OptionalInt rc = ControlClient.run(c.queueDirectory(), command, out, err);
            if (rc.isPresent()) {
                return rc.getAsInt();
            }
        } catch (IOException e) {
            err.println(program + ": the daemon did not answer: " + e.getMessage());
            return Sysexits.TEMPFAIL;
        }
        if (!Files.isDirectory(c.queueDirectory().resolve("db"))) {
            if (command.get(0).equals("mailq")) {
                out.println("Mail queue is empty");
                return Sysexits.OK;
            }
            err.println(program + ": no queue in " + c.queueDirectory() + " (has jmaild ever run with this main.conf?)");
            return Sysexits.UNAVAILABLE;
        }
        try (QueueStore store = QueueStore.open(c.queueDirectory(), Clock.systemUTC())) {
            return new Commands(store, null).run(command, out, err);
        } catch (QueueException e) {
            err.println(program + ": " + e.getMessage());
            return Sysexits.TEMPFAIL;
        } finally {
            out.flush();
        }
    }
}
