package dev.ferry.cli;

import dev.ferry.http.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

/**
 * Loads the API key from an owner-only file ({@code --api-key-file}) or the environment; never from a flag (flags
 * show in ps). In the environment, {@value #ENV} wins over {@value #SDK_ENV} (the name WorkOS's SDKs read) when
 * both are set: ferry's own name is the more deliberate choice. A key file wins over both.
 */
final class ApiKeys {
  static final String ENV = "WORKOS_SECRET_KEY";
  /** The WorkOS SDKs' name for the key, read when {@link #ENV} is not set. */
  static final String SDK_ENV = "WORKOS_API_KEY";

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
    String name = isSet(env.get(ENV)) ? ENV : isSet(env.get(SDK_ENV)) ? SDK_ENV : null;
    if (name == null) {
      throw new ExitException(ExitCodes.USAGE, ENV + " (or " + SDK_ENV + ") is not set: export it (or use"
          + " --api-key-file FILE); the key is never taken from a flag. --dry-run needs no key.");
    }
    try {
      return Secret.of(env.get(name));
    } catch (IllegalArgumentException e) {
      throw new ExitException(ExitCodes.USAGE, name + ": " + e.getMessage());
    }
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }
}
