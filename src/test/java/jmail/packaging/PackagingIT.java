package jmail.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package and the tarball, built by packaging/build.sh from target/jmail exactly as
 * {@code mvn package -Pdeb} does: control fields, file list and modes, lintian, shellcheck, the
 * systemd unit, and an install, upgrade (a queued message survives) and purge in a throwaway root.
 */
class PackagingIT {
    static final String VERSION = System.getProperty("jmail.version", "0.1.0");
    static final String UPGRADE = VERSION + "+upgrade1";

    @TempDir
    static Path out;
    static Path deb;
    static Path debUpgrade;
    static Path tarball;
    /** The package unpacked with dpkg -x (files only, no maintainer scripts). */
    static Path unpacked;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(Shell.available("dpkg-deb"), "dpkg-deb is not installed: skipping the packaging tests");
        Path dist = JmailHarness.dist();
        Shell.run(out, "sh", "packaging/build.sh", dist.toString(), VERSION, out.toString()).ok();
        Path second = out.resolve("upgrade");
        Shell.run(out, "sh", "packaging/build.sh", dist.toString(), UPGRADE, second.toString()).ok();
        deb = out.resolve("jmail_" + VERSION + "_all.deb");
        debUpgrade = second.resolve("jmail_" + UPGRADE + "_all.deb");
        tarball = out.resolve("jmail-" + VERSION + ".tar.gz");
        unpacked = out.resolve("unpacked");
        Shell.run(out, "dpkg-deb", "-x", deb.toString(), unpacked.toString()).ok();
    }

    @Test
    void controlFieldsMakeItAnMta() throws Exception {
        String fields = Shell.run(tmp, "dpkg-deb", "-f", deb.toString(), "Package", "Version", "Architecture", "Depends",
                "Provides", "Conflicts", "Replaces", "Section").ok().output();
        assertEquals("Package: jmail\n"
                + "Version: " + VERSION + "\n"
                + "Architecture: all\n"
                + "Depends: adduser, default-jre-headless | java17-runtime-headless | java21-runtime-headless"
                + " | java25-runtime-headless\n"
                + "Provides: mail-transport-agent\n"
                + "Conflicts: mail-transport-agent\n"
                + "Replaces: mail-transport-agent\n"
                + "Section: mail\n", fields);
        assertEquals("/etc/jmail/main.conf\n/etc/jmail/sasl_passwd\n", controlFile("conffiles"));
    }

    @Test
    void filesAndModes() throws Exception {
        Map<String, String> modes = new LinkedHashMap<>();
        for (String line : Shell.run(tmp, "dpkg-deb", "-c", deb.toString()).ok().output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            modes.put(f[5].substring(1) + (f.length > 6 ? " " + f[6] + " " + f[7] : ""), f[0] + " " + f[1]);
        }
        String exe = "-rwxr-xr-x root/root";
        String file = "-rw-r--r-- root/root";
        Map<String, String> expected = new LinkedHashMap<>();
        for (String p : List.of("/usr/sbin/jmaild", "/usr/sbin/sendmail", "/usr/sbin/jmailctl", "/usr/bin/mailq",
                "/usr/bin/newaliases", "/usr/bin/jmailq", "/usr/share/jmail/bin/jmail-java", "/usr/share/jmail/bin/sendmail")) {
            expected.put(p, exe);
        }
        for (String p : List.of("/etc/jmail/main.conf", "/lib/systemd/system/jmail.service", "/usr/lib/sysusers.d/jmail.conf",
                "/usr/share/jmail/lib/jmail.jar", "/usr/share/man/man8/jmaild.8.gz", "/usr/share/man/man8/sendmail.8.gz",
                "/usr/share/man/man1/jmailq.1.gz", "/usr/share/man/man5/main.conf.5.gz", "/usr/share/doc/jmail/copyright",
                "/usr/share/doc/jmail/changelog.gz")) {
            expected.put(p, file);
        }
        expected.put("/etc/jmail/sasl_passwd", "-rw------- root/root");
        expected.put("/usr/lib/sendmail -> ../sbin/sendmail", "lrwxrwxrwx root/root");
        if (Files.exists(JmailHarness.dist().resolve("lib/shim.jsa"))) {
            expected.put("/usr/share/jmail/lib/shim.jsa", file);
        }
        expected.forEach((path, mode) -> assertEquals(mode, modes.get(path), path + " in\n" + modes));
        try (var jars = Files.list(JmailHarness.dist().resolve("lib"))) {
            jars.filter(j -> j.toString().endsWith(".jar"))
                    .forEach(j -> assertEquals(file, modes.get("/usr/share/jmail/lib/" + j.getFileName()), j.toString()));
        }
    }

    @Test
    void wrappersCallTheLaunchers() throws Exception {
        Map<String, String> calls = Map.of("usr/sbin/sendmail", "sendmail ", "usr/sbin/jmaild", "jmaild ",
                "usr/sbin/jmailctl", "jmailctl ", "usr/bin/jmailq", "jmailq ", "usr/bin/mailq", "sendmail -bp ",
                "usr/bin/newaliases", "sendmail -bi ");
        for (Map.Entry<String, String> c : calls.entrySet()) {
            assertEquals("#!/bin/sh\nexec /usr/share/jmail/bin/" + c.getValue() + "\"$@\"\n", read(unpacked.resolve(c.getKey())),
                    c.getKey());
        }
    }

    @Test
    void lintianFindsNoErrors() throws Exception {
        assumeTrue(Shell.available("lintian"), "lintian is not installed (CI installs it): skipping");
        Shell.Result r = Shell.run(tmp, "lintian", "--allow-root", deb.toString());
        assertFalse(r.output().lines().anyMatch(l -> l.startsWith("E: ")), r.output());
        assertTrue(r.exit() == 0 || r.exit() == 2, r.output());
    }

    @Test
    void shellScriptsPassShellcheck() throws Exception {
        assumeTrue(Shell.available("shellcheck"), "shellcheck is not installed (CI installs it): skipping");
        Shell.run(tmp, "shellcheck", "packaging/debian/postinst", "packaging/debian/prerm", "packaging/debian/postrm",
                "packaging/install.sh", "packaging/build.sh").ok();
    }

    @Test
    void unitVerifiesAndIsRatedOk() throws Exception {
        assumeTrue(Shell.available("systemd-analyze"), "systemd-analyze is not installed (CI installs it): skipping");
        String unit = read(unpacked.resolve("lib/systemd/system/jmail.service"));
        assertTrue(unit.contains("\nExecStart=/usr/sbin/jmaild -C /etc/jmail/main.conf\n"), unit);
        assertTrue(unit.contains("\nUser=jmail\n") && unit.contains("\nRestartPreventExitStatus=78\n")
                && unit.contains("\nSuccessExitStatus=143\n") && unit.contains("\nExecReload=/bin/kill -HUP $MAINPID\n"), unit);
        assertFalse(Pattern.compile("(?m)^MemoryDenyWriteExecute=").matcher(unit).find(), "MemoryDenyWriteExecute breaks the JIT");
        // Verify the unpacked copy: its ExecStart and man pages live under the temp dir, not in /usr.
        Path copy = tmp.resolve("jmail.service");
        Files.writeString(copy, unit.replace("ExecStart=/usr/sbin/jmaild", "ExecStart=" + unpacked + "/usr/sbin/jmaild"));
        Shell.run(tmp, Map.of("MANPATH", unpacked.resolve("usr/share/man").toString()), "systemd-analyze", "verify",
                copy.toString()).ok();
        String security = Shell.run(tmp, "systemd-analyze", "security", "--offline=yes", copy.toString()).ok().output();
        Matcher m = Pattern.compile("Overall exposure level for jmail.service: ([0-9.]+) (\\w+)").matcher(security);
        assertTrue(m.find(), security);
        assertTrue(List.of("OK", "SAFE", "PERFECT").contains(m.group(2)), m.group());
        String readme = read(Path.of("README.md"));
        assertTrue(readme.contains("--offline=yes` rates it **" + m.group(1) + " " + m.group(2) + "**"),
                "README.md records the score " + m.group(1) + " " + m.group(2));
    }

    @Test
    void readmeNamesTheArtifactsTheBuildMakes() throws IOException {
        String readme = read(Path.of("README.md"));
        assertTrue(readme.contains("sudo apt install ./target/" + deb.getFileName() + "\n"), "README.md installs " + deb.getFileName());
        assertTrue(readme.contains("tar xzf " + tarball.getFileName() + " && sudo jmail-" + VERSION + "/install.sh"),
                "README.md unpacks " + tarball.getFileName());
    }

    @Test
    void installUpgradeKeepsQueuedMailAndPurgeRemovesState() throws Exception {
        assumeRoot();
        Path root = ThrowawayRoot.create(tmp.resolve("root"));
        ThrowawayRoot.dpkg(root, "-i", deb.toString());
        String passwd = read(root.resolve("etc/passwd"));
        Matcher user = Pattern.compile("(?m)^jmail:x:(\\d+):(\\d+):jmail MTA:/var/spool/jmail:/usr/sbin/nologin$").matcher(passwd);
        assertTrue(user.find(), passwd);
        Path spool = root.resolve("var/spool/jmail");
        assertEquals(Integer.parseInt(user.group(1)), Files.getAttribute(spool, "unix:uid"));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(spool)));
        Path sasl = root.resolve("etc/jmail/sasl_passwd");
        assertEquals(Integer.parseInt(user.group(1)), Files.getAttribute(sasl, "unix:uid"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sasl)));
        assertTrue(read(root.resolve("etc/jmail/main.conf")).contains("\n# queue_directory = \"/var/spool/jmail\""));

        // A relay that refuses connections, so the message stays queued.
        Path conf = InstalledDaemon.writeConf(tmp, spool, "relayhost = \"[127.0.0.1]:" + JmailHarness.freePort() + "\"\n");
        String queueId;
        try (InstalledDaemon d = InstalledDaemon.start(root, conf, tmp)) {
            Shell.Result sent = d.feed("sendmail", "Subject: survives an upgrade\n\nqueued before\n", "user@example.test");
            assertEquals(0, sent.exit(), sent.output());
            queueId = d.awaitQueuedId();
        }
        Files.writeString(root.resolve("etc/jmail/main.conf"), "myorigin = \"example.com\"  # the admin's edit\n",
                StandardOpenOption.APPEND);

        ThrowawayRoot.dpkg(root, "-i", debUpgrade.toString());
        assertEquals("install ok installed " + UPGRADE, ThrowawayRoot.status(root));
        assertTrue(read(root.resolve("etc/jmail/main.conf")).endsWith("myorigin = \"example.com\"  # the admin's edit\n"),
                "the upgrade kept the admin's main.conf");
        try (InstalledDaemon d = InstalledDaemon.offline(root, conf, tmp)) {
            Shell.Result q = d.command("jmailq");
            assertTrue(q.output().contains(queueId) && q.output().contains("user@example.test"), q.output());
        }

        ThrowawayRoot.dpkg(root, "-P", "jmail");
        assertEquals("", ThrowawayRoot.status(root));
        assertFalse(Files.exists(spool), "purge removes the queue");
        assertFalse(Files.exists(root.resolve("etc/jmail")), "purge removes the configuration");
        assertFalse(Files.exists(root.resolve("usr/share/jmail")));
        assertFalse(Files.exists(root.resolve("usr/sbin/sendmail")));
    }

    /** The README's story: install, three lines in main.conf and one in sasl_passwd, and mail goes out. */
    @Test
    void newcomerStoryDeliversThroughTheRelay() throws Exception {
        assumeRoot();
        Path root = ThrowawayRoot.create(tmp.resolve("root"));
        ThrowawayRoot.dpkg(root, "-i", deb.toString());
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth("alerts@example.com", "app password")
                .capabilities("8BITMIME", "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN").start()) {
            Path mainConf = root.resolve("etc/jmail/main.conf");
            Path sasl = root.resolve("etc/jmail/sasl_passwd");
            // (The password map's path points into the throwaway root instead of /etc.)
            Files.writeString(mainConf, "relayhost = \"[127.0.0.1]:" + relay.port() + "\"\n"
                    + "smtp_sasl_auth_enable = yes\n"
                    + "smtp_sasl_password_maps = \"" + sasl + "\"\n", StandardOpenOption.APPEND);
            Files.writeString(sasl, "[127.0.0.1]:" + relay.port() + "    alerts@example.com:app password\n", StandardOpenOption.APPEND);
            Path conf = InstalledDaemon.writeConf(tmp, root.resolve("var/spool/jmail"), "include file(\"" + mainConf + "\")\n");
            try (InstalledDaemon d = InstalledDaemon.start(root, conf, tmp)) {
                Shell.Result sent = d.feed("sendmail", "hi\n", "me@example.com");
                assertEquals(new Shell.Result(0, ""), sent);
                ScriptedRelay.Received m = relay.awaitMessages(1, Duration.ofSeconds(60)).get(0);
                assertEquals(List.of("me@example.com"), m.recipients());
                assertTrue(m.contentAsString().endsWith("\r\n\r\nhi\r\n"), m.contentAsString());
                assertTrue(relay.transcript(0).tls(), "STARTTLS was used");
                assertEquals("alerts@example.com", relay.transcript(0).authenticatedUser());
            }
        }
    }

    @Test
    void tarballInstallsWithItsScript() throws Exception {
        String listing = Shell.run(tmp, "tar", "-tzf", tarball.toString()).ok().output();
        String top = "jmail-" + VERSION + "/";
        for (String f : List.of("install.sh", "bin/jmaild", "bin/sendmail", "lib/jmail.jar", "conf/main.conf",
                "systemd/jmail.service", "man/jmaild.8", "README.md")) {
            assertTrue(listing.contains(top + f + "\n"), f + " in\n" + listing);
        }
        Shell.run(tmp, "tar", "-xzf", tarball.toString(), "-C", tmp.toString()).ok();
        Path stage = tmp.resolve("stage");
        Shell.run(tmp, Map.of("DESTDIR", stage.toString(), "PREFIX", "/usr/local"), "sh", tmp.resolve(top + "install.sh").toString()).ok();
        assertEquals("#!/bin/sh\nexec /usr/local/share/jmail/bin/sendmail \"$@\"\n", read(stage.resolve("usr/local/sbin/sendmail")));
        assertTrue(read(stage.resolve("etc/systemd/system/jmail.service")).contains("\nExecStart=/usr/local/sbin/jmaild -C /etc/jmail/main.conf\n"));
        assertTrue(Files.exists(stage.resolve("etc/jmail/main.conf")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stage.resolve("etc/jmail/sasl_passwd"))));
        Shell.Result help = Shell.run(tmp, stage.resolve("usr/local/share/jmail/bin/jmaild").toString(), "--help");
        assertEquals(new Shell.Result(0, "usage: jmaild [-C main.conf]\n"), help, "the staged launcher finds its lib/");
    }

    /** dpkg --root and the postinst's chown need root; CI runs as root. */
    private void assumeRoot() throws IOException {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(tmp, "unix:uid")),
                "not running as root: skipping the install into a throwaway root");
    }

    private static String controlFile(String name) throws IOException, InterruptedException {
        Path dir = out.resolve("control");
        if (!Files.exists(dir)) {
            Shell.run(out, "dpkg-deb", "-e", deb.toString(), dir.toString()).ok();
        }
        return read(dir.resolve(name));
    }

    static String read(Path p) throws IOException {
        return Files.readString(p);
    }
}
