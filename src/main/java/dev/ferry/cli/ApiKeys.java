package dev.ferry.cli;

import dev.ferry.http.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

/** Loads the API key from the environment or an owner-only file; never from a flag (flags show in ps). */
final class ApiKeys {
  static final String ENV = "WORKOS_SECRET_KEY";

  private ApiKeys() {}

  static Secret load(Path keyFile, Map<String, String> env) {
    if (keyFile != null) {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
        if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
          throw new ExitException(ExitCodes.USAGE, keyFile + ": the key file is readable by other users;"
              + " run 'chmod 600 " + keyFile + "' first");
        }
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: nothing to check
      } catch (IOException e) {
        throw new ExitException(ExitCodes.USAGE, keyFile + ": cannot read the key file (" + e.getClass().getSimpleName() + ")");
      }
      try {
        return Secret.of(Files.readString(keyFile, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new ExitException(ExitCodes.USAGE, keyFile + ": cannot read the key file (" + e.getClass().getSimpleName() + ")");
      } catch (IllegalArgumentException e) {
        throw new ExitException(ExitCodes.USAGE, keyFile + ": " + e.getMessage());
      }
    }
    String v = env.get(ENV);
    if (v == null || v.isBlank()) {
      throw new ExitException(ExitCodes.USAGE, ENV + " is not set: export it (or use --api-key-file FILE);"
          + " the key is never taken from a flag. --dry-run needs no key.");
    }
    try {
      return Secret.of(v);
    } catch (IllegalArgumentException e) {
      throw new ExitException(ExitCodes.USAGE, ENV + ": " + e.getMessage());
    }
  }
}
