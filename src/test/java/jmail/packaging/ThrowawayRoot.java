package jmail.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An empty directory with just enough of a dpkg database for {@code dpkg --root}. Maintainer scripts
 * run on the host with DPKG_ROOT set (--force-script-chrootless), which jmail's scripts honour;
 * Depends are not installed there, hence --force-depends.
 */
final class ThrowawayRoot {
    private ThrowawayRoot() {
    }

    static Path create(Path root) throws IOException {
        Path db = root.resolve("var/lib/dpkg");
        for (String d : new String[] {"info", "updates", "triggers"}) {
            Files.createDirectories(db.resolve(d));
        }
        Files.createFile(db.resolve("status"));
        Files.createFile(db.resolve("available"));
        Files.createDirectories(root.resolve("etc"));
        return root;
    }

    static void dpkg(Path root, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 5];
        cmd[0] = "dpkg";
        cmd[1] = "--root=" + root;
        cmd[2] = "--force-script-chrootless";
        cmd[3] = "--force-depends";
        cmd[4] = "--log=/dev/null";
        System.arraycopy(args, 0, cmd, 5, args.length);
        Shell.run(root.getParent(), cmd).ok();
    }

    /** dpkg's status and version for jmail, e.g. "install ok installed 0.1.0"; "" once purged. */
    static String status(Path root) throws IOException, InterruptedException {
        Shell.Result r = Shell.run(root.getParent(), "dpkg-query", "--admindir=" + root.resolve("var/lib/dpkg"), "-W",
                "-f", "${Status} ${Version}", "jmail");
        return r.exit() == 0 ? r.output().trim() : "";
    }
}
