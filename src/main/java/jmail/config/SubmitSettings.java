package jmail.config;

import java.nio.file.Path;
import java.util.List;

/** The few main.conf values the sendmail front end reads; see {@link ShimConfig}. */
public interface SubmitSettings {
    Path file();

    String myhostname();

    String myorigin();

    Path queueDirectory();

    String string(String key);

    boolean bool(String key) throws ConfigError;

    List<String> list(String key);
}
